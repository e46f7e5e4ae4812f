"""`devocare serve --workers 2` as a real server: every poll of a known job is answered, by whichever worker
process takes the connection (job state in the database, results in one shared job folder)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

DEVOCARE = Path(sys.executable).parent / "devocare"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> httpx.Response:
    """A GET on a new connection each time, so the operating system hands it to either worker."""
    with httpx.Client(timeout=60, headers={"connection": "close"}) as client:
        return client.get(url)


def test_two_workers_answer_every_poll_of_every_job(tmp_path):
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEVOCARE_DATABASE_URL", "DEVOCARE_DB", "DEVOCARE_SPILL_DIR", "DEVOCARE_SERVER_ID"}
    }
    env.update(
        {
            "DEVOCARE_WARM": "0",
            "DEVOCARE_MAX_JOBS_PER_CLIENT": "10",
            "DEVOCARE_DATA_DIR": str(tmp_path),
            "DEVOCARE_SPILL_DIR": str(tmp_path / "jobs"),
        }
    )
    log = (tmp_path / "server.log").open("w+")
    proc = subprocess.Popen(
        [str(DEVOCARE), "serve", "--port", str(port), "--workers", "2", "--database", str(tmp_path / "jobs.db")],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while True:
            try:
                if _get(base + "/api/v1/simulations").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.time() < deadline, Path(log.name).read_text()[-3000:]
            time.sleep(0.5)
        ids = []
        for seed in range(3):
            with httpx.Client(timeout=120) as client:
                r = client.post(
                    base + "/api/v1/simulations",
                    json={"architecture": "status-quo-2023", "years": 2, "draws": 3, "seed": seed},
                )
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        polls, statuses = 0, {}
        deadline = time.time() + 300
        while time.time() < deadline:
            for job_id in ids:
                r = _get(f"{base}/api/v1/simulations/{job_id}")
                polls += 1
                assert r.status_code == 200, (polls, r.status_code, r.text[:300])  # never a 404 for a known job
                statuses[job_id] = r.json()["status"]
            if polls >= 12 and all(s == "finished" for s in statuses.values()):
                break
            time.sleep(0.2)
        assert polls >= 12 and set(statuses.values()) == {"finished"}, statuses
        listed = {j["id"] for j in _get(base + "/api/v1/simulations").json()}
        assert set(ids) <= listed
        for _ in range(6):  # results, from either worker: the summary, the table and the national series
            for job_id in ids:
                done = _get(f"{base}/api/v1/simulations/{job_id}").json()
                assert done["summary"]["spent_gbp_bn"] > 100
                rows = _get(f"{base}/api/v1/simulations/{job_id}/table?measure=spent&page_size=5")
                assert rows.status_code == 200 and rows.json()["total"] > 0
                national = _get(f"{base}/api/v1/simulations/{job_id}/national")
                assert national.status_code == 200 and national.json()["total"] == 4 * 2  # (draws + 1) × years
        assert _get(f"{base}/api/v1/simulations/{'0' * 32}").status_code == 404  # unknown is still unknown
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    text = Path(log.name).read_text()
    workers = set(re.findall(r"Started server process \[(\d+)\]", text))
    assert len(workers) == 2, text[-2000:]  # two worker processes served the polls above
    spilled = tmp_path / "jobs"
    assert len(list(spilled.glob("job-*.parquet"))) == len(list(spilled.glob("job-*.json"))) == 3
