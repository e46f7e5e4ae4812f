"""DataFrames at the web boundary: JSON records with NaN as null, pages of rows, CSV downloads."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from fastapi import Request
from fastapi.responses import Response

from devocare.jsonable import plain as _jsonable


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN and NA become None, numpy scalars become Python scalars)."""
    out: list[dict[str, Any]] = _jsonable(df.astype(object).where(df.notna(), None).to_dict(orient="records"))
    return out


def jsonable(obj: Any) -> Any:
    """Any result (dict, list, DataFrame, numpy scalars) as plain JSON types."""
    if isinstance(obj, pd.DataFrame):
        return records(obj)
    if isinstance(obj, pd.Series):
        return _jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    return json.loads(json.dumps(_jsonable(obj), default=str))


def summary_frame(summary: Mapping[str, Any]) -> pd.DataFrame:
    """A run's summary object as the two-column table (measure, value) that pages show and download."""
    return pd.DataFrame({"measure": list(summary), "value": list(summary.values())})


def page(df: pd.DataFrame, request: Request, page_number: int, page_size: int) -> dict[str, Any]:
    """One page of a table with its total and links to the neighbouring pages (1-based pages)."""
    total = len(df)
    start = (page_number - 1) * page_size
    chunk = df.iloc[start : start + page_size]
    pages = max(1, -(-total // page_size))

    def link(n: int) -> str | None:
        if n < 1 or n > pages:
            return None
        return str(request.url.include_query_params(page=n, page_size=page_size))

    return {
        "items": records(chunk),
        "total": total,
        "page": page_number,
        "page_size": page_size,
        "pages": pages,
        "next": link(page_number + 1),
        "previous": link(page_number - 1),
    }


def safe_filename(name: str) -> str:
    """A download file name made only of letters, digits, dots, dashes and underscores."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "data"


def csv_response(df: pd.DataFrame, name: str) -> Response:
    """The table as a CSV attachment."""
    return Response(
        df.to_csv(index=False),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{safe_filename(name)}.csv"'},
    )
