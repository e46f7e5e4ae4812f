"""Background jobs for long computations (simulations): a thread each, progress, cancel, per-client caps.

Each job has an owner (None: the local user; a user id on a shared server) and is found only by its owner.
A finished job's result is spilled to Parquet (:mod:`devocare.web.results`) so memory stays bounded however
many finished jobs are kept.

Job state lives in the database (:mod:`devocare.storage.jobs`) and results on disk, so a server with several
worker processes (``devocare serve --workers N``) answers a poll for any job from any worker: the worker that
runs a job keeps it in memory and writes its progress to the database; the others read the row and load the
finished result from the shared job folder."""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.storage.jobs import JobState, JobTable
from devocare.web.problems import ProblemError
from devocare.web.settings import WebSettings

if TYPE_CHECKING:
    from devocare.storage import Store

log = logging.getLogger("devocare.web")

_JOB_ID = re.compile(r"[0-9a-f]{32}")
"""What a job id looks like (``secrets.token_hex(16)``); anything else is unknown without asking the database."""

_RESULT_FILE = re.compile(r"job-[0-9a-f]{32}\.parquet")
"""What a spilled result's table file is called (:class:`devocare.web.results.Spiller`); a row naming anything
else names no file of ours, and nothing is deleted for it."""

WORKER = f"{socket.gethostname()}:{os.getpid()}"
"""This worker process, as recorded on the jobs it runs."""


def _orphaned(worker: str | None) -> bool:
    """Whether the job's worker process (on this machine) has stopped, so nothing will ever finish it.

    Called only for jobs this process does not hold; a job on another machine is assumed alive."""
    if not worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    import psutil

    return not psutil.pid_exists(int(pid))


PROGRESS_EVERY = 0.25
"""Seconds between progress writes to the database (and reads of a cancel asked through another worker)."""

Work = Callable[[Callable[[int, int], None], threading.Event], Any]
"""A job body: called with ``progress(done, total)`` and a cancel event; returns the result."""


class Cancelled(Exception):
    """Raised inside a job body when its cancel event is set."""


