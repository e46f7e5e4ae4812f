"""Background jobs for long computations (simulations): a thread each, progress, cancel, per-client caps.

Each job has an owner (None: the local user; a user id on a shared server) and is found only by its owner.
A finished job's result is spilled to Parquet (:mod:`devocare.web.results`) so memory stays bounded however
many finished jobs are kept."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.web.problems import ProblemError
from devocare.web.settings import WebSettings

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
    result: Any = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def active(self) -> bool:
        """Still queued or running."""
        return self.status in {"queued", "running"}

    def wait(self, timeout: float | None = None) -> None:
        """Block until the job has stopped (finished, failed or cancelled)."""
        self._stopped.wait(timeout)

    def public(self) -> dict[str, Any]:
        """What the API and the progress bar show."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "done": self.done, "total": self.total,
                "error": self.error, "params": self.params, "created": self.created, "finished": self.finished}


class JobManager:
    """Runs jobs on threads, caps concurrent jobs per client, keeps recent finished jobs."""

    def __init__(self, settings: WebSettings) -> None:
        from devocare.web.results import Spiller

        self.settings = settings
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._spiller = Spiller(settings.spill_dir)

    def submit(self, client: str, kind: str, params: dict[str, Any], work: Work, key: str | None = None,
               owner: int | None = None) -> Job:
        """Start ``work`` on a thread; 429 if this client already runs the maximum number of jobs.

        With ``key`` (a hash of a deterministic request), a queued, running or finished job with the same key
        is returned instead of starting another: reloading a shared URL does not recompute.
        """
        with self._lock:
            if key is not None:
                found = self.find(key, owner)
                if found is not None:
                    return found
            running = sum(1 for j in self._jobs.values() if j.client == client and j.active)
            if running >= self.settings.max_jobs_per_client:
                raise ProblemError(429, f"{running} jobs already running for this client; the limit is "
                                        f"{self.settings.max_jobs_per_client}. Wait for one to finish or cancel it.")
            job = Job(id=secrets.token_hex(16), client=client, kind=kind, params=params, key=key, owner=owner)
            self._jobs[job.id] = job
            self._trim()
        threading.Thread(target=self._run, args=(job, work), daemon=True, name=f"job-{job.id}").start()
        return job

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if not j.active]
        for key in finished[: max(0, len(finished) - self.settings.keep_jobs)]:
            dropped = self._jobs.pop(key)
            if hasattr(dropped.result, "discard"):
                dropped.result.discard()

    def find(self, key: str, owner: int | None = None) -> Job | None:
        """The newest queued, running or finished job of ``owner`` with this request key (no new job)."""
        for job in reversed(self._jobs.values()):
            if job.key == key and job.owner == owner and job.status in {"queued", "running", "finished"}:
                return job
        return None

    def _run(self, job: Job, work: Work) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)
            if job.cancel.is_set():
                raise Cancelled

        job.status = "running"
        try:
            result = work(progress, job.cancel)
            if job.cancel.is_set():
                job.status = "cancelled"
            else:
                job.result, job.status = self._spiller.spill(result), "finished"
        except Exception as exc:
            if job.cancel.is_set() or isinstance(exc, Cancelled):
                job.status = "cancelled"
            elif isinstance(exc, DevocareError):
                job.status, job.error = "failed", str(exc)
            else:  # a bug in the computation: logged with its traceback, the job says only that it failed
                job.status, job.error = "failed", f"{type(exc).__name__}: the computation failed"
                import logging

                logging.getLogger("devocare.web").exception("job %s failed", job.id)
        finally:
            job.finished = time.time()
            with self._lock:
                self._trim()  # the finished job counts now: drop (and delete the files of) the oldest
            job._stopped.set()

    def get(self, job_id: str, owner: int | None = None) -> Job:
        """A job of ``owner`` by id (404 problem if unknown, expired or someone else's)."""
        job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise UnknownChoiceError("job", job_id[:40], [])
        return job

    def cancel(self, job_id: str, owner: int | None = None) -> Job:
        """Ask a job to stop at its next progress report."""
        job = self.get(job_id, owner)
        job.cancel.set()
        if job.status == "queued":
            job.status = "cancelled"
        return job

    def list(self, owner: int | None = None) -> list[Job]:
        """The jobs of ``owner``, newest first."""
        return [j for j in reversed(self._jobs.values()) if j.owner == owner]
