"""Each area against England, the way OHID Fingertips shows it: better, similar or worse, and a spine chart.

Fingertips compares an area's 95% confidence interval with the England value for the same period: if the
interval lies wholly on the good side of England's value the area is "better", wholly on the bad side
"worse", and if it contains England's value "similar". Indicators where neither direction is better read
"higher" or "lower" instead. Where a value comes without an interval but with Fingertips' own significance
flag (the district extracts), that flag is used and said so; otherwise the value is "not compared"
(Fingertips does the same rather than guess from the point value).

The spine chart puts every indicator on one scale: England in the middle, better to the right, the farther
of the best and worst area at the edge.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from devocare import measures
from devocare.errors import DevocareError
from devocare.outcomes.aggregate import at_level, source_level
from devocare.outcomes.catalogue import INDICATORS, select_period

__all__ = [
    "CATEGORIES",
    "PROFILE_LEVELS",
    "POSITIONS",
    "LIMIT_LABELS",
    "POLARITY_LABELS",
    "PROFILE_COLUMNS",
    "compare",
    "compare_rows",
    "category_label",
    "format_value",
    "position_label",
    "england_value",
    "level_profile",
    "area_profile",
    "spine_positions",
]

#: category → (label shown to users, colour). Colours follow Fingertips' green / amber / red and blues.
CATEGORIES: dict[str, tuple[str, str]] = {
    "better": ("Better than England (95% confidence)", "#007f3b"),
    "similar": ("Similar to England", "#ffb81c"),
    "worse": ("Worse than England (95% confidence)", "#d5281b"),
    "higher": ("Higher than England (95% confidence)", "#41b6e6"),
    "lower": ("Lower than England (95% confidence)", "#003087"),
    "not_compared": ("Not compared (no confidence interval published)", "#aeb7bd"),
}
#: funnel-plot position (:func:`devocare.outcomes.funnel.classify`) → (label from the measure registry, colour).
POSITIONS: dict[str, tuple[str, str]] = {
    key: (measures.funnel_label(key), colour)
    for key, colour in (
        ("better_998", "#007f3b"),
        ("better_95", "#78be20"),
        ("within", "#ffb81c"),
        ("worse_95", "#ed8b00"),
        ("worse_998", "#d5281b"),
        ("high_998", "#003087"),
        ("high_95", "#41b6e6"),
        ("low_95", "#7c2855"),
        ("low_998", "#330072"),
    )
}
#: funnel-plot limit curve column → legend label.
LIMIT_LABELS = {
    "lower_95": "95% control limits",
    "upper_95": "95% control limits",
    "lower_99.8": "99.8% control limits",
    "upper_99.8": "99.8% control limits",
}
POLARITY_LABELS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neither": "Neither higher nor lower is better",
}
#: Levels an area profile compares within (England is the benchmark, not a level to compare within).
PROFILE_LEVELS = ("lad", "utla", "icb", "ca", "region", "ons_region")
PROFILE_COLUMNS = [
    "indicator",
    "title",
    "unit",
    "polarity",
    "period",
    "code",
    "name",
    "value",
    "lci",
    "uci",
    "england",
    "comparison",
    "comparison_label",
    "comparison_basis",
    "n_areas",
    "worst",
    "p25",
    "median",
    "p75",
    "best",
    "approximate",
]


_FLAG = r"^compared with England: (Better|Similar|Worse)"


def compare(
    value: np.ndarray, lci: np.ndarray, uci: np.ndarray, england: float | np.ndarray, polarity: str
) -> np.ndarray:
    """Category per area: the 95% interval [lci, uci] against England's value, read by ``polarity``."""
    v, lo, hi = (np.asarray(a, dtype=float) for a in (value, lci, uci))
    e = np.broadcast_to(np.asarray(england, dtype=float), v.shape)
    known = ~(np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(e))
    above = known & (lo > e)
    below = known & (hi < e)
    good, bad = {"higher_is_better": ("better", "worse"), "lower_is_better": ("worse", "better")}.get(
        polarity, ("higher", "lower")
    )
    return np.select([~known, above, below], ["not_compared", good, bad], "similar")


def format_value(value: object) -> str:
    """An indicator value for tables (profile page, ``devocare outcomes profile``): the project's one number
    formatter (separators, at most four significant figures), with "–" where there is no value."""
    from devocare import formatting

    if value is None or value != value:
        return "–"
    return formatting.number(value)


def category_label(category: str) -> str:
    """The words for a category key (``worse`` → "Worse than England (95% confidence)")."""
    return CATEGORIES[category][0] if category in CATEGORIES else category


