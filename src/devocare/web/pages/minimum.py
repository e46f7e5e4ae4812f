"""Minimum service levels: set a floor per service line, run an architecture, and see the budget holders
or areas that fall below them with the gap in £ and per head."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare import formatting
from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS, SERVICE_LINES
from devocare.web import render
from devocare.web.pages.simulate import architecture_choices
from devocare.web.problems import ProblemError
from devocare.web.simulation import SimulationRequest, check_limits, resolve_architecture

router = APIRouter()


@router.get("/minimum-service")
def minimum_page(
    request: Request,
    arch: str = Query("reform-aco-2024", max_length=120),
    by: str = Query("body", max_length=4),
    years: int = Query(5, ge=1, le=30),
    draws: int = Query(20, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
    run: int = Query(0, ge=0, le=1),
) -> Response:
    """The page; each line's floor is a query parameter ``f.LINE`` (``/minimum-service?f.public_health=1&run=1``),
    so the address restores the floors and the result."""
    from devocare.outcomes import minimum_service_levels

    msl = minimum_service_levels()
    default_floor = {str(k): f"{float(v):g}" for k, v in zip(msl["line"], msl["floor"], strict=True)}
    sources = {str(k): str(v) for k, v in zip(msl["line"], msl["source"], strict=True)}
    errors: dict[str, str] = {}
    floors: dict[str, str] = {}
    for line in LINE_IDS:
        given = request.query_params.get(f"f.{line}")
        floors[line] = given if given not in (None, "") else default_floor[line]
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    if by not in ("body", "area"):
        errors["by"] = "choose budget holders or areas"
    if run and not errors:
        overrides = {f"minimum_service_levels.{line}": v for line, v in floors.items() if v != default_floor[line]}
        try:
            from devocare.simulation import simulate
            from devocare.simulation.floors import below_minimum

            check_limits(
                SimulationRequest(architecture=arch, years=years, draws=draws, seed=seed), request.app.state.settings
            )
            result = simulate(
                resolve_architecture(request, arch),
                years=years,
                draws=draws,
                seed=seed,
                overrides=overrides or None,
                waterfall=False,
            )
            table = below_minimum(result, by)
        except (DevocareError, ProblemError) as exc:
            errors["floors"] = exc.detail if isinstance(exc, ProblemError) else str(exc)
        else:
            datasets["below_minimum"] = table
            context.update(
                below=table.drop(columns=["architecture"]),
                year=result.years[-1],
                total=formatting.money(table["gap_gbp"].sum()),
                count=len(table),
                architecture=result.architecture,
            )
    lines = [(line, SERVICE_LINES[line][0], floors[line], sources[line]) for line in LINE_IDS]
    return render.page(
        request,
        "minimum.html",
        "Minimum service levels",
        "outcomes",
        datasets=datasets,
        form={"arch": arch, "by": by, "years": years, "draws": draws, "seed": seed},
        lines=lines,
        errors=errors,
        architectures=architecture_choices(request),
        **context,
    )
