"""The evaluation's design: treated series, donor pool, window and periods, as explicit choices.

Defaults follow the published Greater Manchester evaluation where the data allow (Britteon et al. 2022):
donors exclude London and every area treated by another devolution deal inside the window (``pool="clean"``);
the post-period stops in 2019, before COVID-19 (``end=2019``); the start comes from the deal table.
Overlapping rolling periods are kept by default (``periods="all"``): every method's inference compares
like with like (placebo areas share the overlap; conformal permutations move blocks of neighbouring periods);
``periods="non-overlapping"`` keeps only periods that tile the years, aligned to the start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devocare import geography
from devocare.errors import DevocareError
from devocare.outcomes.aggregate import aggregate
from devocare.outcomes.catalogue import Indicator, indicator, load_indicator, published_levels
from devocare.outcomes.deals import deal_for, deals, treated_from

__all__ = ["Design", "build", "POOLS", "PERIODS", "LONDON", "MIN_DONORS", "MIN_PRE", "DEFAULT_END", "start_from_deal"]

MIN_PRE = 5  # assumption: fewer pre-periods cannot pin down the weights (ADH 2010 use 19)
MIN_DONORS = 5  # assumption: with fewer, the smallest attainable placebo p-value exceeds 0.15
DEFAULT_END = 2019  # the last year of the post-period: before COVID-19, as in Britteon et al. 2022
LONDON = "E12000007"
POOLS = ("clean", "no-london", "no-deals", "all")
PERIODS = ("all", "non-overlapping")


@dataclass
class Design:
    """Everything a method needs: series, masks, labels and how they were chosen."""

    target: geography.Area
    ind: Indicator
    unit_level: str
    start: int
    end: int | None
    pool: str
    periods: str
    y1: np.ndarray
    y0: np.ndarray
    codes: list[str]
    meta: pd.DataFrame  # period, year, year_end
    pre: np.ndarray
    post: np.ndarray
    n_inside: int
    n_dropped: int
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def transition(self) -> np.ndarray:
        """Periods that straddle the start: neither pre nor post, so not used."""
        return ~self.pre & ~self.post


def start_from_deal(area_code: str, event: str = "agreement") -> tuple[int, str]:
    """First treated year and the date it comes from, for a combined authority in the deal table."""
    deal = deal_for(area_code)
    if deal is None:
        names = ", ".join(f"{d.code} {d.name}" for d in deals())
        raise DevocareError(f"no devolution deal recorded for {area_code}; give --start, or choose one of: {names}")
    date = deal.date(event)
    return treated_from(date), date


def _units_in(code: str, unit_level: str) -> set[str]:
    other = geography.resolve(code)
    m = geography.membership(unit_level, other.level, other.vintage)
    return set(m[(m["to_code"] == other.code) & (m["share"] > 0)]["from_code"]) | {other.code}


def pool_exclusions(pool: str, unit_level: str, target_code: str, end: int | None) -> dict[str, set[str]]:
    """Units left out of the donor pool by ``pool``, by reason (London; each other deal area)."""
    if pool not in POOLS:
        raise DevocareError(f"unknown donor pool {pool!r}; choose one of {', '.join(POOLS)}")
    out: dict[str, set[str]] = {}
    if pool in ("clean", "no-london"):
        out["London"] = _units_in(LONDON, unit_level)
    if pool in ("clean", "no-deals"):
        for d in deals():
            if d.code != target_code and (end is None or treated_from(d.earliest) <= end):
                out[d.name] = _units_in(d.code, unit_level)
    return out


def _treated_rows(rows: pd.DataFrame, target: geography.Area, unit_level: str) -> tuple[pd.DataFrame, set[str]]:
    inside = geography.membership(unit_level, target.level, target.vintage)
    inside = inside[(inside["to_code"] == target.code) & (inside["share"] > 0)]
    if target.level == unit_level:
        treated = rows[rows["code"] == target.code]
    else:
        treated = aggregate(rows[rows["code"].isin(inside["from_code"])], unit_level, target.level, target.vintage)
        treated = treated[treated["code"] == target.code]
    return treated, set(inside["from_code"])


def build(
    area: str,
    indicator_id: str,
    start: int,
    *,
    unit_level: str | None = None,
    end: int | None = DEFAULT_END,
    pool: str = "clean",
    exclude: list[str] | tuple[str, ...] = (),
    periods: str = "all",
    min_pre: int = MIN_PRE,
    pool_end: int | None | str = "end",
) -> Design:
    """Assemble the design; bad choices raise :class:`DevocareError` with what to do instead.

    ``pool_end`` is the year up to which other deals disqualify donors (default: ``end``); an in-time
    placebo passes the real design's end so that it keeps the same donors on truncated data.
    """
    ind = indicator(indicator_id)
    target = geography.resolve(area)
    published = published_levels(indicator_id)
    if unit_level is None:
        unit_level = "utla" if "utla" in published else "lad"
    if unit_level not in published:
        raise DevocareError(
            f"indicator {indicator_id!r} is not published at unit level {unit_level!r} "
            f"(published: {', '.join(published)})"
        )
    if periods not in PERIODS:
        raise DevocareError(f"unknown periods choice {periods!r}; choose one of {', '.join(PERIODS)}")
    if min_pre < 2:
        raise DevocareError(f"min_pre must be at least 2, got {min_pre}")
    if end is not None and end < start:
        raise DevocareError(f"the post-period end {end} is before the start {start}")
    rows = load_indicator(indicator_id)
    rows = rows[rows["level"] == unit_level]
    treated_rows, inside = _treated_rows(rows, target, unit_level)
    if treated_rows.empty:
        raise DevocareError(f"no {indicator_id} data for {target.name} ({target.code})")
    excluded = {"treated area": inside | {target.code}}
    window = end if isinstance(pool_end, str) else pool_end
    excluded |= pool_exclusions(pool, unit_level, target.code, window)
    for code in exclude:
        excluded[f"--exclude {code}"] = _units_in(code, unit_level)
    drop = set().union(*excluded.values())
    donor_rows = rows[~rows["code"].isin(drop)]
    wide = donor_rows.pivot_table(index="year", columns="code", values="value")
    treated_series = treated_rows.set_index("year")["value"]
    meta_all = rows.drop_duplicates("year").set_index("year")[["period", "year_end"]]
    years = wide.index.intersection(treated_series.index)
    if end is not None:
        years = years[meta_all.loc[years, "year_end"].to_numpy() <= end]
    years = years.sort_values()
    if periods == "non-overlapping":
        span = int((meta_all["year_end"] - meta_all.index).max()) + 1
        years = years[((years - start) % span) == 0]
    wide = wide.loc[years].dropna(axis=1)
    meta = meta_all.loc[years].reset_index()
    pre = (meta["year_end"] < start).to_numpy()
    post = (meta["year"] >= start).to_numpy()
    if wide.shape[1] < MIN_DONORS:
        raise DevocareError(
            f"only {wide.shape[1]} donor areas with complete {indicator_id} data outside "
            f"{target.name}; need at least {MIN_DONORS}"
        )
    if pre.sum() < min_pre:
        raise DevocareError(
            f"too short a pre-period for {target.name} from {start} on {indicator_id}: "
            f"{int(pre.sum())} periods end before {start} (need at least {min_pre}); "
            f"periods available: {', '.join(meta['period'])}"
        )
    if post.sum() == 0:
        last = meta["period"].iloc[-1] if len(meta) else "none"
        raise DevocareError(
            f"no {indicator_id} periods start in or after {start}"
            f"{f' and end by {end}' if end is not None else ''}; latest used is {last}"
        )
    return Design(
        target=target,
        ind=ind,
        unit_level=unit_level,
        start=int(start),
        end=end,
        pool=pool,
        periods=periods,
        y1=treated_series.loc[years].to_numpy(dtype=float),
        y0=wide.to_numpy(dtype=float),
        codes=[str(c) for c in wide.columns],
        meta=meta,
        pre=pre,
        post=post,
        n_inside=len(inside),
        n_dropped=int(donor_rows["code"].nunique() - wide.shape[1]),
        excluded={k: len(v) for k, v in excluded.items()},
    )