def compare_rows(rows: pd.DataFrame, england: float, polarity: str) -> tuple[np.ndarray, np.ndarray]:
    """Category and basis per row of a tidy frame: its interval, else the publisher's flag in ``note``."""
    category = compare(rows["value"].to_numpy(), rows["lci"].to_numpy(), rows["uci"].to_numpy(), england, polarity)
    basis = np.where(category == "not_compared", "", "95% confidence interval against England's value")
    if "note" in rows:
        flag = rows["note"].astype(str).str.extract(_FLAG)[0].str.lower().to_numpy(dtype=object)
        use_flag = (category == "not_compared") & pd.notna(flag)
        category = np.where(use_flag, flag, category).astype(str)
        basis = np.where(use_flag, "the publisher's own flag (OHID Fingertips)", basis)
    return category, basis


def position_label(position: str) -> str:
    """The words for a funnel position key (``worse_998`` → "Worse (99.8% limits)"), from the registry."""
    return measures.funnel_label(position)


@cache
def england_value(indicator_id: str, period: str) -> float:
    """England's value for a period: published, or the population-weighted mean of areas where it is not."""
    eng = at_level(indicator_id, "england", period)
    return float(eng["value"].iloc[0]) if len(eng) else float("nan")


@cache
def _level_profile(level: str, vintage: int) -> pd.DataFrame:
    frames = []
    for ind in INDICATORS:
        try:
            period = select_period(ind.id, "latest", source_level(ind.id, level))
            rows = at_level(ind.id, level, period, vintage).dropna(subset=["value"])
        except DevocareError:
            continue  # the indicator cannot reach this level (finer than it is published at)
        if rows.empty:
            continue
        values = rows["value"].to_numpy(dtype=float)
        england = england_value(ind.id, period)
        lo_is_good = ind.polarity == "lower_is_better"
        p25, median, p75 = np.percentile(values, [75, 50, 25] if lo_is_good else [25, 50, 75])
        category, basis = compare_rows(rows, england, ind.polarity)
        frames.append(
            pd.DataFrame(
                {
                    "indicator": ind.id,
                    "title": ind.title,
                    "unit": ind.unit,
                    "polarity": ind.polarity,
                    "period": period,
                    "code": rows["code"].to_numpy(),
                    "name": rows["name"].to_numpy(),
                    "value": values,
                    "lci": rows["lci"].to_numpy(dtype=float),
                    "uci": rows["uci"].to_numpy(dtype=float),
                    "england": england,
                    "comparison": category,
                    "comparison_label": [category_label(c) for c in category],
                    "comparison_basis": basis,
                    "n_areas": len(values),
                    "worst": values.max() if lo_is_good else values.min(),
                    "p25": p25,
                    "median": median,
                    "p75": p75,
                    "best": values.min() if lo_is_good else values.max(),
                    "approximate": rows["approximate"].to_numpy(dtype=bool),
                }
            )
        )
    if not frames:
        raise DevocareError(f"no outcome indicator reaches level {level!r}")
    return pd.concat(frames, ignore_index=True)[PROFILE_COLUMNS]


def level_profile(level: str, vintage: int = 2024) -> pd.DataFrame:
    """Every area of ``level`` on every indicator that reaches it (latest period), compared with England.

    One row per area and indicator (:data:`PROFILE_COLUMNS`); ``worst``/``best`` are oriented by polarity
    (the highest value is "best" where neither is better), and so are ``p25``/``p75``: the quartile a
    quarter of the way from the worst area and from the best (for lower-is-better indicators ``p25`` is the
    75th percentile of the values, as Fingertips orders its spine columns).
    """
    return _level_profile(level, vintage).copy()


def area_profile(code: str, level: str, vintage: int = 2024) -> pd.DataFrame:
    """One area's row for every indicator that reaches its level, with the spread of areas at that level."""
    if level not in PROFILE_LEVELS:
        raise DevocareError(
            f"an area profile compares areas within one of {', '.join(PROFILE_LEVELS)}; {code!r} is at level {level!r}"
        )
    frame = _level_profile(level, vintage)
    mine = frame[frame["code"] == code].reset_index(drop=True)
    if mine.empty:
        raise DevocareError(f"no outcome values for area {code!r} at level {level!r}")
    return mine


def spine_positions(profile: pd.DataFrame) -> pd.DataFrame:
    """Place each indicator's numbers on the spine scale: England at 0, better to the right, |edge| = 1.

    The scale for an indicator is the larger distance from England to its best or worst area, so the whole
    range fits and both sides keep their proportions. With polarity ``neither``, higher is to the right.
    """
    sign = np.where(profile["polarity"] == "lower_is_better", -1.0, 1.0)
    e = profile["england"].to_numpy(dtype=float)
    half = np.maximum(np.abs(profile["worst"] - e), np.abs(profile["best"] - e)).to_numpy(dtype=float)
    half = np.where(half > 0, half, 1.0)
    out = pd.DataFrame({"indicator": profile["indicator"], "title": profile["title"]})
    for col in ("value", "worst", "p25", "median", "p75", "best"):
        out[col] = sign * (profile[col].to_numpy(dtype=float) - e) / half
    return out
