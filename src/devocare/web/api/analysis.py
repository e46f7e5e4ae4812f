"""Analysis API: paired comparison of reforms against a baseline, and a budget holder's view of one body.

Both run synchronously within the server's job limits (each architecture counts as one job's cells)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.frames import jsonable
from devocare.web.problems import ProblemError
from devocare.web.simulation import SimulationRequest, check_limits, resolve_architecture

router = APIRouter(tags=["analysis"])
MAX_REFORMS = 4


class PairedRequest(BaseModel):
    """A baseline and up to four architectures, run with the same seed (common random numbers)."""

    model_config = ConfigDict(extra="forbid")
    baseline: str = Field("status-quo-2023", max_length=120, description="Architecture the others are compared to.")
    architectures: list[str] = Field(
        min_length=1, max_length=MAX_REFORMS, description="Architectures to compare with the baseline (1 to 4)."
    )
    years: int = Field(5, ge=1, le=30)
    draws: int = Field(50, ge=0, le=100_000)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    overrides: dict[str, str | float | int | list[float]] = Field(default_factory=dict, max_length=100)
    areas: bool = Field(False, description="Include per-area differences (central and mean of draws).")
    attribute: bool = Field(
        default=False,
        description="Include the exact attribution of each difference to the mechanism groups (one run per "
        "combination of the groups; the job size counts every run).",
    )


def run_paired(request: Request, req: PairedRequest) -> tuple[list[Any], str]:
    """Run the baseline and each architecture with the same options; refuse jobs over the limits."""
    from devocare.simulation import simulate

    names = [req.baseline, *[a for a in req.architectures if a != req.baseline]]
    if len(names) < 2:
        raise ProblemError(422, "choose at least one architecture other than the baseline")
    settings = request.app.state.settings
    one = SimulationRequest(
        architecture=req.baseline, years=req.years, draws=req.draws, seed=req.seed, overrides=req.overrides
    )
    check_limits(one, settings)
    cells = (req.draws + 1) * 296 * req.years * len(names)
    if cells > settings.max_job_cells:
        raise ProblemError(
            422,
            f"this comparison is (draws + 1) × areas × years × architectures = {cells:,} cells; "
            f"this server allows {settings.max_job_cells:,}. Use fewer draws or years.",
        )
    archs = [resolve_architecture(request, n) for n in names]
    results = [
        simulate(
            a, years=req.years, draws=req.draws, seed=req.seed, overrides=dict(req.overrides) or None, waterfall=False
        )
        for a in archs
    ]
    return results, results[0].architecture


def run_attribution(request: Request, req: PairedRequest) -> Any:
    """The attribution of each reform's paired difference to the mechanism groups
    (:func:`devocare.simulation.attribution.attribute`), refused (422) when all its runs together are over the
    server's job size."""
    from devocare.simulation.attribution import attribute, plan

    settings = request.app.state.settings
    check_limits(
        SimulationRequest(architecture=req.baseline, years=req.years, draws=req.draws, seed=req.seed), settings
    )
    names = list(dict.fromkeys([req.baseline, *req.architectures]))  # each architecture once
    if len(names) < 2:
        raise ProblemError(422, "choose at least one architecture other than the baseline")
    archs = [resolve_architecture(request, n) for n in names]
    runs = plan(archs, archs[0]).runs
    cells = (req.draws + 1) * 296 * req.years * runs
    if cells > settings.max_job_cells:
        raise ProblemError(
            422,
            f"attributing takes {runs} runs: (draws + 1) × areas × years × runs = {cells:,} cells; this server "
            f"allows {settings.max_job_cells:,}. Use fewer draws, years or reforms.",
        )
    overrides = dict(req.overrides) or None
    return attribute(archs, archs[0], years=req.years, draws=req.draws, seed=req.seed, overrides=overrides)


@router.post("/compare/paired", summary="Paired differences of reforms from a baseline")
def paired(request: Request, body: PairedRequest) -> dict[str, Any]:
    """Each architecture minus the baseline, draw by draw (same seed): records of ``architecture``,
    ``measure``, ``diff_p5``, ``diff_p50``, ``diff_p95``, ``prob_lower``, ``prob_higher`` (and more), a
    plain-language summary, per-area differences when ``areas`` is true, and with ``attribute`` the records of
    each mechanism group's contribution (``mechanism``, ``contribution_p5``/``p50``/``p95``,
    ``share_of_variance``) and ``attribution_summary``, one sentence per reform from those numbers."""
    from devocare.simulation.paired import paired_area_differences, paired_differences, plain_summary

    attr = run_attribution(request, body) if body.attribute else None
    results, baseline = (attr.results, attr.baseline) if attr is not None else run_paired(request, body)
    diffs = paired_differences(results, baseline)
    out: dict[str, Any] = {
        "baseline": baseline,
        "national": jsonable(diffs),
        "summary": plain_summary(diffs),
        "run_records": jsonable({r.architecture: r.run_record for r in results}),
    }
    if body.areas:
        out["areas"] = jsonable(paired_area_differences(results, baseline))
    if attr is not None:
        from devocare.simulation.attribution import attribution_table, describe

        table = attribution_table(attr)
        out["attribution"] = jsonable(table)
        out["attribution_summary"] = [describe(table, r) for r in attr.contributions]
    return out


@router.get("/budget", summary="A budget holder's view of one body")
def budget(
    request: Request,
    architecture: str = Query("reform-aco-2024", max_length=120),
    body: str = Query(..., min_length=1, max_length=200, description="holder:CODE, an area code or an area name."),
    years: int = Query(5, ge=1, le=30),
    draws: int = Query(100, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
) -> dict[str, Any]:
    """Per-year records (``prob_overspend``, ``prob_intervention`` and their reasons; income, spend, need and
    reserves with P5/P50/P95), the body, and the return on prevention with its band."""
    from devocare.simulation.budget import budget_view

    check_limits(
        SimulationRequest(architecture=architecture, years=years, draws=draws, seed=seed), request.app.state.settings
    )
    arch = resolve_architecture(request, architecture)
    view = budget_view(arch, body, years=years, draws=draws, seed=seed)
    return {"summary": jsonable(view.summary()), "years": jsonable(view.table), "prevention": jsonable(view.prevention)}


class MinimumRequest(SimulationRequest):
    """A simulation request plus whether to list budget holders or areas below their minimum service levels.
    Floors are set in ``overrides`` as ``minimum_service_levels.LINE`` (all architectures) or
    ``minimum_service_levels.ARCHITECTURE.LINE``."""

    by: Literal["body", "area"] = "body"


@router.post("/minimum-service", summary="Budget holders or areas below a minimum service level")
def minimum_service(request: Request, body: MinimumRequest) -> dict[str, Any]:
    """Records of each body (or area) and line below its floor in the horizon year: floor, spend ÷ need,
    ``gap_gbp`` and ``gap_gbp_per_head`` (and, for bodies, the share of draws below), plus the floors used."""
    from devocare.simulation import simulate
    from devocare.simulation.floors import below_minimum

    check_limits(body, request.app.state.settings)
    arch = resolve_architecture(request, body.architecture)
    result = simulate(
        arch,
        years=body.years,
        draws=body.draws,
        seed=body.seed,
        atoms=body.atoms,
        overrides=dict(body.overrides) or None,
        waterfall=False,
    )
    table = below_minimum(result, body.by)
    return {
        "floors": result.run_record["floors"],
        "total_gap_gbp": float(table["gap_gbp"].sum()),
        "below": jsonable(table),
    }
