"""Limits that keep one client from exhausting the server: body sizes, page sizes and simulation job sizes."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.strip().isdigit() else default


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else default


@dataclass(frozen=True)
class WebSettings:
    """Server limits; each can be set by an environment variable of the same name in capitals with a
    ``DEVOCARE_`` prefix (e.g. ``DEVOCARE_MAX_BODY_BYTES``)."""

    max_body_bytes: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_BODY_BYTES", 1_000_000))
    """Largest request body accepted (413 beyond it): JSON bodies and uploaded architecture files."""
    max_page_size: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_PAGE_SIZE", 1000))
    """Largest page of rows one API response returns."""
    max_job_cells: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_JOB_CELLS", 2_000_000))
    """Largest simulation a job may ask for, counted as (draws + 1) × atoms × years."""
    max_jobs_per_client: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_JOBS_PER_CLIENT", 2))
    """Simulation jobs one client (by address) may have running at once (429 beyond it)."""
    max_draws: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_DRAWS", 1000))
    """Most Monte Carlo draws one job may ask for."""
    max_years: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_YEARS", 30))
    """Longest simulation horizon in years."""
    keep_jobs: int = field(default_factory=lambda: _env_int("DEVOCARE_KEEP_JOBS", 50))
    """Finished jobs kept in memory for their result pages (oldest dropped first)."""
    warm: bool = field(default_factory=lambda: os.environ.get("DEVOCARE_WARM", "0") == "1")
    """Compute the slow, unchanging results (built-in metrics, simulation inputs, area lists) in a background
    thread at start-up, so the first visitor does not wait for them (``devocare serve`` turns this on)."""
    database_url: str | None = field(
        default_factory=lambda: os.environ.get("DEVOCARE_DATABASE_URL") or os.environ.get("DATABASE_URL")
    )
    """Where saved work and job state go (``devocare.storage.Store``); None: ``devocare.db`` in the per-user
    data folder (see :func:`devocare.storage.store.resolve_url`)."""
    auth: str = field(default_factory=lambda: os.environ.get("DEVOCARE_AUTH", "none"))
    """``none``: one local user, no sign-in (the default). ``tokens``: a shared server; every saved item and
    job belongs to the user whose API token (``devocare users add``) or browser session made it."""
    allowed_hosts: tuple[str, ...] = field(default_factory=lambda: _env_list("DEVOCARE_ALLOWED_HOSTS", ("*",)))
    """Host names the server answers to (400 otherwise), against DNS rebinding; ``*``: any.
    ``devocare serve`` on a loopback address allows only localhost, 127.0.0.1 and ::1."""
    max_json_depth: int = field(default_factory=lambda: _env_int("DEVOCARE_MAX_JSON_DEPTH", 32))
    """Deepest nesting of arrays and objects accepted in a JSON body (400 beyond it)."""
    spill_dir: str | None = field(default_factory=lambda: os.environ.get("DEVOCARE_SPILL_DIR"))
    """Where finished jobs' result tables are written as Parquet (None: a temporary folder per server).
    ``devocare serve`` sets one folder for all of its worker processes."""
    server_id: str = field(default_factory=lambda: os.environ.get("DEVOCARE_SERVER_ID") or secrets.token_hex(8))
    """The server's jobs in the database are those with this id; ``devocare serve`` gives all of its worker
    processes the same one (default: a new id per app, so its jobs are its own)."""

    def __post_init__(self) -> None:
        if self.auth not in {"none", "tokens"}:
            from devocare.errors import DevocareError

            raise DevocareError(f"auth must be 'none' or 'tokens', got {self.auth!r}")
