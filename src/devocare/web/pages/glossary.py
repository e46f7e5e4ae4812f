"""Glossary: the terms and every measure's label, unit and meaning, from one registry."""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response

from devocare import glossary, measures
from devocare.web import render

router = APIRouter()


@router.get("/glossary")
def glossary_page(request: Request) -> Response:
    """Terms, then measures grouped as the registry groups them (CSV downloads of both)."""
    terms = pd.DataFrame(glossary.TERMS, columns=["term", "meaning"])
    rows = pd.DataFrame(measures.glossary_rows())
    funnel = pd.DataFrame(list(measures.FUNNEL.items()), columns=["key", "shown as"])
    groups = [(g, part.drop(columns=["group"])) for g, part in rows.groupby("group", sort=False)]
    return render.page(
        request,
        "glossary.html",
        "Glossary",
        "",
        datasets={"terms": terms, "measures": rows},
        terms=glossary.TERMS,
        groups=groups,
        funnel=funnel,
    )
