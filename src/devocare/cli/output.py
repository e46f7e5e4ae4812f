"""Render command results: tables as table/csv/json (a JSON array of records), summaries as JSON objects."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pandas as pd
import typer

from devocare.jsonable import plain


class TableFormat(StrEnum):
    """Output formats for commands that return a table."""

    table = "table"
    csv = "csv"
    json = "json"


_jsonable = plain  # the name earlier releases used


def to_json(obj: Any) -> str:
    """JSON text for a DataFrame (array of records) or any plain object (NaN becomes null)."""
    if isinstance(obj, pd.DataFrame):
        obj = obj.astype(object).where(obj.notna(), None).to_dict(orient="records")
    return json.dumps(_jsonable(obj), indent=2, ensure_ascii=False, default=str)


def emit_table(df: pd.DataFrame, fmt: TableFormat | str) -> None:
    """Print a DataFrame in the requested format."""
    fmt = TableFormat(fmt)
    if fmt is TableFormat.json:
        typer.echo(to_json(df))
    elif fmt is TableFormat.csv:
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            typer.echo(df.to_string(index=False))


def emit_object(obj: Any, fmt: str = "json") -> None:
    """Print a summary object as JSON (or as indented key: value lines for ``table``)."""
    if fmt == "json":
        typer.echo(to_json(obj))
        return
    for key, value in obj.items():
        typer.echo(f"{key}: {value}")
