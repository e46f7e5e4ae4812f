"""Tables of saved work: architectures (YAML text), scenarios (JSON payload) and runs (summary, run record,
and the path of the run's result table in Parquet); users (API tokens, hashed) and browser sessions.

Every saved item has an owner (``owner_id``; NULL for the single local user) and may have a share token
(an unguessable read-only link). Ids are never reused (``AUTOINCREMENT`` on SQLite, sequences on PostgreSQL).

The migrations in ``devocare/storage/migrations`` create these tables; the models here must match them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the saved-work tables."""


class Owned:
    """Columns every saved item has: its owner and its read-only share token."""

    __table_args__ = {"sqlite_autoincrement": True}
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    share_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True, index=True)


class UserRow(Base):
    """A user of a shared server: a name and the scrypt hash of their API token (never the token)."""

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    token_id: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    token_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SessionRow(Base):
    """A browser session: the SHA-256 of the cookie's random value, its user and when it expires."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ArchitectureRow(Owned, Base):
    """A saved architecture: the user's YAML exactly as written, with its SHA-256 for run records."""

    __tablename__ = "architectures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ScenarioRow(Owned, Base):
    """A saved scenario: a JSON object of parameter overrides and choices (architecture, years, draws...)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RunRow(Owned, Base):
    """A saved simulation run: its summary and run record in the database, its result table as Parquet."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    run_record: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    table_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    table_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class JobRow(Base):
    """A web server's background job: what every worker process needs to answer a poll for it.

    The worker that runs a job writes its status and progress here; the finished result lives on disk
    (``result_file`` in the server's job folder), so any worker can serve it. ``server`` is the id of the
    server (all of its workers) that started the job; a server sees only its own jobs."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    server: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    client: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    result_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(300), nullable=True)
    """``host:pid`` of the worker process running the job (to tell a job whose worker died)."""
    created: Mapped[float] = mapped_column(Float, nullable=False)
    finished: Mapped[float | None] = mapped_column(Float, nullable=True)
