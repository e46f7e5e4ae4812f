"""HTML pieces every report section shares: escaped text and DataFrames as aligned tables."""

from __future__ import annotations

import re

import pandas as pd


def table(frame: pd.DataFrame, float_format: str = "{:,.3g}") -> str:
    """A DataFrame as an escaped HTML table, numeric columns formatted and right-aligned."""
    shown = frame.copy()
    numeric = [i for i, c in enumerate(shown.columns) if pd.api.types.is_numeric_dtype(shown[c])
               and not pd.api.types.is_bool_dtype(shown[c])]
    for i in numeric:
        column = shown.columns[i]
        shown[column] = shown[column].map(
            lambda v: "–" if pd.isna(v) else (f"{int(v):,}" if float(v).is_integer() and abs(v) < 1e15
                                               else float_format.format(v)))
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
