"""Simulate: pick an architecture, horizon, draws and parameters; run as a background job with progress
and cancel; results as fan charts, a map, a waterfall and sortable tables. The URL restores the run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from devocare.errors import DevocareError
from devocare.reports.charts import fan_quantiles
from devocare.web import cache, charts, render
from devocare.web.auth import client_key, owner, viewer
from devocare.web.frames import summary_frame
from devocare.web.problems import ProblemError
from devocare.web.simulation import SimulationRequest, check_limits, resolve_architecture, runner
from devocare.web.store import get_store

router = APIRouter()

NATIONAL = [
    ("spent", "Total spend, £"),
    ("acute_spend", "Acute hospital spend, £"),
    ("upstream_spend", "Upstream spend (primary, community, public health, wider), £"),
    ("admissions", "Emergency admissions"),
]
MAP_MEASURES = [
    ("spent", "Spend, £"),
    ("allocated", "Allocated, £"),
    ("need", "Need-based cost, £"),
    ("admissions", "Emergency admissions"),
    ("avoided_admissions", "Admissions avoided by prevention"),
]


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def architecture_choices(request: Request) -> list[tuple[str, str]]:
    """Built-in architectures, then the viewer's saved ones as ``saved:<id>``."""
    from devocare.architecture import builtin_ids

    out = [(a, a) for a in builtin_ids()]
    try:
        out += [
            (f"saved:{s.id}", f"Saved: {s.name}")
            for s in get_store(request).list_architectures(limit=50, owner=viewer(request))
        ]
    except DevocareError:
        pass
    return out


def parameter_rows(values: Mapping[str, str]) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]]:
    """The parameter table, the submitted text per path, and the overrides (submitted text ≠ default)."""
    from devocare.simulation import parameters

    table = parameters()
    submitted: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for path, value in zip(table["path"].astype(str), table["value"], strict=True):
        default = _text(value)
        text = str(values.get(f"p.{path}", default)).strip()[:200]
        submitted[path] = text
        if text != default:
            overrides[path] = text
    return table, submitted, overrides


