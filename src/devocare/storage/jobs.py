"""Web server jobs in the database, so that every worker process of one server answers every poll.

A job's row holds what a poll shows (status, progress, error, owner) and the name of its finished result
on disk; the worker running the job writes it, any worker reads it. A cancel asked of another worker is a
flag on the row, which the running worker reads at its next progress report. Rows are scoped to a server
id (shared by one ``devocare serve``'s workers): a restarted server does not see the jobs of the last one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import delete, func, select, update

from devocare.storage.models import JobRow
from devocare.storage.store import Store

ACTIVE = ("queued", "running")
STALE_SECONDS = 7 * 24 * 3600
"""Rows of other (stopped) servers older than this are deleted when a server starts using the table."""


@dataclass(frozen=True)
class JobState:
    """One job's row, as read."""

    id: str
    client: str
    kind: str
    params: dict[str, Any]
    owner: int | None
    key: str | None
    status: str
    done: int
    total: int
    error: str | None
    cancel_requested: bool
    result_file: str | None
    created: float
    finished: float | None
    worker: str | None = None

    def poll_fields(self) -> dict[str, Any]:
        """What a poll shows, by name: a worker builds its in-memory job of another worker's row from these."""
        return {name: getattr(self, name) for name in POLL_FIELDS}


#: The fields of :class:`JobState` a poll shows (a web worker's in-memory job has the same names).
POLL_FIELDS = (
    "id",
    "client",
    "kind",
    "params",
    "owner",
    "key",
    "status",
    "done",
    "total",
    "error",
    "created",
    "finished",
)
#: Columns of :class:`JobRow` whose name differs from the :class:`JobState` field they fill.
_COLUMNS = {"owner": "owner_id"}


def _state(row: JobRow) -> JobState:
    values = {f.name: getattr(row, _COLUMNS.get(f.name, f.name)) for f in fields(JobState)}
    return JobState(**{**values, "params": dict(row.params or {}), "cancel_requested": bool(row.cancel_requested)})


def _owned(owner: int | None) -> Any:
    return JobRow.owner_id.is_(None) if owner is None else JobRow.owner_id == owner


class JobTable:
    """The jobs of one server (``server``) in a store's database."""

    def __init__(self, store: Store, server: str) -> None:
        self.store = store
        self.server = server
        with store._transaction() as session:
            session.execute(delete(JobRow).where(JobRow.server != server, JobRow.created < time.time() - STALE_SECONDS))

    def insert(
        self,
        job_id: str,
        client: str,
        kind: str,
        params: dict[str, Any],
        owner: int | None,
        key: str | None,
        created: float,
        max_active: int | None = None,
        worker: str | None = None,
    ) -> int:
        """Add a queued job unless ``client`` already has ``max_active`` active jobs; return that count
        (the job was added only if it is below ``max_active``)."""
        with self.store._transaction() as session:
            active = int(
                session.scalar(
                    select(func.count())
                    .select_from(JobRow)
                    .where(JobRow.server == self.server, JobRow.client == client, JobRow.status.in_(ACTIVE))
                )
                or 0
            )
            if max_active is None or active < max_active:
                session.add(
                    JobRow(
                        id=job_id,
                        server=self.server,
                        client=client,
                        kind=kind,
                        params=params,
                        owner_id=owner,
                        key=key,
                        status="queued",
                        done=0,
                        total=0,
                        cancel_requested=False,
                        created=created,
                        worker=worker,
                    )
                )
            return active

    def update(self, job_id: str, **values: Any) -> None:
        """Set columns of a job (status, done, total, error, result_file, finished)."""
        with self.store._transaction() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.server == self.server).values(**values))

    def request_cancel(self, job_id: str) -> None:
        """Flag a job for cancelling; a queued job is cancelled at once."""
        with self.store._transaction() as session:
            session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.server == self.server).values(cancel_requested=True)
            )
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.server == self.server, JobRow.status == "queued")
                .values(status="cancelled", finished=time.time())
            )

    def active_of(self, client: str) -> list[JobState]:
        """The client's queued and running jobs."""
        query = select(JobRow).where(JobRow.server == self.server, JobRow.client == client, JobRow.status.in_(ACTIVE))
        with self.store._sessions() as session:
            return [_state(r) for r in session.scalars(query)]

    def get(self, job_id: str) -> JobState | None:
        """A job of this server by id (None if unknown)."""
        with self.store._sessions() as session:
            row = session.get(JobRow, job_id)
            return _state(row) if row is not None and row.server == self.server else None

    def cancel_requested(self, job_id: str) -> bool:
        """Whether someone asked (through any worker) for this job to stop."""
        with self.store._sessions() as session:
            return bool(
                session.scalar(select(JobRow.cancel_requested).where(JobRow.id == job_id, JobRow.server == self.server))
            )

    def find(self, key: str, owner: int | None) -> JobState | None:
        """The newest queued, running or finished job of ``owner`` with this request key."""
        query = (
            select(JobRow)
            .where(
                JobRow.server == self.server, JobRow.key == key, _owned(owner), JobRow.status.in_((*ACTIVE, "finished"))
            )
            .order_by(JobRow.created.desc())
            .limit(1)
        )
        with self.store._sessions() as session:
            row = session.scalars(query).first()
            return _state(row) if row is not None else None

    def of_owner(self, owner: int | None) -> list[JobState]:
        """The jobs of ``owner``, newest first."""
        query = select(JobRow).where(JobRow.server == self.server, _owned(owner)).order_by(JobRow.created.desc())
        with self.store._sessions() as session:
            return [_state(r) for r in session.scalars(query)]

    def trim(self, keep: int) -> list[JobState]:
        """Delete all but the newest ``keep`` stopped jobs; return the deleted ones (to delete their files)."""
        query = (
            select(JobRow)
            .where(JobRow.server == self.server, JobRow.status.not_in(ACTIVE))
            .order_by(JobRow.finished.desc(), JobRow.created.desc())
            .offset(keep)
        )
        with self.store._transaction() as session:
            rows = list(session.scalars(query))
            for row in rows:
                session.delete(row)
            return [_state(r) for r in rows]
