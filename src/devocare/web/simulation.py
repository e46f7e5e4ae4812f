"""Simulation requests from the web: one validated request model for the API and the Simulate page,
limits on job size, and the job body that calls ``devocare.simulation.simulate``."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.problems import ProblemError
from devocare.web.settings import WebSettings
from devocare.web.store import load_saved_architecture

ATOM_COUNTS = {"lad": 296, "lsoa": 33_755}
"""Atoms per atom level (England's 2024 LADs and 2021 LSOAs), for the job-size limit."""


class SimulationRequest(BaseModel):
    """What to simulate: an architecture (built-in id or ``saved:<id>``), horizon, draws, seed, overrides.

    Strict types for JSON (``true`` is not a seed); the Simulate page's form text is validated with
    ``strict=False``."""

    model_config = ConfigDict(extra="forbid", strict=True)
    architecture: str = Field(
        "status-quo-2023",
        max_length=120,
        description="Built-in architecture id, or saved:<id> for a saved architecture.",
    )
    years: int = Field(10, ge=1, le=30, description="Horizon in years from the base year.")
    draws: int = Field(0, ge=0, le=100_000, description="Monte Carlo draws (0: central values only).")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    atoms: Literal["lad", "lsoa"] = "lad"
    overrides: dict[str, str | float | int | list[float]] = Field(
        default_factory=dict, max_length=100, description="Parameter path → value in the parameter's unit."
    )

    def key(self) -> str:
        """Stable hash of the request: identical requests give identical (deterministic) results."""
        return hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True, default=str).encode()).hexdigest()[:20]


def check_limits(req: SimulationRequest, settings: WebSettings) -> None:
    """Refuse jobs over the configured size: (draws + 1) × atoms × years, draws and years separately."""
    if req.draws > settings.max_draws:
        raise ProblemError(422, f"draws {req.draws} is over this server's limit of {settings.max_draws}")
    if req.years > settings.max_years:
        raise ProblemError(422, f"years {req.years} is over this server's limit of {settings.max_years}")
    cells = (req.draws + 1) * ATOM_COUNTS[req.atoms] * req.years
    if cells > settings.max_job_cells:
        raise ProblemError(
            422,
            f"this job is (draws + 1) × atoms × years = {cells:,} cells; this server allows "
            f"{settings.max_job_cells:,}. Use fewer draws, fewer years or LAD atoms.",
        )


def resolve_architecture(request: Request, ref: str) -> Any:
    """A built-in id as is, or ``saved:<id>`` loaded from the store and validated."""
    if ref.startswith("saved:"):
        return load_saved_architecture(request, ref)
    from devocare.architecture import builtin_ids

    if ref not in builtin_ids():
        from devocare.errors import UnknownChoiceError

        raise ProblemError(422, str(UnknownChoiceError("architecture", ref, builtin_ids())))
    return ref


def runner(
    arch: Any, req: SimulationRequest, waterfall: bool = True
) -> Callable[[Callable[[int, int], None], threading.Event], Any]:
    """The job body: simulate with progress and cancel wired to the job."""
    from devocare.simulation import simulate

    def work(progress: Callable[[int, int], None], cancel: threading.Event) -> Any:
        return simulate(
            arch,
            years=req.years,
            draws=req.draws,
            seed=req.seed,
            atoms=req.atoms,
            overrides=dict(req.overrides) or None,
            progress=progress,
            cancel=cancel,
            waterfall=waterfall,
        )

    return work


class SummaryCache:
    """Summaries of deterministic runs by request key (a run is a pure function of its request and data)."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: str) -> dict[str, Any] | None:
        """A cached answer, refreshed as most recently used."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Remember an answer, dropping the least recently used beyond ``size``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def client_id(request: Request) -> str:
    """Who is asking, for the per-client job cap (see :func:`devocare.web.auth.client_key`)."""
    from devocare.web.auth import client_key

    return client_key(request)
