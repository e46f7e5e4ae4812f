"""Latency of the REST API under 20 concurrent clients on loopback: a deterministic LAD-level simulate
request and the metrics endpoint, against the same library calls made in-process (the baseline).

Starts ``uvicorn`` on 127.0.0.1 with a free port, warms it up, then sends a bounded number of requests from
20 client threads and prints one JSON object: p50/p95/max latency in milliseconds per scenario, and the
ratio of the API's p50 to the in-process baseline measured in this run.

Scenarios:
- ``simulate_repeat``: the same deterministic request (status quo, 10 years, LAD atoms, no draws) from every
  client — served from the cache of deterministic runs after the first;
- ``simulate_distinct``: deterministic requests that differ in seed, so each one is computed;
- ``metrics``: ``GET /api/v1/architectures/reform-aco-2024/metrics``.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

CLIENTS = 20
REQUESTS = 200  # per scenario
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(base: str, method: str, path: str, bodies: list[dict | None]) -> dict[str, float]:
    """Send ``bodies`` from CLIENTS threads, each with its own keep-alive connection, and time each request."""
    shares = [bodies[i::CLIENTS] for i in range(CLIENTS)]

    def client_loop(share: list[dict | None]) -> list[float]:
        times = []
        with httpx.Client(base_url=base, timeout=120) as client:
            for body in share:
                t0 = time.perf_counter()
                r = client.request(method, path, json=body)
                times.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
        return times

    t0 = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        times = [t for part in pool.map(client_loop, shares) for t in part]
    wall = time.perf_counter() - t0
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "throughput_rps": round(len(times) / wall, 1),
    }


def baseline() -> dict[str, float]:
    """The same work in-process, one call at a time (median of 5 after a warm-up)."""
    from devocare import architecture, atlas
    from devocare.simulation import simulate

    simulate("status-quo-2023", years=10, draws=0, atoms="lad", waterfall=False)
    arch = architecture.load("reform-aco-2024")
    out = {}
    for name, call in (
        ("simulate_ms", lambda: simulate("status-quo-2023", years=10, draws=0, atoms="lad", waterfall=False).summary),
        ("metrics_ms", lambda: atlas.metrics(arch)),
    ):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            call()
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = round(statistics.median(times), 1)
    return out


def main() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DEVOCARE_MAX_JOBS_PER_CLIENT": str(CLIENTS), "DEVOCARE_DB": str(ROOT / ".bench.db")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "devocare.web:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                httpx.get(base + "/api/v1/architectures", timeout=60)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        sim = {"architecture": "status-quo-2023", "years": 10, "draws": 0, "atoms": "lad"}
        httpx.post(base + "/api/v1/simulate", json=sim, timeout=120).raise_for_status()  # warm-up
        httpx.get(base + "/api/v1/architectures/reform-aco-2024/metrics", timeout=120).raise_for_status()
        results = {
            "simulate_repeat": run(base, "POST", "/api/v1/simulate", [sim] * REQUESTS),
            "simulate_distinct": run(
                base, "POST", "/api/v1/simulate", [{**sim, "seed": 1000 + i} for i in range(REQUESTS)]
            ),
            "metrics": run(base, "GET", "/api/v1/architectures/reform-aco-2024/metrics", [None] * REQUESTS),
        }
    finally:
        server.terminate()
        server.wait(10)
    base_ms = baseline()
    for key, ref in (
        ("simulate_repeat", "simulate_ms"),
        ("simulate_distinct", "simulate_ms"),
        ("metrics", "metrics_ms"),
    ):
        results[key]["p50_over_inprocess"] = round(results[key]["p50_ms"] / base_ms[ref], 2)
    print(
        json.dumps(
            {
                "clients": CLIENTS,
                "requests_per_scenario": REQUESTS,
                "baseline_inprocess": base_ms,
                "cpu_count": os.cpu_count(),
                **results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
