"""Excel workbooks of devocare's tables: a sheet per table plus a run-record sheet (what produced the
numbers, the data sources and the parameters with their sources or assumption labels).

Cells keep full-precision numbers so analysts can compute with them; the registry's units become Excel
number formats (£, £bn, %), and headings are the registry's labels with the machine key in a comment row
underneath, so a sheet reads like the CLI table and still maps back to the JSON keys.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from devocare import formatting, measures
from devocare.errors import DevocareError

_FORMATS = {
    "gbp": "£#,##0;-£#,##0",
    "gbp_bn": '£#,##0.0"bn";-£#,##0.0"bn"',
    "gbp_m": '£#,##0.0"m";-£#,##0.0"m"',
    "gbp_k": '£#,##0"k";-£#,##0"k"',
    "pence": "#,##0",
    "share": "0.0%",
    "count": "#,##0",
    "rate": "#,##0.0",
    "ratio": "0.0000",
    "index": "0.000",
}
_BAD_SHEET = re.compile(r"[\[\]\*\?/\\:]")


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET.sub("-", name)[:31] or "sheet"
    out, i = base, 2
    while out in taken:
        out = f"{base[:28]}-{i}"
        i += 1
    taken.add(out)
    return out


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=str)
    if not isinstance(value, str | int | float | bool):
        return str(value)
    return value


def _record_rows(record: dict[str, Any] | None, tables: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    from devocare import data

    rows: list[tuple[Any, ...]] = [("What", "Value", "Note")]
    if record:
        for key, val in record.items():
            rows.append((key, _cell(val), ""))
    rows.append(())
    rows.append(("Columns", "Label", "Meaning"))
    seen: set[str] = set()
    for df in tables.values():
        for col in df.columns:
            key = str(col)
            if key in seen:
                continue
            seen.add(key)
            rows.append((key, formatting.header(key), measures.meaning(key)))
    rows.append(())
    rows.append(("Data source", "Publisher", "Title, vintage, licence"))
    for ds in data.catalogue().values():
        rows.append((ds.id, ds.publisher, f"{ds.title}, {ds.vintage}, {ds.licence}"))
    return rows


def _parameter_rows(record: dict[str, Any] | None) -> list[tuple[Any, ...]]:
    from devocare.simulation.parameters import parameters, resolve

    overrides = (record or {}).get("overrides") or None
    table = resolve(overrides, None).table() if overrides else parameters()
    rows: list[tuple[Any, ...]] = [("Parameter", "Label", "Value", "Unit", "Distribution", "Source or assumption")]
    for r in table.itertuples(index=False):
        rows.append((r.path, r.label, _cell(r.value), r.unit, r.distribution, r.source))
    return rows


def write_workbook(
    path: str | Path | None,
    tables: dict[str, pd.DataFrame],
    record: dict[str, Any] | None = None,
    parameters: bool = True,
) -> Path:
    """Write ``tables`` (sheet name → table) and a run-record sheet to an .xlsx file, atomically (nothing is
    left behind on error). ``parameters`` adds a sheet of the parameter tree with sources and assumptions."""
    from devocare.extras import require

    require("excel", "an Excel workbook (--format xlsx)")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if path is None:
        raise DevocareError("an Excel workbook needs --out FILE.xlsx")
    target = Path(path)
    if target.suffix != ".xlsx":
        raise DevocareError(f"output file {str(target)!r} must end in .xlsx")
    if not target.parent.exists():
        raise DevocareError(f"output directory {str(target.parent)!r} does not exist")
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    grey = Font(italic=True, color="666666")
    for name, df in tables.items():
        ws = wb.create_sheet(_sheet_name(name, taken))
        keys = [str(c) for c in df.columns]
        ws.append([formatting.header(k) for k in keys])
        ws.append(keys)
        for cell in ws[1]:
            cell.font = bold
        for cell in ws[2]:
            cell.font = grey
        per_row = "measure" in df.columns
        for row in df.itertuples(index=False):
            ws.append([_cell(v) for v in row])
        for j, key in enumerate(keys, start=1):
            letter = get_column_letter(j)
            unit = None if per_row and key in ("value", "mean", "p5", "p50", "p95") else formatting.guess_unit(key)
            fmt = _FORMATS.get(unit or "")
            if fmt:
                for (cell,) in ws.iter_rows(min_row=3, min_col=j, max_col=j):
                    cell.number_format = fmt
            width = max([len(formatting.header(key)), len(key)] + [len(str(v)) for v in df[key].head(200)])
            ws.column_dimensions[letter].width = min(max(10, width + 2), 60)
        if per_row:
            _per_row_formats(ws, df)
        ws.freeze_panes = "A3"
    rec = wb.create_sheet(_sheet_name("run record", taken))
    for r in _record_rows(record, tables):
        rec.append(list(r))
    rec.column_dimensions["A"].width = 32
    rec.column_dimensions["B"].width = 40
    rec.column_dimensions["C"].width = 80
    if parameters:
        ps = wb.create_sheet(_sheet_name("parameters", taken))
        for r in _parameter_rows(record):
            ps.append(list(r))
        for letter, w in zip("ABCDEF", (40, 50, 14, 10, 30, 80), strict=True):
            ps.column_dimensions[letter].width = w
    tmp = target.with_name(target.name + ".tmp")
    try:
        wb.save(tmp)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _per_row_formats(ws: Any, df: pd.DataFrame) -> None:
    """Number formats for tidy tables, whose value columns take each row's measure's unit."""
    cols = [j for j, c in enumerate(df.columns, start=1) if c in ("value", "mean", "p5", "p50", "p95")]
    for i, m in enumerate(df["measure"], start=3):
        fmt = _FORMATS.get(formatting.guess_unit(str(m)) or "")
        if fmt:
            for j in cols:
                ws.cell(row=i, column=j).number_format = fmt
