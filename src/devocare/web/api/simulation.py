"""Simulation API: parameters, background jobs (start, progress, cancel, results, save) and a synchronous
run for small deterministic requests."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.api.common import Pagination, pagination
from devocare.web.auth import client_key, owner
from devocare.web.frames import jsonable
from devocare.web.jobs import Job
from devocare.web.problems import ProblemError
from devocare.web.simulation import (
    SimulationRequest,
    SummaryCache,
    check_limits,
    resolve_architecture,
    runner,
)

router = APIRouter(tags=["simulation"])
_summaries = SummaryCache()


def _job_view(job: Job) -> dict[str, Any]:
    out = job.public()
    out["links"] = {
        "self": f"/api/v1/simulations/{job.id}",
        "table": f"/api/v1/simulations/{job.id}/table",
        "national": f"/api/v1/simulations/{job.id}/national",
        "page": f"/simulate/jobs/{job.id}",
    }
    if job.status == "finished" and hasattr(job.result, "summary"):
        out["summary"] = jsonable(job.result.summary)
    return out


@router.get("/simulation/parameters", summary="The simulator's parameters")
def parameters() -> list[dict[str, Any]]:
    """Every parameter with its default value, unit, distribution and source (or assumption label)."""
    from devocare.simulation import parameters as table

    out: list[dict[str, Any]] = jsonable(table())
    return out


@router.post("/simulations", status_code=202, summary="Start a simulation job")
def start(request: Request, body: SimulationRequest) -> dict[str, Any]:
    """Start a background run; poll ``links.self`` for progress; DELETE it to cancel. Job size and the number
    of jobs per client are limited (422 and 429)."""
    owner(request)
    check_limits(body, request.app.state.settings)
    arch = resolve_architecture(request, body.architecture)
    job = request.app.state.jobs.submit(
        client_key(request), "simulation", body.model_dump(), runner(arch, body), owner=owner(request)
    )
    return _job_view(job)


@router.get("/simulations", summary="Your simulation jobs")
def list_jobs(request: Request) -> list[dict[str, Any]]:
    """Your jobs, newest first."""
    return [j.public() for j in request.app.state.jobs.list(owner(request))]


@router.get("/simulations/{job_id}", summary="A job's progress and, when finished, its summary")
def status(request: Request, job_id: str) -> dict[str, Any]:
    """Status, progress (done of total blocks) and the summary once finished."""
    return _job_view(request.app.state.jobs.get(job_id, owner(request)))


@router.delete("/simulations/{job_id}", summary="Cancel a job")
def cancel(request: Request, job_id: str) -> dict[str, Any]:
    """Ask the job to stop after its current block of draws."""
    return _job_view(request.app.state.jobs.cancel(job_id, owner(request)))


def _finished(request: Request, job_id: str) -> Any:
    job = request.app.state.jobs.get(job_id, owner(request))
    if job.status != "finished":
        raise ProblemError(409, f"job {job_id} is {job.status}; results exist only for finished jobs")
    if job.result is None:  # finished without a table to share between workers
        raise ProblemError(409, f"job {job_id} has no result table")
    return job.result


@router.get("/simulations/{job_id}/table", summary="A finished job's tidy result table")
def table(
    request: Request,
    job_id: str,
    measure: str | None = Query(None, max_length=40),
    year: str | None = Query(None, max_length=7),
    pages: Pagination = Depends(pagination),
) -> dict[str, Any]:
    """Rows of (architecture, draw or statistic, year, body, atom, line, measure, value), filtered, paginated."""
    result = _finished(request, job_id)
    if hasattr(result, "read"):  # spilled to Parquet: read only the rows asked for
        return pages.apply(result.read(measure=measure, year=year), request)
    frame = result.table
    if measure is not None:
        frame = frame[frame["measure"] == measure]
    if year is not None:
        frame = frame[frame["year"] == year]
    return pages.apply(frame, request)


@router.get("/simulations/{job_id}/national", summary="Every draw's national series")
def national(request: Request, job_id: str, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """draw, year, spent, acute and upstream spend, admissions, interventions, deficit support."""
    return pages.apply(_finished(request, job_id).draws_table(), request)


class SaveRun(BaseModel):
    """Name under which to save a finished run."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)


@router.post("/simulations/{job_id}/save", status_code=201, summary="Save a finished run")
def save(request: Request, job_id: str, body: SaveRun) -> dict[str, Any]:
    """Save summary, run record and result table to the store (see /api/v1/saved/runs)."""
    from devocare.web.store import get_store

    result = _finished(request, job_id)
    item_id = get_store(request).save_run(
        body.name,
        jsonable(result.summary),
        jsonable(result.run_record),
        pd.DataFrame(result.table),
        owner=owner(request),
    )
    return {"id": item_id, "url": f"/saved/runs/{item_id}"}


@router.post("/simulate", summary="Run a small simulation and wait for its summary")
def simulate_now(request: Request, response: Response, body: SimulationRequest) -> dict[str, Any]:
    """Synchronous run (no waterfall) for requests within the job limits; deterministic requests are answered
    from a cache of earlier identical runs (``x-devocare-cache: hit``)."""
    settings = request.app.state.settings
    owner(request)  # on a shared server, only signed-in users run simulations
    check_limits(body, settings)
    key = body.key()
    cached = _summaries.get(key) if not body.architecture.startswith("saved:") else None
    if cached is not None:
        response.headers["x-devocare-cache"] = "hit"
        return cached
    arch = resolve_architecture(request, body.architecture)
    job = request.app.state.jobs.submit(
        client_key(request), "simulation", body.model_dump(), runner(arch, body, waterfall=False), owner=owner(request)
    )
    job.wait()
    if job.status != "finished":
        raise ProblemError(400 if job.status == "failed" else 409, job.error or f"run {job.status}")
    out = {"summary": jsonable(job.result.summary), "run_record": jsonable(job.result.run_record)}
    if not body.architecture.startswith("saved:"):
        _summaries.put(key, out)
    response.headers["x-devocare-cache"] = "miss"
    return out
