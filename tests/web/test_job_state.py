"""Job state shared through the database: two job managers with one server id, one database and one job folder
stand for two worker processes of one server; each answers for the other's jobs."""

from __future__ import annotations

import os
import secrets
import threading
import time

import pytest

from devocare.web.jobs import JobManager
from devocare.web.settings import WebSettings
from devocare.web.simulation import SimulationRequest, runner


@pytest.fixture(params=["sqlite", "postgresql"])
def workers(request, tmp_path):
    """Two workers of one server; on SQLite, and on PostgreSQL where ``DEVOCARE_TEST_POSTGRES_URL`` names a
    server (a fresh server id keeps each test's jobs apart in a shared database)."""
    url = f"sqlite:///{tmp_path}/jobs.db"
    if request.param == "postgresql":
        url = os.environ.get("DEVOCARE_TEST_POSTGRES_URL", "")
        if not url:
            pytest.skip("no PostgreSQL server: set DEVOCARE_TEST_POSTGRES_URL")
    settings = WebSettings(
        database_url=url,
        spill_dir=str(tmp_path / "jobs"),
        server_id=f"server-{secrets.token_hex(4)}",
        keep_jobs=2,
        max_jobs_per_client=2,
    )
    return JobManager(settings), JobManager(settings)


def _until(predicate, timeout=30.0):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_a_finished_job_is_read_back_whole_by_another_worker(workers):
    first, second = workers
    req = SimulationRequest(architecture="status-quo-2023", years=2, draws=3, seed=5)
    job = first.submit("c", "simulation", req.model_dump(), runner("status-quo-2023", req), key=req.key(), owner=7)
    job.wait(300)
    assert job.status == "finished", job.error
    seen = second.get(job.id, owner=7)
    assert seen is not job and seen.status == "finished" and (seen.done, seen.total) == (job.done, job.total)
    assert seen.result.summary == pytest.approx(job.result.summary)
    assert seen.result.years == job.result.years and seen.result.atom_level == job.result.atom_level
    for part in ("national", "waterfall"):
        mine, theirs = getattr(job.result, part), getattr(seen.result, part)
        assert list(theirs.columns) == list(mine.columns) and theirs.shape == mine.shape
        assert theirs.select_dtypes("number").to_numpy() == pytest.approx(mine.select_dtypes("number").to_numpy())
    assert len(seen.result.read(measure="spent")) == len(job.result.read(measure="spent")) > 0
    assert second.find(req.key(), owner=7).id == job.id  # a reload through the other worker does not rerun
    with pytest.raises(Exception, match="job"):
        second.get(job.id, owner=8)  # someone else's job is not found on any worker
    assert [j.id for j in second.list(owner=7)] == [job.id]


def test_a_cancel_through_another_worker_stops_the_job_and_the_cap_counts_every_worker(workers):
    first, second = workers
    gate = threading.Event()

    def slow(progress, cancel):
        progress(0, 10)
        while not gate.is_set():
            time.sleep(0.3)
            progress(1, 10)  # reads the cancel flag from the database
        return None

    job = first.submit("c", "simulation", {}, slow)
    other = first.submit("c", "simulation", {}, slow)
    with pytest.raises(Exception) as refused:
        second.submit("c", "simulation", {}, slow)  # the client's two running jobs are on the other worker
    assert getattr(refused.value, "status", None) == 429
    _until(lambda: second.get(job.id).status == "running")
    assert second.cancel(job.id).id == job.id
    job.wait(30)
    assert job.status == "cancelled" and second.get(job.id).status == "cancelled"
    gate.set()
    other.wait(30)


def test_the_kept_job_limit_counts_every_workers_jobs_and_deletes_their_files(workers, tmp_path):
    first, second = workers
    done = []
    for seed, manager in zip(range(4), (first, second, first, second), strict=True):
        req = SimulationRequest(architecture="status-quo-2023", years=1, draws=0, seed=seed)
        job = manager.submit("c", "simulation", req.model_dump(), runner("status-quo-2023", req, waterfall=False))
        job.wait(300)
        assert job.status == "finished", job.error
        done.append(job)
    assert len(list((tmp_path / "jobs").glob("job-*.parquet"))) == 2
    assert len(list((tmp_path / "jobs").glob("job-*.json"))) == 2
    assert {j.id for j in first.list()} == {j.id for j in second.list()} == {done[2].id, done[3].id}
    for old in done[:2]:
        for manager in workers:
            with pytest.raises(Exception, match="job"):
                manager.get(old.id)


def test_a_job_whose_worker_process_died_fails_and_frees_its_clients_place(workers):
    import socket

    first, second = workers
    dead = f"{socket.gethostname()}:{2**22 + 12345}"  # above Linux's largest process id: no such process
    one, two = secrets.token_hex(16), secrets.token_hex(16)
    first.table.insert(one, "c", "simulation", {}, None, None, time.time(), worker=dead)
    first.table.insert(two, "c", "simulation", {}, None, None, time.time(), worker=dead)
    first.table.update(one, status="running")
    job = second.get(one)
    assert job.status == "failed" and "stopped" in job.error
    assert first.get(one).status == "failed"  # recorded for every worker
    gate = threading.Event()
    started = second.submit("c", "simulation", {}, lambda progress, cancel: gate.wait(10))  # both places free
    assert first.get(two).status == "failed"
    gate.set()
    started.wait(10)
    assert started.status == "finished"


def test_listing_and_trimming_read_no_result_files(workers, tmp_path, monkeypatch):
    from devocare.web.results import Spiller

    first, second = workers
    jobs = []
    for seed in range(3):
        req = SimulationRequest(architecture="status-quo-2023", years=1, draws=0, seed=seed)
        job = first.submit("c", "simulation", req.model_dump(), runner("status-quo-2023", req, waterfall=False))
        job.wait(300)
        assert job.status == "finished", job.error
        jobs.append(job)
    loads = []
    real_load = Spiller.load
    monkeypatch.setattr(Spiller, "load", lambda self, name: loads.append(name) or real_load(self, name))
    assert [j.id for j in second.list()] == [jobs[2].id, jobs[1].id] and loads == []
    req = SimulationRequest(architecture="status-quo-2023", years=1, draws=0, seed=9)
    last = second.submit("c", "simulation", req.model_dump(), runner("status-quo-2023", req, waterfall=False))
    last.wait(300)  # its end trims the oldest of the other worker's jobs: files deleted, not read
    assert last.status == "finished", last.error
    assert loads == []
    names = {p.name for p in (tmp_path / "jobs").glob("job-*")}
    assert len(names) == 4 and jobs[1].result.path.name not in names  # two jobs kept, a table and JSON each
    seen = second.get(jobs[2].id)
    assert loads == [] and seen.result.summary == pytest.approx(jobs[2].result.summary)
    assert loads == [jobs[2].result.path.name]  # read once, on first use of the result


def test_a_cancel_flag_is_read_only_within_its_server(workers):
    from devocare.storage.jobs import JobTable

    first, _ = workers
    job_id = secrets.token_hex(16)
    first.table.insert(job_id, "c", "simulation", {}, None, None, time.time())
    first.table.update(job_id, status="running")
    first.table.request_cancel(job_id)
    other_server = JobTable(first.table.store, "another-server")
    assert first.table.cancel_requested(job_id) and not other_server.cancel_requested(job_id)


def test_trimming_deletes_only_files_named_like_a_spilled_result(workers, tmp_path):
    first, _ = workers
    outside = tmp_path / "outside.parquet"
    outside.write_text("not a job's", encoding="utf-8")
    (tmp_path / "jobs" / "outside.parquet").write_text("not a job's either", encoding="utf-8")
    kept = []
    for age, name in ((90, "../outside.parquet"), (80, "outside.parquet"), (20, None), (10, None)):
        job_id = secrets.token_hex(16)
        first.table.insert(job_id, "c", "simulation", {}, None, None, time.time() - age)
        first.table.update(job_id, status="finished", result_file=name, finished=time.time() - age)
        kept.append(job_id)
    first._trim()  # keeps the newest two (keep_jobs=2): the two rows naming other files are dropped
    assert [j.id for j in first.list()] == kept[:1:-1]
    assert outside.exists() and (tmp_path / "jobs" / "outside.parquet").exists()
