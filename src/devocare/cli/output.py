"""Render command results: tables as table/csv/json (a JSON array of records), summaries as JSON objects."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import Any

import pandas as pd
import typer

from devocare.jsonable import plain


class TableFormat(StrEnum):
    """Output formats for commands that return a table (xlsx needs ``--out FILE.xlsx``)."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


_jsonable = plain  # the name earlier releases used


def to_json(obj: Any) -> str:
    """JSON text for a DataFrame (array of records) or any plain object (NaN becomes null)."""
    if isinstance(obj, pd.DataFrame):
        obj = obj.astype(object).where(obj.notna(), None).to_dict(orient="records")
    return json.dumps(_jsonable(obj), indent=2, ensure_ascii=False, default=str)


def render_table(df: pd.DataFrame, title: str | None = None) -> str:
    """A DataFrame as a rich text table for people: labelled headings, numbers by the one formatter
    (:mod:`devocare.formatting`), numbers right-aligned; as wide as it needs, never clipped."""
    from rich import box
    from rich.table import Table

    from devocare import formatting

    shown = formatting.frame(df)
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col, key in zip(shown.columns, df.columns, strict=True):
        numeric = pd.api.types.is_numeric_dtype(df[key]) and not pd.api.types.is_bool_dtype(df[key])
        table.add_column(str(col), justify="right" if numeric else "left", overflow="fold")
    for row in shown.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    return _export(table, shown)


def _export(table: Any, shown: pd.DataFrame) -> str:
    from rich.console import Console

    width = max(80, sum(max([len(str(c)), *(len(str(v)) for v in shown[c])]) + 2 for c in shown.columns) + 4)
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None, soft_wrap=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def emit_table(
    df: pd.DataFrame,
    fmt: TableFormat | str,
    out: Any = None,
    sheet: str = "table",
    record: dict[str, Any] | None = None,
) -> None:
    """Print a DataFrame in the requested format; ``xlsx`` writes a workbook to ``out`` (with a run-record
    sheet when ``record`` is given) and prints where it went."""
    fmt = TableFormat(fmt)
    if fmt is TableFormat.json:
        typer.echo(to_json(df))
    elif fmt is TableFormat.csv:
        typer.echo(df.to_csv(index=False), nl=False)
    elif fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        path = write_workbook(out, {sheet: df}, record)
        typer.echo(f"wrote {path}")
    else:
        typer.echo(render_table(df))


def emit_object(obj: Any, fmt: str = "json") -> None:
    """Print a summary object as JSON (or as indented key: value lines for ``table``)."""
    if fmt == "json":
        typer.echo(to_json(obj))
        return
    for key, value in obj.items():
        typer.echo(f"{key}: {value}")


def check_xlsx_out(fmt: TableFormat | str, out: Any, force: bool = False) -> None:
    """``--format xlsx`` needs ``--out FILE.xlsx`` in a writable folder (no existing file unless ``force``);
    checked before any work."""
    from devocare.cli.outfile import check_out
    from devocare.errors import DevocareError

    if TableFormat(fmt) is not TableFormat.xlsx:
        return
    if out is None:
        raise DevocareError("--format xlsx needs --out FILE.xlsx")
    check_out(out, force, (".xlsx",))


def summary_frame(summaries: list[dict[str, Any]]) -> pd.DataFrame:
    """Summaries of runs as display rows: one per measure (its label), one column per architecture, each
    cell the central value with the P5–P95 band over draws where there is one."""
    from devocare import formatting, measures

    first = summaries[0]
    keys = [k for k in first if measures.split_statistic(k)[1] is None and k != "architecture"]
    rows = []
    for key in keys:
        unit = formatting.guess_unit(key)
        row = {"Measure": measures.label(key), "Unit": measures.unit_label(key)}
        for s in summaries:
            cell = formatting.by_unit(s.get(key), unit)
            if f"{key}_p5" in s:
                cell += f" ({formatting.by_unit(s[f'{key}_p5'], unit)} to {formatting.by_unit(s[f'{key}_p95'], unit)})"
            row[str(s.get("architecture", ""))] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def render_strings(df: pd.DataFrame, title: str | None = None) -> str:
    """A frame already holding display strings, as a rich text table (no further formatting)."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    return _export(table, df)
