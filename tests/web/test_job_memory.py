"""A long-running server's memory: finished jobs keep their result tables on disk (Parquet), not in memory, so
each kept job costs kilobytes; dropped jobs' files are deleted; table pages are read from disk, filtered."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from devocare.web.jobs import JobManager
from devocare.web.settings import WebSettings
from devocare.web.simulation import SimulationRequest, runner

pytestmark = pytest.mark.integration

BUDGET_PER_JOB = 1_000_000
"""Bytes a finished LAD job (5 years, 20 draws) may keep in memory; its arrays and table are ~10 MB."""


def _run(jobs: JobManager, seed: int):
    req = SimulationRequest(architecture="status-quo-2023", years=5, draws=20, seed=seed)
    job = jobs.submit("test", "simulation", req.model_dump(), runner("status-quo-2023", req), key=req.key())
    job.wait(300)
    assert job.status == "finished", job.error
    return job


def _kept_per_job(spill_dir: str) -> tuple[float, int]:
    """Run in a fresh interpreter (so caches other tests filled, or clear, do not count): bytes kept per
    finished job after a warm-up run, and the warm-up table's size in memory."""
    jobs = JobManager(WebSettings(keep_jobs=50, spill_dir=spill_dir, database_url="sqlite://"))
    warm = _run(jobs, seed=0)  # loads the data and fills the caches that every later run shares
    full = warm.result.read()
    in_memory_before = int(full.memory_usage(deep=True).sum())
    assert len(full) > 100_000 and in_memory_before > 5_000_000
    del full
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for seed in range(1, 5):
            _run(jobs, seed)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    return kept / 4, in_memory_before


def test_finished_jobs_keep_their_tables_on_disk_within_a_memory_budget(tmp_path):
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import test_job_memory as t; "
        "print(json.dumps(t._kept_per_job(sys.argv[2])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    per_job, in_memory_before = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"memory kept per finished job: {per_job / 1e3:.0f} kB (table alone in memory: {in_memory_before / 1e6:.1f} MB)"
    )
    assert per_job < BUDGET_PER_JOB, f"{per_job:,.0f} bytes kept per job"
    assert len(list(tmp_path.glob("job-*.parquet"))) == 5


def test_dropped_jobs_delete_their_files_and_tables_read_back_filtered(tmp_path):
    jobs = JobManager(WebSettings(keep_jobs=2, spill_dir=str(tmp_path), database_url="sqlite://"))
    finished = [_run(jobs, seed) for seed in (11, 12, 13, 14)]
    assert len(list(tmp_path.glob("job-*.parquet"))) == 2  # the two oldest were dropped with their files
    result = finished[-1].result
    horizon = result.years[-1]
    part = result.read(measure="spent", year=horizon)
    assert len(part) > 0 and set(part["measure"].astype(str)) == {"spent"}
    assert set(part["year"].astype(str)) == {horizon}
    assert len(part) < result.rows / 10
