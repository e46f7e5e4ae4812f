"""One way to write numbers for people: CLI tables, web tables, reports and workbooks all call this.

Rules: thousands separators; money as £bn / £m / £ with at most four significant digits; shares as
percentages; years as years (2011, 2024/25 — never 2,011); counts of people and things as whole numbers;
never scientific notation. Machine outputs (JSON, CSV, Parquet) keep full precision and are not formatted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from devocare import measures

MINUS = "-"
_YEAR_COLUMNS = {"year", "base_year", "horizon", "financial_year", "vintage", "period"}
#: Columns of tidy tables whose unit is each row's ``measure``'s.
PER_ROW = frozenset(
    {
        "value",
        "mean",
        "p5",
        "p50",
        "p95",
        "central",
        "baseline_central",
        "reform_central",
        "diff_central",
        "diff_mean",
        "diff_p5",
        "diff_p50",
        "diff_p95",
        "contribution_central",
        "contribution_mean",
        "contribution_p5",
        "contribution_p50",
        "contribution_p95",
        "low_mean",
        "high_mean",
        "swing",
    }
)
_COUNT_HINTS = ("population", "people", "residents", "admissions", "practices", "members", "headcount", "n_")


def _finite(value: Any) -> float | None:
    if value is None or value is pd.NA or isinstance(value, bool | np.bool_):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def significant(x: float, digits: int = 4, max_decimals: int = 6) -> str:
    """``x`` to ``digits`` significant figures, fixed-point with thousands separators (no exponent)."""
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = min(max(digits - 1 - magnitude, 0), max_decimals)
    rounded = round(x, decimals) if decimals else round(x, digits - 1 - magnitude)
    if decimals == 0:
        return f"{int(rounded):,}"
    text = f"{rounded:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Any, digits: int = 4) -> str:
    """A plain number: whole numbers with separators, others to four significant figures; values within
    1e-9 of zero as ``≈0`` rather than in scientific notation."""
    x = _finite(value)
    if x is None:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    if x != 0 and abs(x) < 1e-9:
        return "≈0"
    if float(x).is_integer():
        return f"{int(x):,}"
    return significant(x, digits, 12)


def money(value: Any, scale: float = 1.0) -> str:
    """Pounds for people: ``£185.5bn``, ``£456.7m``, ``£123,500``, ``£12.35`` (≤ four significant digits).
    ``scale`` converts the value to pounds first (1e9 for values held in £bn)."""
    x = _finite(value)
    if x is None:
        return ""
    x *= scale
    sign = MINUS if x < 0 else ""
    a = abs(x)
    if a >= 1e9:
        body = significant(a / 1e9, 4, 3) + "bn"
    elif a >= 1e6:
        body = significant(a / 1e6, 4, 3) + "m"
    elif a >= 100:
        body = significant(a, 4, 2)
    elif a >= 1:
        body = f"{a:.2f}"
    elif a == 0:
        body = "0"
    else:
        body = significant(a, 3, 4)
    return f"{sign}£{body}"


def percent(value: Any, digits: int = 3) -> str:
    """A share (0.398) as a percentage (``39.8%``), to three significant figures, at most two decimals."""
    x = _finite(value)
    if x is None:
        return ""
    pct = x * 100
    if pct == 0:
        return "0%"
    return significant(pct, digits, 2) + "%"


def count(value: Any) -> str:
    """A count of people or things, whole (``1,234``); an average count under 100 keeps one decimal."""
    x = _finite(value)
    if x is None:
        return ""
    if float(x).is_integer() or abs(x) >= 100:
        return f"{round(x):,}"
    return f"{x:,.1f}"


def year(value: Any) -> str:
    """A year as written (``2011``, ``2024/25``), never with a thousands separator."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def by_unit(value: Any, unit: str | None) -> str:
    """Format a value by a registry unit (see :mod:`devocare.measures`)."""
    if unit == "gbp":
        return money(value)
    if unit == "gbp_bn":
        return money(value, 1e9)
    if unit == "gbp_m":
        return money(value, 1e6)
    if unit == "gbp_k":
        return money(value, 1e3)
    if unit == "pence":
        return money(value, 0.01)
    if unit == "share":
        return percent(value)
    if unit == "count":
        return count(value)
    if unit == "year":
        return year(value)
    if unit == "text" or isinstance(value, str):
        return "" if value is None else str(value)
    return number(value)


def guess_unit(key: str) -> str | None:
    """A unit for a column the registry does not know, from its name (``*_gbp``, ``*_share``, ``year``)."""
    known = measures.unit(key)
    if known is not None:
        return known
    k = key.lower()
    if k in _YEAR_COLUMNS or k.endswith("_year"):
        return "year"
    if k.endswith("_gbp_bn"):
        return "gbp_bn"
    if k.endswith("_gbp_m"):
        return "gbp_m"
    if k.endswith("_gbp_k"):
        return "gbp_k"
    if k == "pence" or k.endswith("_pence"):
        return "pence"
    if k.endswith("_gbp") or "gbp_per" in k or k.startswith("gbp") or k in ("gbp", "amount", "funding", "spend"):
        return "gbp"
    if k.endswith(("_share", "share", "_pct_of_one")) or k.startswith("prob_"):
        return "share"
    if any(h in k for h in _COUNT_HINTS):
        return "count"
    return None


def value(key: str, v: Any) -> str:
    """Format one value of the column or measure ``key``."""
    if isinstance(v, str):
        if key == "line":
            from devocare.service_lines import SERVICE_LINES

            return SERVICE_LINES[v][0] if v in SERVICE_LINES else v
        return measures.funnel_label(v)
    return by_unit(v, guess_unit(key))


def header(key: str) -> str:
    """A column heading: the registry's label with its unit (``Money spent (£bn)``), or the key in words."""
    label = measures.label(key)
    if label == key and "-" not in key:  # hyphenated keys are ids (architectures, areas): shown as written
        label = key.replace("_", " ")
        label = label[:1].upper() + label[1:]
    return label


def frame(df: pd.DataFrame, labels: bool = True) -> pd.DataFrame:
    """A copy of ``df`` as display strings: every cell formatted by its column's unit; a tidy table's
    ``value`` (and mean/p5/p50/p95) columns by each row's ``measure``; measure keys replaced by labels;
    column headings from the registry when ``labels``."""
    out = pd.DataFrame(index=df.index)
    key_column = "measure" if "measure" in df.columns else "metric" if "metric" in df.columns else None
    per_row = key_column is not None
    row_units = [guess_unit(str(m)) for m in df[key_column]] if key_column else []
    for col in df.columns:
        series = df[col]
        # a tidy table's value columns, or every column of a metrics table (one metric per row)
        if per_row and col != key_column and (col in PER_ROW or key_column == "metric"):
            out[col] = [by_unit(v, u) for v, u in zip(series, row_units, strict=True)]
        elif col in ("measure", "metric"):
            out[col] = [measures.label(str(m)) for m in series]
        elif series.dtype == object or str(series.dtype) in ("category", "string", "str"):
            out[col] = [value(str(col), v) for v in series]
        else:
            unit = guess_unit(str(col))
            out[col] = [by_unit(v, unit) for v in series]
    if labels:
        out.columns = [header(str(c)) for c in df.columns]
    return out
