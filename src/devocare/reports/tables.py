"""HTML pieces every report section shares: escaped text and DataFrames as aligned tables."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from devocare import formatting

_SCI = re.compile(r"[-+]?\d+(?:\.\d+)?[eE][-+]?\d+")


def _plain_numbers(v: Any) -> Any:
    """Numbers written in scientific notation inside text (``[6e+06, 6.7e+06]``) rewritten plainly."""
    return _SCI.sub(lambda m: formatting.number(float(m.group(0))), v) if isinstance(v, str) else v


def table(frame: pd.DataFrame, float_format: str | None = None) -> str:
    """A DataFrame as an escaped HTML table, numeric columns formatted by the one formatter (or
    ``float_format``) and right-aligned."""
    shown = frame.copy()
    numeric = [
        i
        for i, c in enumerate(shown.columns)
        if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])
    ]
    for i in numeric:
        column = shown.columns[i]
        shown[column] = shown[column].map(
            lambda v: (
                "–"
                if pd.isna(v)
                else (
                    f"{int(v):,}"
                    if float(v).is_integer() and abs(v) < 1e15
                    else float_format.format(v)
                    if float_format
                    else formatting.number(v)
                )
            )
        )
    for column in shown.columns:
        if not pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].astype(object).map(_plain_numbers)
    html = shown.to_html(index=False, escape=True, na_rep="–", border=0)

    def align(row: re.Match[str]) -> str:
        cells = re.split(r"(<t[hd])(?=[ >])", row.group(0))
        out, position = [cells[0]], -1
        for tag, rest in zip(cells[1::2], cells[2::2], strict=True):
            position += 1
            out.append(f'{tag} class="num"' if position in numeric else tag)
            out.append(rest)
        return "".join(out)

    return re.sub(r"<tr[^>]*>.*?</tr>", align, html, flags=re.S)


def esc(text: object) -> str:
    """Text escaped for HTML."""
    from markupsafe import escape

    return str(escape(str(text)))
