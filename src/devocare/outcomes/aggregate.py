"""Indicator values at any area level: as published where they are, population-weighted where they are not.

A published figure for an ICB, NHS region or (for district-only data) a county does not exist in the shipped
data. The best available stand-in is the population-weighted mean of the published values of the areas it
contains (or overlaps, by Census 2021 population share, via :func:`devocare.geography.membership`), using
ONS mid-year populations for the period's last year. For rates, life expectancies and percentages that mean
is an approximation of the figure the publisher would compute from counts, so every aggregated row is flagged
``approximate`` and carries ``coverage`` (the share of the area's population with a published value).
Confidence limits are combined as if the parts were independent: se = sqrt(sum(w² se²)) / sum(w).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.errors import DevocareError, UnknownChoiceError
from devocare.outcomes.catalogue import TIDY_COLUMNS, load_indicator, published_levels

__all__ = ["Z95", "AGGREGABLE_LEVELS", "MIN_COVERAGE", "aggregate", "at_level", "source_level", "for_bodies"]

Z95 = 1.959963984540054  # two-sided 95% normal quantile, to turn published 95% limits into standard errors
#: Levels reachable by aggregation from district or upper-tier data.
AGGREGABLE_LEVELS = ("lad", "utla", "ca", "icb", "region", "ons_region", "england")
_FINER = {"lad": 0, "utla": 1}
#: assumption: an aggregate built from parts holding under half the area's population (e.g. where most
#: districts' values are suppressed) says more about the parts than the area, so it is not shown.
MIN_COVERAGE = 0.5


@cache
def _population(level: str, year: int, vintage: int) -> pd.Series:
    years = geography.population_years()
    year = min(max(year, years[0]), years[-1])
    pop = geography.population(level, year, vintage)
    return pop.set_index("code")["population"].astype(float)


def source_level(indicator_id: str, level: str) -> str:
    """The level to read for ``level``: itself if published, else the finest published level that nests.

    Raises when the indicator cannot reach ``level`` (a finer level than any it is published at).
    """
    if level not in AGGREGABLE_LEVELS:
        raise UnknownChoiceError("outcome level", level, AGGREGABLE_LEVELS)
    published = published_levels(indicator_id)
    if level in published:
        return level
    finer = [lvl for lvl in ("lad", "utla") if lvl in published and _FINER[lvl] < _FINER.get(level, 9)]
    if not finer:
        raise DevocareError(
            f"indicator {indicator_id!r} is published at {', '.join(published)} only; "
            f"it cannot be shown at level {level!r}"
        )
    return finer[0]


def aggregate(frame: pd.DataFrame, from_level: str, to_level: str, vintage: int = 2024) -> pd.DataFrame:
    """Population-weighted means of ``frame`` (tidy rows at ``from_level``) for every ``to_level`` area.

    Vectorised over areas and periods: one merge with the membership table, one group-by.
    """
    member = geography.membership(from_level, to_level, vintage)
    member = member[member["share"] > 0][["from_code", "to_code", "share"]]
    rows = frame[frame["level"] == from_level]
    merged = rows.merge(member, left_on="code", right_on="from_code", how="inner")
    years = merged["year_end"].unique()
    pops = pd.concat({int(y): _population(from_level, int(y), vintage) for y in years}, names=["y", "code"])
    key = pd.MultiIndex.from_arrays([merged["year_end"].astype(int), merged["code"]])
    merged["w"] = pops.reindex(key).to_numpy() * merged["share"].to_numpy()
    se = (merged["uci"] - merged["lci"]) / (2 * Z95)
    merged = merged.assign(
        wv=merged["w"] * merged["value"],
        w2se2=(merged["w"] * se) ** 2,
        has_ci=se.notna(),
        partial=merged["share"] < 1,
        approx_part=merged["approximate"].astype(bool),
    )
    g = merged.groupby(["to_code", "period"], sort=False)
    out = g.agg(
        w=("w", "sum"),
        wv=("wv", "sum"),
        w2se2=("w2se2", "sum"),
        n_parts=("code", "size"),
        all_ci=("has_ci", "all"),
        partial=("partial", "any"),
        approx_part=("approx_part", "any"),
        year=("year", "first"),
        year_end=("year_end", "first"),
    ).reset_index()
    out["value"] = out["wv"] / out["w"]
    half = Z95 * np.sqrt(out["w2se2"]) / out["w"]
    out["lci"] = np.where(out["all_ci"], out["value"] - half, np.nan)
    out["uci"] = np.where(out["all_ci"], out["value"] + half, np.nan)
    total = pd.concat(
        {int(y): _population(to_level, int(y), vintage) for y in out["year_end"].unique()}, names=["y", "code"]
    )
    denom = total.reindex(pd.MultiIndex.from_arrays([out["year_end"].astype(int), out["to_code"]])).to_numpy()
    out["coverage"] = np.minimum(out["w"].to_numpy() / denom, 1.0)
    out["approximate"] = (out["n_parts"] > 1) | out["partial"] | out["approx_part"]
    names = geography.areas(to_level, vintage).set_index("code")["name"]
    out = out.rename(columns={"to_code": "code"}).assign(level=to_level, count=np.nan, denominator=np.nan)
    out["name"] = out["code"].map(names)
    out["note"] = np.where(out["approximate"], f"population-weighted mean of {from_level} values", "")
    return out[[*TIDY_COLUMNS, "coverage", "n_parts"]].sort_values(["code", "year"]).reset_index(drop=True)


def at_level(
    indicator_id: str, level: str, period: str | None = None, vintage: int = 2024, min_coverage: float = MIN_COVERAGE
) -> pd.DataFrame:
    """An indicator at ``level`` (published, or aggregated with flags), optionally for one period label.

    Columns: the tidy columns plus ``coverage`` (1 for published rows) and ``n_parts``. Aggregated rows
    whose published parts cover less than ``min_coverage`` of the area's population are left out.
    """
    src = source_level(indicator_id, level)
    frame = load_indicator(indicator_id)
    if period is not None:
        frame = frame[frame["period"] == period]
    if src == level:
        out = frame[frame["level"] == level].assign(coverage=1.0, n_parts=1)
        return out.reset_index(drop=True)
    out = aggregate(frame, src, level, vintage)
    return out[out["coverage"] >= min_coverage].reset_index(drop=True)


def _coverage_codes(arch: Any, level: str, vintage: int) -> list[str] | None:
    """Codes at ``level`` overlapping an architecture's devolved coverage (None: every area)."""
    cov = getattr(getattr(arch, "money", None), "coverage", None)
    if cov is None:
        return []
    if cov.devolved == "all":
        return None
    devolved = [geography.canonical_code(c) for c in cov.devolved]
    if cov.level == level:
        return devolved
    member = geography.membership(level, cov.level, int(getattr(cov, "vintage", 2024)))
    return sorted(set(member[member["to_code"].isin(devolved) & (member["share"] > 0)]["from_code"]))


