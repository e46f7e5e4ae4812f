"""Jinja rendering for pages: one layout, a CSV download for every dataset behind a chart or table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from devocare.web.frames import csv_response, safe_filename

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NAVIGATION = [
    ("architectures", "Architectures", "/architectures"),
    ("compare", "Compare", "/compare"),
    ("simulate", "Simulate", "/simulate"),
    ("area", "My area", "/area"),
    ("allocation", "Allocation", "/allocation"),
    ("outcomes", "Outcomes", "/outcomes"),
    ("saved", "Saved work", "/saved"),
]


def _fmt(value: Any, digits: int = 4) -> str:
    """Numbers for pages, by the one formatter (:mod:`devocare.formatting`): separators, ≤4 significant
    figures, no scientific notation."""
    from devocare import formatting

    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return formatting.number(value, digits)
    return str(value)


def _money(value: Any) -> str:
    """Pounds by the one formatter: £bn / £m / £ to at most four significant digits."""
    from devocare import formatting

    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return formatting.money(value)


def _cell(value: Any, column: str, measure: Any = None) -> str:
    """A table cell formatted by its column's unit (years as years, shares as %, counts whole, money in £);
    in tidy tables, value columns take the unit of the row's ``measure`` and measure keys show as labels."""
    from devocare import formatting, measures

    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if measure is not None and column == "measure":
        return measures.label(str(value))
    if measure is not None and column in formatting.PER_ROW:
        unit = formatting.guess_unit(str(measure))
        if unit is not None:
            return formatting.by_unit(value, unit)
    if formatting.guess_unit(str(column)) is None and not isinstance(value, str):
        return _fmt(value)
    return formatting.value(str(column), value)


def _label(column: Any) -> str:
    """A column heading from the measure registry (the key in words where it has no label)."""
    from devocare import formatting

    return formatting.header(str(column))


def _chart(fig: dict[str, Any] | None, chart_id: str, label: str) -> Markup:
    """A chart container: the Plotly figure JSON for the script, a text label for screen readers, and PNG and
    SVG download buttons (hidden until the script has drawn the chart, which they export)."""
    if not fig:
        return Markup("")
    payload = json.dumps(fig, default=str).replace("</", "<\\/")
    return Markup(
        f'<figure class="dc-chart" aria-label="{Markup.escape(label)}">'
        f'<div class="dc-chart__plot" id="{Markup.escape(chart_id)}" data-chart="{Markup.escape(chart_id)}-data">'
        f'<p class="nhsuk-body-s dc-nojs">Charts need JavaScript; the table and CSV download below carry the '
        f"same data.</p></div>"
        f'<script type="application/json" id="{Markup.escape(chart_id)}-data">{payload}</script>'
        f'<figcaption class="nhsuk-body-s">{Markup.escape(label)}</figcaption>'
        f'<p class="dc-chart__downloads nhsuk-body-s" hidden>Download this chart: '
        + "".join(
            f'<button type="button" class="dc-chart__download" data-chart-download="{fmt}" '
            f'data-chart-target="{Markup.escape(chart_id)}" aria-label="Download {Markup.escape(label)} as '
            f'{fmt.upper()}">{fmt.upper()}</button>'
            for fmt in ("png", "svg")
        )
        + "</p></figure>"
    )


TEMPLATES.env.filters["fmt"] = _fmt
TEMPLATES.env.filters["money"] = _money
TEMPLATES.env.filters["cell"] = _cell
TEMPLATES.env.filters["label"] = _label
TEMPLATES.env.globals["chart"] = _chart


def download_url(request: Request, name: str) -> str:
    """The current page's URL with ``download=name``: the CSV of one dataset on it."""
    return str(request.url.include_query_params(download=name))


def page(
    request: Request,
    template: str,
    title: str,
    section: str,
    datasets: dict[str, pd.DataFrame] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render a page, or, when the query string names ``download=<dataset>``, that dataset as CSV."""
    datasets = datasets or {}
    wanted = request.query_params.get("download")
    if wanted:
        if wanted not in datasets:
            from devocare.errors import UnknownChoiceError

            raise UnknownChoiceError("download", wanted, sorted(datasets))
        return csv_response(datasets[wanted], f"{section}-{safe_filename(wanted)}")
    downloads = {name: download_url(request, name) for name in datasets}
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "section": section,
            "navigation": NAVIGATION,
            "downloads": downloads,
            "share_url": str(request.url),
            "signed_in": _signed_in(request),
            **context,
        },
        status_code=status_code,
    )


def _signed_in(request: Request) -> dict[str, Any] | None:
    """On a shared server, who is signed in (for the header's sign-in / sign-out link); None locally."""
    from devocare.web.auth import auth_enabled, current_user

    if not auth_enabled(request):
        return None
    try:
        user = current_user(request)
    except Exception:  # a bad token or an unreachable database: the page still renders
        user = None
    return {"name": user.name if user else None}


def render_error(request: Request, status: int, title: str, detail: str, errors: list[dict[str, Any]]) -> Response:
    """An error page in the site layout (no internals shown)."""
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {
            "title": title,
            "section": "",
            "navigation": NAVIGATION,
            "downloads": {},
            "status": status,
            "detail": detail,
            "errors": errors,
            "share_url": str(request.url),
            "signed_in": None,
        },
        status_code=status,
    )


def html(text: str) -> HTMLResponse:
    """Plain HTML response (used by the job progress fragment)."""
    return HTMLResponse(text)
