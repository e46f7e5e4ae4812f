"""Tables of saved work: architectures (YAML text), scenarios (JSON payload) and runs (summary, run record,
and the path of the run's result table in Parquet).

The migrations in ``devocare/storage/migrations`` create these tables; the models here must match them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the saved-work tables."""


class ArchitectureRow(Base):
    """A saved architecture: the user's YAML exactly as written, with its SHA-256 for run records."""

    __tablename__ = "architectures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    yaml_text: Mapped[str] = mapped_column(Text, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ScenarioRow(Base):
    """A saved scenario: a JSON object of parameter overrides and choices (architecture, years, draws...)."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class RunRow(Base):
    """A saved simulation run: its summary and run record in the database, its result table as Parquet."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    run_record: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    table_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    table_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