def for_bodies(indicator_id: str, arch_or_bodies: Any, period: str | None = None) -> pd.DataFrame:
    """An indicator for the area-based bodies of an architecture (or a list of bodies). Adds ``body``.

    Bodies are read duck-typed: ``id``, ``area_level``, ``area_vintage`` and ``areas`` (a list of codes,
    ``"all"``, or ``"coverage"`` = the areas in the architecture's ``money.coverage``). Bodies without an
    outcome level (national bodies, LSOA or sub-ICB templates) are skipped.
    """
    bodies = getattr(arch_or_bodies, "bodies", arch_or_bodies)
    frames = []
    for body in bodies:
        level = getattr(body, "area_level", None)
        if not level or level not in AGGREGABLE_LEVELS:
            continue
        vintage = int(getattr(body, "area_vintage", None) or 2024)
        rows = at_level(indicator_id, level, period, vintage)
        areas = getattr(body, "areas", "all")
        if areas == "coverage":
            codes = _coverage_codes(arch_or_bodies, level, vintage)
            if codes is not None:
                rows = rows[rows["code"].isin(codes)]
        elif isinstance(areas, list | tuple):
            rows = rows[rows["code"].isin([geography.canonical_code(c) for c in areas])]
        frames.append(rows.assign(body=str(getattr(body, "id", level))))
    if not frames:
        raise DevocareError("no area-based bodies at an outcome level (lad, utla, ca, icb, region, england)")
    return pd.concat(frames, ignore_index=True)