def fan_frame(national: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Quantiles over Monte Carlo draws of one national series per year, and the central run; without draws,
    the central run alone as ``p50``."""
    bands = fan_quantiles(national, "year", measure)
    if "p5" not in bands:
        return bands[["year", "central"]].rename(columns={"central": "p50"})
    return bands


def results_context(result: Any, map_measure: str) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Charts and tables of a finished run, and the datasets behind them."""
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    context["summary"] = summary_frame(result.summary)
    datasets["summary"] = context["summary"]
    national = result.draws_table()
    datasets["national_by_draw"] = national
    fans = []
    for measure, label in NATIONAL:
        frame = fan_frame(national, measure)
        datasets[f"fan_{measure}"] = frame
        fig = (
            charts.fan(frame, "year", label, ytitle=label, mid="p50")
            if "p5" in frame
            else charts.lines(frame, "year", "p50", label + " (central run)", ytitle=label)
        )
        fans.append({"id": f"fan-{measure}", "figure": fig, "label": label})
    context["fans"] = fans
    horizon = result.years[-1]
    if hasattr(result, "read"):  # spilled to Parquet: read only the horizon's central run
        table = result.read(year=horizon, draw=0)
    else:
        table = result.table
        table = table[(table["year"] == horizon) & (table["draw"] == 0)]
    atoms = table[table["atom"].notna()]
    by_atom = atoms.groupby(["atom", "measure"], observed=True)["value"].sum().unstack("measure").reset_index()
    names = cache.areas(result.atom_level if result.atom_level in cache.BOUNDARIES else "lad")[["code", "name"]]
    by_atom = names.merge(by_atom.rename(columns={"atom": "code"}), on="code", how="right")
    datasets["areas_at_horizon"] = by_atom
    context["areas"] = by_atom
    if map_measure in by_atom and result.atom_level in cache.BOUNDARIES:
        label = dict(MAP_MEASURES).get(map_measure, map_measure)
        context["map"] = charts.choropleth(
            by_atom,
            result.atom_level,
            map_measure,
            f"{label} by area, {horizon}",
            colorbar=label,
            link="/area?area={code}",
        )
    bodies = table[table["body"].notna()]
    by_body = bodies.pivot_table(
        index="body", columns="measure", values="value", aggfunc="sum", observed=True
    ).reset_index()
    datasets["budgets_at_horizon"] = by_body
    context["bodies"] = by_body
    wf = result.waterfall
    if len(wf):
        datasets["waterfall"] = wf
        first = wf[wf["measure"] == wf["measure"].iloc[0]]
        steps, values = first["step"].tolist(), [float(v) / 1e9 for v in first["value"]]
        levels, level = [], 0.0
        for step, v in zip(steps, values, strict=True):
            level = v if step in ("base", "horizon") else level + v
            levels.append(level)
        span = max(levels) - min(levels) or max(abs(x) for x in levels) or 1.0
        readable = {"acute_spend": "hospital (acute) spend", "upstream_spend": "prevention (upstream) spend"}
        what = readable.get(str(first["measure"].iloc[0]), str(first["measure"].iloc[0]).replace("_", " "))
        context["waterfall_chart"] = {
            "data": [
                {
                    "type": "waterfall",
                    "x": [str(x).replace("_", " ") for x in steps],
                    "y": values,
                    "measure": [
                        "absolute" if x == "base" else "total" if x == "horizon" else "relative" for x in steps
                    ],
                    "hovertemplate": "%{x}: £%{y:,.3f}bn<extra></extra>",
                }
            ],
            "layout": {
                "title": {"text": f"What changed {what} from base year to horizon (£bn)"},
                "showlegend": False,
                "font": {"family": "Arial, sans-serif"},
                # the axis starts near the smallest level, not at zero, so the factor bars show
                "yaxis": {
                    "title": {"text": "£bn"},
                    "tickprefix": "£",
                    "range": [min(levels) - 0.6 * span, max(levels) + 0.25 * span],
                },
            },
        }
    context["run_record"] = result.run_record
    return context, datasets


FIELDS = {
    "arch": ("reform-aco-2024", 120),
    "years": ("10", 3),
    "draws": ("50", 7),
    "seed": ("0", 10),
    "map_measure": ("spent", 30),
}
"""Form fields of the Simulate page: default and longest accepted text."""


@router.get("/simulate")
def simulate_page(request: Request, run: str = Query("", max_length=1)) -> Response:
    """The simulate form; with ``run=1`` (the address a run redirects to) the run started by the form, found
    again by its inputs. A GET never starts a run: an address whose run is not in memory offers the button."""
    return _view(request, request.query_params, start=False, follow=run == "1")


@router.post("/simulate")
async def start_simulation(request: Request) -> Response:
    """Start the run the form describes, then redirect to its address (``run=1``), which follows it."""
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str) and k not in {"run", "download"}]
    values = dict(fields)
    response = _view(request, values, start=True, follow=True)
    if response.status_code != 200 or not getattr(response, "started", False):
        return response
    return RedirectResponse("/simulate?" + urlencode([*fields, ("run", "1")]), status_code=303)


class _Refused(Exception):
    """The form's request was refused before a job started (the reason is already in ``errors``)."""


def _view(request: Request, values: Mapping[str, str], start: bool, follow: bool) -> Response:
    errors: dict[str, str] = {}
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    form = {}
    for name, (default, longest) in FIELDS.items():
        text = str(values.get(name, default))
        if len(text) > longest:
            errors[name] = f"at most {longest} characters (got {len(text)})"
            text = text[:longest]
        form[name] = text
    table, submitted, overrides = parameter_rows(values)
    req: SimulationRequest | None = None
    try:
        req = SimulationRequest.model_validate(
            {
                "architecture": form["arch"],
                "years": form["years"],
                "draws": form["draws"],
                "seed": form["seed"],
                "overrides": overrides,
            },
            strict=False,
        )
    except ValidationError as exc:
        for err in exc.errors():
            field = {"architecture": "arch"}.get(str(err["loc"][0]), str(err["loc"][0]))
            errors[field] = f"{err['msg']} (got {str(err.get('input'))[:40]!r})"
    started = False
    if req is not None and not errors and (start or follow):
        try:
            who = owner(request)
            job = request.app.state.jobs.find(req.key(), who)
            if job is None and start:
                check_limits(req, request.app.state.settings)
                if req.overrides:  # a bad value is an answer on this page, not a job that fails later
                    from devocare.simulation.parameters import resolve as resolve_parameters

                    try:
                        resolve_parameters(dict(req.overrides))
                    except DevocareError as exc:
                        errors["parameters"] = str(exc)
                        raise _Refused from None
                resolved = resolve_architecture(request, req.architecture)
                job = request.app.state.jobs.submit(
                    client_key(request), "simulation", req.model_dump(), runner(resolved, req), key=req.key(), owner=who
                )
                started = True
            if job is None:
                context["not_in_memory"] = True
            else:
                context["job"] = job
                if job.status == "finished":
                    more, datasets = results_context(job.result, form["map_measure"])
                    context.update(more)
                elif job.status == "failed":
                    errors["arch" if not overrides else "parameters"] = job.error or "the run failed"
        except _Refused:
            pass
        except ProblemError as exc:
            if exc.status == 401:
                raise
            errors["draws" if "cells" in exc.detail or "draws" in exc.detail else "arch"] = exc.detail
        except DevocareError as exc:
            errors["parameters" if "parameter" in str(exc) else "arch"] = str(exc)
    params = table.assign(current=table["path"].map(submitted))
    response = render.page(
        request,
        "simulate.html",
        "Simulate",
        "simulate",
        datasets=datasets,
        form=form,
        errors=errors,
        architectures=architecture_choices(request),
        parameters=params,
        overrides=overrides,
        map_measures=MAP_MEASURES,
        status_url=(f"/api/v1/simulations/{context['job'].id}" if "job" in context else ""),
        status_code=400 if errors and start else 200,
        **context,
    )
    response.started = started  # type: ignore[attr-defined]
    return response


@router.post("/simulate/jobs/{job_id}/cancel")
def cancel_job(request: Request, job_id: str, back: str = Form("/simulate", max_length=4000)) -> Response:
    """Cancel a running job, then go back to the form (without ``run=1``)."""
    request.app.state.jobs.cancel(job_id, owner(request))
    target = back if back.startswith("/simulate") else "/simulate"
    return RedirectResponse(target.replace("run=1", "run="), status_code=303)


@router.post("/simulate/jobs/{job_id}/save")
def save_run(request: Request, job_id: str, name: str = Form(..., min_length=1, max_length=200)) -> Response:
    """Save a finished run (summary, run record, result table) and open it under Saved work."""
    who = owner(request)
    job = request.app.state.jobs.get(job_id, who)
    if job.status != "finished":
        raise ProblemError(409, f"job {job_id} is {job.status}; only finished runs can be saved")
    from devocare.web.frames import jsonable

    item_id = get_store(request).save_run(
        name, jsonable(job.result.summary), jsonable(job.result.run_record), pd.DataFrame(job.result.table), owner=who
    )
    return RedirectResponse(f"/saved/runs/{item_id}", status_code=303)


@router.post("/simulate/scenario")
def save_scenario(
    request: Request, name: str = Form(..., min_length=1, max_length=200), query: str = Form("", max_length=8000)
) -> Response:
    """Save the form's choices (its query string) as a scenario; opening it restores the form."""
    from urllib.parse import parse_qsl

    payload = {k: v for k, v in parse_qsl(query, keep_blank_values=False) if k not in {"run", "download"}}
    item_id = get_store(request).save_scenario(name, {"page": "simulate", "query": payload}, owner=owner(request))
    return RedirectResponse(f"/saved?saved_scenario={item_id}", status_code=303)


def scenario_url(payload: Any) -> str | None:
    """The Simulate URL that restores a saved scenario; None when the payload is not a Simulate form's
    choices (scenarios saved through the API may hold any JSON object; stored ones may be malformed)."""
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, dict):
        return None
    pairs = [(str(k), str(v)) for k, v in query.items() if isinstance(v, str | int | float)]
    return "/simulate?" + urlencode(pairs)
