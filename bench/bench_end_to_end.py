"""End to end through the CLI against an earlier version, measured in the same run; prints one JSON object.

- **Ratio**: ``devocare simulate ARCH --atoms lsoa --years 10 --draws 100 --scheduler process --out x.parquet``
  in a fresh process, this checkout against the ``src`` folder of an earlier one (``--baseline-src``, e.g.
  made with ``git worktree add /tmp/base <commit>``), alternating, best of ``--repeat``. CPU seconds (user +
  system of the child, from ``wait4``: the machine may be shared) and peak resident memory per run.
  ``speedup`` is the baseline's CPU over this checkout's.
- **Split**: one more run of this checkout in a fresh process, the same work as the command (the same
  ``simulate`` call, table and Parquet writer), with each phase timed: the engine's blocks of draws
  (preparation excluded), preparation (block grants and the draw-independent arrays), the change-factor
  waterfall (its 2^k central runs, their preparation included), the tidy table, writing Parquet, and the
  rest (imports, data, rules, summary).
- **Memory estimate**: :func:`devocare.simulation.montecarlo.required_bytes` for the run against the peak
  measured by the CLI runs, as a ratio (1.0: exact; the target is within 10%).

    python bench/bench_end_to_end.py --baseline-src /tmp/base/src [--atoms lsoa] [--draws 100] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
ARCH = "reform-split-2024"

PHASES = r"""
import json, sys, time
from pathlib import Path
t0 = time.process_time()
from devocare.simulation import engine, montecarlo, results, runner
spent = dict.fromkeys(("engine", "preparation", "waterfall", "table", "parquet"), 0.0)
def timed(name, fn, inner=(), absorb=()):
    # inner: phases timed apart from this one; absorb: phases that count as this one while it runs
    def wrapper(*args, **kwargs):
        before = {k: spent[k] for k in inner + absorb}
        c = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - c - sum(spent[k] - before[k] for k in inner)
            for k in absorb:
                spent[k] = before[k]
    return wrapper
engine.prepared = timed("preparation", engine.prepared)
montecarlo.run_block = timed("engine", montecarlo.run_block, inner=("preparation",))
runner._waterfall = timed("waterfall", runner._waterfall, absorb=("engine", "preparation"))
results.tidy_table = timed("table", results.tidy_table)
results.write_parquet = timed("parquet", results.write_parquet)
atoms, years, draws, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
r = runner.simulate(sys.argv[5], years=years, draws=draws, atoms=atoms, scheduler="process")
r.to_parquet(out)
json.dumps(r.summary)
spent["total"] = time.process_time() - t0
spent["rest"] = spent["total"] - sum(v for k, v in spent.items() if k != "total")
spent["rows"] = len(r.table)
spent["required_bytes"] = montecarlo.required_bytes(draws, years, len(r.atoms), len(r.budgets))
print(json.dumps(spent))
"""


def _child(args: list[str], src: Path) -> tuple[float, int, str]:
    """CPU seconds, peak resident bytes and stdout of a fresh Python process with ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{args[:3]} with {src} failed ({proc.returncode})")
        out.seek(0)
        text = out.read().decode()
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, text


def cli(src: Path, atoms: str, years: int, draws: int, folder: Path) -> dict:
    """One run of the command in a fresh process."""
    out = folder / "x.parquet"
    out.unlink(missing_ok=True)
    cpu, peak, _ = _child(
        [
            "-c",
            "from devocare.cli import main; main()",
            "simulate",
            ARCH,
            "--atoms",
            atoms,
            "--years",
            str(years),
            "--draws",
            str(draws),
            "--scheduler",
            "process",
            "--out",
            str(out),
            "--format",
            "json",
        ],
        src,
    )
    return {"cpu_seconds": cpu, "peak_bytes": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-src", type=Path, help="src folder of the earlier version (omit: no ratio)")
    ap.add_argument("--atoms", default="lsoa")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side (best CPU is reported)")
    args = ap.parse_args()
    out: dict = {
        "command": f"devocare simulate {ARCH} --atoms {args.atoms} --years {args.years} --draws "
        f"{args.draws} --scheduler process --out x.parquet",
        "machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sides = {"this": SRC} | ({"baseline": args.baseline_src} if args.baseline_src else {})
        runs: dict[str, list[dict]] = {k: [] for k in sides}
        for _ in range(args.repeat):
            for name, src in sides.items():
                runs[name].append(cli(src, args.atoms, args.years, args.draws, folder))
        for name, rs in runs.items():
            out[name] = {"cpu_seconds": min(r["cpu_seconds"] for r in rs), "runs": rs}
        if args.baseline_src:
            out["speedup"] = out["baseline"]["cpu_seconds"] / out["this"]["cpu_seconds"]
        _, _, text = _child(
            ["-c", PHASES, args.atoms, str(args.years), str(args.draws), str(folder / "p.parquet"), ARCH], SRC
        )
    phases = json.loads(text.strip().splitlines()[-1])
    required = phases.pop("required_bytes")
    out["split_cpu_seconds"] = phases
    out["engine_share"] = phases["engine"] / phases["total"]
    peak = max(r["peak_bytes"] for r in runs["this"])
    out["memory"] = {"required_bytes": required, "measured_peak_bytes": peak, "estimate_over_peak": required / peak}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
