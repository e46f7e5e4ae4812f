"""Outcomes: did devolution change outcomes? Methods with intervals, donors, robustness and a verdict.

A GET view (``/outcomes/evaluation?area=E47000001&indicator=u75_preventable_cvd_mortality``) whose query
string restores it; results are cached per design because a run takes seconds.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare.errors import DevocareError
from devocare.web import charts, render
from devocare.web.frames import jsonable

router = APIRouter()

EVENTS = [
    ("agreement", "Deal agreement (Greater Manchester: November 2014)"),
    ("health", "Health devolution (Greater Manchester: April 2016)"),
]
POOLS = [
    ("clean", "Without London and other deal areas (default)"),
    ("no-london", "Without London"),
    ("no-deals", "Without other deal areas"),
    ("all", "All areas"),
]
ENDS = [("2019", "2019 (before COVID-19)"), ("none", "All data (includes COVID-19 years)")]


@lru_cache(maxsize=16)
def _run(area: str, indicator: str, event: str, pool: str, end: int | None) -> dict[str, Any]:
    from devocare.outcomes import evaluate

    return evaluate(area, None, indicator, event=event, pool=pool, end=end)


def _forest(r: dict[str, Any]) -> dict[str, Any]:
    """Every estimate with its interval (robustness rows below the main methods)."""
    main = r["methods"].assign(check="main", variant="as specified")
    t = pd.concat([main, r["robustness"]], ignore_index=True).dropna(subset=["estimate"])
    labels = [
        f"{c}: {v} · {str(m).replace('_', ' ')}" for c, v, m in zip(t["check"], t["variant"], t["method"], strict=True)
    ]
    finite = np.isfinite(t["lower"].astype(float)) & np.isfinite(t["upper"].astype(float))
    plus = (t["upper"] - t["estimate"]).where(finite, 0.0)
    minus = (t["estimate"] - t["lower"]).where(finite, 0.0)
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": jsonable(t["estimate"].tolist()),
        "y": labels,
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": jsonable(plus.fillna(0).tolist()),
            "arrayminus": jsonable(minus.fillna(0).tolist()),
        },
    }
    layout = charts._layout(
        f"How stable is the estimate? ({int(round(100 * r['level']))}% intervals)",
        xaxis={"title": r["unit"], "zeroline": True},
        yaxis={"autorange": "reversed"},
        height=max(400, 22 * len(t) + 120),
        margin={"l": 380, "r": 20, "t": 50, "b": 50},
    )
    return {"data": [trace], "layout": layout}


@router.get("/outcomes/evaluation")
def evaluation_page(
    request: Request,
    area: str = Query("E47000001", max_length=60),
    indicator: str = Query("u75_preventable_cvd_mortality", max_length=60),
    event: str = Query("agreement", max_length=20),
    pool: str = Query("clean", max_length=20),
    end: str = Query("2019", max_length=10),
) -> Response:
    """The evaluation of one deal area on one indicator, with its design choices as form fields."""
    from devocare.outcomes.catalogue import catalogue
    from devocare.outcomes.deals import deals

    cat = catalogue()
    errors: dict[str, str] = {}
    context: dict[str, Any] = {}
    datasets: dict[str, pd.DataFrame] = {}
    if indicator not in set(cat["id"]):
        errors["indicator"] = f"unknown indicator {indicator!r}"
    if event not in dict(EVENTS):
        errors["event"] = f"unknown event {event!r}; choose agreement or health"
    if pool not in dict(POOLS):
        errors["pool"] = f"unknown donor pool {pool!r}"
    if end not in dict(ENDS):
        errors["end"] = f"unknown end {end!r}; choose 2019 or none"
    if not errors:
        try:
            r = _run(area, indicator, event, pool, None if end == "none" else int(end))
            context["r"] = r
            context["path_chart"] = charts.lines(
                r["path"].melt(id_vars=["year"], value_vars=["treated", "synthetic"], var_name="series"),
                "year",
                "value",
                f"{r['title']}: {r['area_name']} and its synthetic control (start {r['start']})",
                color="series",
                ytitle=r["unit"],
            )
            context["forest_chart"] = _forest(r)
            for key in ("methods", "weights", "robustness", "path"):
                datasets[key] = r[key]
                context[key] = r[key]
        except DevocareError as exc:
            errors["area"] = str(exc)
    return render.page(
        request,
        "outcomes_evaluation.html",
        "Did devolution change outcomes?",
        "outcomes",
        datasets=datasets,
        errors=errors,
        form={"area": area, "indicator": indicator, "event": event, "pool": pool, "end": end},
        areas=[(d.code, d.name) for d in deals()],
        indicators=[(r.id, r.title) for r in cat.itertuples()],
        events=EVENTS,
        pools=POOLS,
        ends=ENDS,
        **context,
    )
