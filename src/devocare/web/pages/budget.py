"""Budgets: a budget holder's dashboard — funding path, spend, need and reserves with bands, the chance of
overspend and of intervention each year (and why), and what prevention pays back. Reached from My area."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare import formatting
from devocare.errors import DevocareError
from devocare.web import charts, render
from devocare.web.pages.simulate import architecture_choices
from devocare.web.problems import ProblemError
from devocare.web.simulation import SimulationRequest, check_limits, resolve_architecture

router = APIRouter()


def _view(request: Request, arch: str, body: str, years: int, draws: int, seed: int) -> Any:
    from devocare.simulation.budget import budget_view

    check_limits(SimulationRequest(architecture=arch, years=years, draws=draws, seed=seed), request.app.state.settings)
    return budget_view(resolve_architecture(request, arch), body, years=years, draws=draws, seed=seed)


def _headline(view: Any) -> list[tuple[str, str, str]]:
    """(label, value, meaning) rows for the summary list, from the measure registry's words."""
    t = view.table
    worst = t.loc[t["prob_overspend"].idxmax()]
    worst_i = t.loc[t["prob_intervention"].idxmax()]
    last = t.iloc[-1]
    p = view.prevention
    rows = [
        (
            "Chance of overspend, worst year",
            f"{formatting.percent(worst['prob_overspend'])} in {worst['year']}",
            "Share of Monte Carlo draws in which spending exceeds the year's income.",
        ),
        (
            "Chance of intervention, worst year",
            f"{formatting.percent(worst_i['prob_intervention'])} in {worst_i['year']}",
            f"Reasons that year: reserves below zero in {formatting.percent(worst_i['prob_reserves_negative'])} of "
            f"draws, a line below its minimum service level in "
            f"{formatting.percent(worst_i['prob_below_minimum_service'])}.",
        ),
        (
            f"Income in {last['year']}",
            formatting.money(last["income_central"]),
            "Allocation net of any top-slice, plus incentive payments and transfers received (central run).",
        ),
        (
            f"Reserves at the end of {last['year']}",
            f"{formatting.money(last['reserves_central'])} (90% of draws: {formatting.money(last['reserves_p5'])} to "
            f"{formatting.money(last['reserves_p95'])})",
            "Negative reserves are a deficit.",
        ),
    ]
    if p.get("per_gbp") is not None:
        band = ""
        if p.get("per_gbp_p5") is not None:
            band = f" (90% of draws: {formatting.money(p['per_gbp_p5'])} to {formatting.money(p['per_gbp_p95'])})"
        rows.append(
            (
                "Return on prevention",
                f"{formatting.money(p['per_gbp'])} per £1{band}",
                f"Emergency-admission cost avoided ({formatting.money(p['avoided_cost_gbp'])}) per £1 of "
                f"extra prevention spend ({formatting.money(p['extra_upstream_gbp'])}) in the area over the "
                "horizon, central run.",
            )
        )
    else:
        rows.append(
            (
                "Return on prevention",
                "not available",
                "Prevention spend in the area did not rise above the base year's level.",
            )
        )
    return rows


@router.get("/budget")
def budget_page(
    request: Request,
    arch: str = Query("reform-aco-2024", max_length=120),
    body: str = Query("", max_length=200),
    years: int = Query(5, ge=1, le=30),
    draws: int = Query(50, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
) -> Response:
    """The dashboard; ``/budget?arch=reform-aco-2024&body=Greater Manchester`` restores it."""
    from devocare.simulation.budget import DASHBOARD_COLUMNS

    errors: dict[str, str] = {}
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    if body.strip():
        try:
            view = _view(request, arch, body, years, draws, seed)
        except (DevocareError, ProblemError) as exc:
            errors["body"] = exc.detail if isinstance(exc, ProblemError) else str(exc)
        else:
            datasets["budget_by_year"] = view.table
            fan = view.table.rename(columns={"reserves_p5": "p5", "reserves_p50": "p50", "reserves_p95": "p95"})
            context.update(
                view=view,
                headline=_headline(view),
                shown=view.table[list(DASHBOARD_COLUMNS)],
                fan=charts.fan(
                    fan,
                    "year",
                    f"Reserves of {view.name} at the end of each year (P5–P95 band)",
                    ytitle="£",
                    bands=(("p5", "p95"),),
                ),
                xlsx_url=str(request.url.replace(path="/budget/xlsx")),
            )
    return render.page(
        request,
        "budget.html",
        "Budget holder's dashboard",
        "area",
        datasets=datasets,
        form={"arch": arch, "body": body, "years": years, "draws": draws, "seed": seed},
        errors=errors,
        architectures=architecture_choices(request),
        **context,
    )


@router.get("/budget/xlsx")
def budget_xlsx(
    request: Request,
    arch: str = Query("reform-aco-2024", max_length=120),
    body: str = Query(..., min_length=1, max_length=200),
    years: int = Query(5, ge=1, le=30),
    draws: int = Query(50, ge=0, le=100_000),
    seed: int = Query(0, ge=0, le=2**32 - 1),
) -> Response:
    """The dashboard's tables as an Excel workbook, with a run-record sheet (sources and assumptions)."""
    from devocare.workbook import write_workbook

    view = _view(request, arch, body, years, draws, seed)
    summary = pd.DataFrame({"measure": list(view.summary()), "value": list(view.summary().values())})
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(
            Path(tmp) / "budget.xlsx", {"budget by year": view.table, "summary": summary}, view.run_record
        )
        content = path.read_bytes()
    name = "".join(ch if ch.isalnum() else "-" for ch in f"budget-{view.architecture}-{view.area}")
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )
