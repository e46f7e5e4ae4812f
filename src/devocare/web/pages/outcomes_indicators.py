"""Indicator definitions: one page per outcome indicator (what, unit, periods, polarity, source, licence)."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from devocare.web import render

router = APIRouter()


@router.get("/outcomes/indicators")
def indicators_page(request: Request) -> Response:
    """Every indicator with its unit, polarity, periods and publisher, each linked to its definition."""
    from devocare.outcomes.benchmark import POLARITY_LABELS
    from devocare.outcomes.catalogue import catalogue

    cat = catalogue()
    rows = cat.assign(polarity=cat["polarity"].map(POLARITY_LABELS))
    table = rows[
        [
            "id",
            "title",
            "unit",
            "polarity",
            "period_type",
            "first_period",
            "latest_period",
            "levels",
            "ci",
            "publisher",
            "licence",
        ]
    ]
    return render.page(
        request,
        "outcomes_indicators.html",
        "Outcome indicators",
        "outcomes",
        datasets={"indicators": table},
        rows=table.to_dict(orient="records"),
    )


@router.get("/outcomes/indicators/{indicator_id}")
def indicator_page(request: Request, indicator_id: str) -> Response:
    """One indicator's definition; an unknown id is a 404 naming the closest ids."""
    from devocare.outcomes.definitions import definition

    d = definition(indicator_id[:60])
    periods = pd.DataFrame({"period": d["periods"]})
    return render.page(request, "outcomes_indicator.html", d["title"], "outcomes", datasets={"periods": periods}, d=d)