@dataclass
class Job:
    """One background computation and what is known about it."""

    id: str
    client: str
    kind: str
    params: dict[str, Any]
    owner: int | None = None
    key: str | None = None
    status: str = "queued"  # queued | running | finished | failed | cancelled
    done: int = 0
    total: int = 0
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)
    _result: Any = field(default=None, repr=False)
    _load: Callable[[], Any] | None = field(default=None, repr=False)
    """Reads the result of a job another worker ran from its files, on first use of :attr:`result`."""

    @property
    def result(self) -> Any:
        """The finished result (None until then). A job run by another worker reads its result from disk
        only here, so listing or polling jobs reads no result files."""
        if self._result is None and self._load is not None:
            self._result = self._load()
            self._load = None
        return self._result

    @result.setter
    def result(self, value: Any) -> None:
        self._result, self._load = value, None

    @property
    def active(self) -> bool:
        """Still queued or running."""
        return self.status in {"queued", "running"}

    def wait(self, timeout: float | None = None) -> None:
        """Block until the job has stopped (finished, failed or cancelled)."""
        self._stopped.wait(timeout)

    def public(self) -> dict[str, Any]:
        """What the API and the progress bar show."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "error": self.error,
            "params": self.params,
            "created": self.created,
            "finished": self.finished,
        }


class JobManager:
    """Runs jobs on threads, caps concurrent jobs per client, keeps recent finished jobs.

    ``store`` gives the database for job state (default: one opened from ``settings.database_url``);
    ``settings.server_id`` scopes the jobs to one server, shared by all of its worker processes."""

    def __init__(self, settings: WebSettings, store: Callable[[], Store] | None = None) -> None:
        from devocare.web.results import Spiller

        self.settings = settings
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._spiller = Spiller(settings.spill_dir)
        self._store = store
        self._table: JobTable | None = None

    @property
    def table(self) -> JobTable:
        """The jobs table (the database is opened on first use)."""
        if self._table is None:
            with self._lock:
                if self._table is None:
                    if self._store is not None:
                        store = self._store()
                    else:
                        from devocare.storage import Store

                        store = Store(self.settings.database_url)
                    self._table = JobTable(store, self.settings.server_id)
        return self._table

    def submit(
        self,
        client: str,
        kind: str,
        params: dict[str, Any],
        work: Work,
        key: str | None = None,
        owner: int | None = None,
    ) -> Job:
        """Start ``work`` on a thread; 429 if this client already runs the maximum number of jobs.

        With ``key`` (a hash of a deterministic request), a queued, running or finished job with the same key
        is returned instead of starting another: reloading a shared URL does not recompute.
        """
        table = self.table
        with self._lock:
            if key is not None:
                found = self.find(key, owner)
                if found is not None:
                    return found
            job = Job(id=secrets.token_hex(16), client=client, kind=kind, params=params, key=key, owner=owner)
            limit = self.settings.max_jobs_per_client
            for state in table.active_of(client):
                self._job(state)  # a job whose worker process died is marked failed and no longer counts
            running = table.insert(
                job.id, client, kind, params, owner, key, job.created, max_active=limit, worker=WORKER
            )
            if running >= limit:
                raise ProblemError(
                    429,
                    f"{running} jobs already running for this client; the limit is "
                    f"{limit}. Wait for one to finish or cancel it.",
                )
            self._jobs[job.id] = job
            self._trim()
        threading.Thread(target=self._run, args=(job, work), daemon=True, name=f"job-{job.id}").start()
        return job

    def _trim(self) -> None:
        """Forget (and delete the files of) all but the newest ``keep_jobs`` stopped jobs, here and in the
        database (whichever worker ran them)."""
        finished = [k for k, j in self._jobs.items() if not j.active]
        for key in finished[: max(0, len(finished) - self.settings.keep_jobs)]:
            dropped = self._jobs.pop(key)
            if hasattr(dropped._result, "discard"):
                dropped._result.discard()
        for state in self.table.trim(self.settings.keep_jobs):
            self._jobs.pop(state.id, None)
            if state.result_file:
                self._delete_result(state.result_file)

    def _delete_result(self, name: str) -> None:
        """Delete a dropped job's table file and its JSON parts by name, without reading them."""
        if not _RESULT_FILE.fullmatch(name):
            log.warning("job row names a result file %r that is not a spilled result; nothing deleted", name)
            return
        path = self._spiller.folder / name
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)

    def find(self, key: str, owner: int | None = None) -> Job | None:
        """The newest queued, running or finished job of ``owner`` with this request key (no new job)."""
        state = self.table.find(key, owner)
        return None if state is None else self._job(state)

    def _run(self, job: Job, work: Work) -> None:
        table = self.table
        last = [0.0]

        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY or done >= total:
                last[0] = now
                table.update(job.id, done=job.done, total=job.total)
                if table.cancel_requested(job.id):  # asked through another worker
                    job.cancel.set()
            if job.cancel.is_set():
                raise Cancelled

        job.status = "running"
        table.update(job.id, status="running")
        result_file = None
        try:
            result = work(progress, job.cancel)
            if job.cancel.is_set():
                job.status = "cancelled"
            else:
                job.result = self._spiller.spill(result)
                result_file = job.result.path.name if hasattr(job.result, "parts") else None
                job.status = "finished"
        except Exception as exc:
            if job.cancel.is_set() or isinstance(exc, Cancelled):
                job.status = "cancelled"
            elif isinstance(exc, DevocareError):
                job.status, job.error = "failed", str(exc)
            else:  # a bug in the computation: logged with its traceback, the job says only that it failed
                job.status, job.error = "failed", f"{type(exc).__name__}: the computation failed"
                log.exception("job %s failed", job.id)
        finally:
            job.finished = time.time()
            try:
                table.update(
                    job.id,
                    status=job.status,
                    done=job.done,
                    total=job.total,
                    error=job.error,
                    result_file=result_file,
                    finished=job.finished,
                )
                with self._lock:
                    self._trim()  # the finished job counts now: drop (and delete the files of) the oldest
            except Exception:  # the database went away: this worker still answers for the job
                log.exception("job %s: could not record its end", job.id)
            job._stopped.set()

    def _job(self, state: JobState) -> Job:
        """The job for a database row: this worker's own (in memory) or one run by another worker."""
        local = self._jobs.get(state.id)
        if local is not None:
            return local
        if state.status in {"queued", "running"} and _orphaned(state.worker):
            error = "the server process running this job stopped; run it again"
            self.table.update(state.id, status="failed", error=error, finished=time.time())
            state = replace(state, status="failed", error=error)
        job = Job(**state.poll_fields())
        if state.status == "finished" and state.result_file:
            name = state.result_file
            job._load = lambda: self._spiller.load(name)
        if not job.active:
            job._stopped.set()
        return job

    def get(self, job_id: str, owner: int | None = None) -> Job:
        """A job of ``owner`` by id (404 problem if unknown, expired or someone else's)."""
        job = self._jobs.get(job_id)
        if job is not None and not job.active and self.table.get(job_id) is None:
            self._jobs.pop(job_id, None)  # dropped (with its files) by another worker's trim
            job = None
        if job is None:
            state = self.table.get(job_id) if _JOB_ID.fullmatch(job_id) else None
            job = self._job(state) if state is not None else None
        if job is None or job.owner != owner:
            raise UnknownChoiceError("job", job_id[:40], [])
        return job

    def cancel(self, job_id: str, owner: int | None = None) -> Job:
        """Ask a job to stop at its next progress report (through the database if another worker runs it)."""
        job = self.get(job_id, owner)
        if job.active:
            self.table.request_cancel(job_id)
        job.cancel.set()
        if job.status == "queued":
            job.status = "cancelled"
        return job

    def list(self, owner: int | None = None) -> list[Job]:
        """The jobs of ``owner``, newest first (run by any worker)."""
        return [self._job(state) for state in self.table.of_owner(owner)]
