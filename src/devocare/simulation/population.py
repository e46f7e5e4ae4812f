"""Need growth from population projections by age: one index per LAD, need group and year, relative to
the base year 2024/25.

Why this way: the practice-level weighted populations change data source after 2024/25 (a step of
+2.7% in registered population in 2025/26) and stop in 2028/29, after which age groups and denominators
would freeze. ONS's 2018-based subnational projections by LAD and five-year age band run to mid-2043; we
use their *growth* only, rebased to the mid-2024 estimates (mid-2023 age shares of each LAD scaled to its
mid-2024 total), weight each age band by a cited cost per head for the need group, and continue each LAD
and band at its own 2038–2043 growth rate beyond 2043, so nothing freezes and nothing steps.

Financial year ``2024/25 + t`` takes mid-year ``2024 + t``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from devocare import data

BASE_MID_YEAR = 2024
LAST_PROJECTED = 2043
#: Five-year age bands of the projections, in order.
BANDS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 90, 5)) + ("90+",)
_MYE_COLS = tuple(f"age_{a:02d}_{a + 4:02d}" for a in range(0, 90, 5)) + ("age_90_plus",)

#: Cost per head by age band (£ a year) that weights each band's growth, per need group.
#: ``nhs``: acute hospital cost per head by age (A&E, admitted and outpatient care, England, NHS patient-level
#: costing as packaged by PolicyEngine UK data; bibliography policyengine-nhs-age; bands between the published
#: ages are linear interpolations, labelled so). ``adult_social_care``: long-term support per head, £260 for
#: ages 18–64 and £860 for 65+ (NHS England Adult Social Care Activity and Finance Report 2022-23 ÷ ONS
#: mid-2023; bibliography nhse-2023-asc-finance); 15–19 counts its two adult years. ``population``: every person alike.
COST_BY_AGE: dict[str, tuple[float, ...]] = {
    "nhs": (
        580.4,  # 0-4: (age 0 £1,354 + 4 × ages 1-4 £387) / 5
        255.0,
        255.0,
        326.0,  # 15-19: interpolated
        397.0,
        480.0,  # 25-29: interpolated
        563.0,
        552.3,  # 35-39, 40-44: interpolated
        541.7,
        531.0,
        622.3,  # 50-54, 55-59: interpolated
        713.7,
        805.0,
        1075.0,
        1480.0,
        1505.0,
        2299.0,
        2838.0,
        3399.0,
    ),
    "adult_social_care": (0.0, 0.0, 0.0, 104.0) + (260.0,) * 9 + (860.0,) * 6,
    "population": (1.0,) * 19,
}


@lru_cache(maxsize=1)
def base_population() -> pd.DataFrame:
    """Mid-2024 population by LAD (rows, 2024 codes) and five-year band (columns): each LAD's mid-2023 age
    shares (original release) scaled to its revised mid-2024 total."""
    ages = data.load("ons_mye_mid2023_age5_england_lad24_utla24")
    ages = ages[ages["geography_level"] == "lad24"].set_index("areacd")
    shares = ages[list(_MYE_COLS)].div(ages[list(_MYE_COLS)].sum(axis=1), axis=0)
    totals = data.load("ons_mye_population_total_england_1991_2024")
    mid24 = totals[totals["year"] == BASE_MID_YEAR].drop_duplicates("areacd").set_index("areacd")["population"]
    out = shares.mul(mid24.reindex(shares.index), axis=0)
    out.columns = list(BANDS)
    if out.isna().any().any():
        raise ValueError("mid-2024 population missing for some LADs")
    return out


@lru_cache(maxsize=1)
def band_growth() -> tuple[tuple[str, ...], np.ndarray]:
    """LAD codes and the projected growth of each LAD and band relative to mid-2024: (years 2024–2043, LAD,
    band), from the 2018-based subnational projections."""
    snpp = data.load("ons_snpp2018_persons_age5_lad24_utla24_2018_2043")
    snpp = snpp[(snpp["geography_level"] == "lad24") & (snpp["age_group"] != "All ages")]
    years = list(range(BASE_MID_YEAR, LAST_PROJECTED + 1))
    lads = tuple(sorted(snpp["areacd"].unique()))
    cube = np.empty((len(years), len(lads), len(BANDS)))
    for y, year in enumerate(years):
        wide = snpp.pivot(index="areacd", columns="age_group", values=f"pop_{year}").reindex(lads)[list(BANDS)]
        cube[y] = wide.to_numpy(dtype=float)
    return lads, cube / cube[0]


def projected_population() -> tuple[tuple[str, ...], np.ndarray]:
    """Population by (year, LAD, band) for mid-2024 to mid-2043: mid-2024 levels grown by the projections'
    growth."""
    lads, growth = band_growth()
    base = base_population().reindex(list(lads)).to_numpy(dtype=float)
    return lads, base[None] * growth


def need_index(years: int, lads: tuple[str, ...] | list[str]) -> dict[str, np.ndarray]:
    """Per need group (``nhs``, ``adult_social_care``, ``population``): (years, LAD) growth of cost-weighted
    population relative to 2024/25, for the LADs ``lads`` in that order (1.0 in the base year). Beyond 2043
    each LAD's index continues at its own average rate over 2038–2043 (the weighted total, not each band, so
    growth neither steps nor compounds band by band)."""
    codes, pop = projected_population()
    order = pd.Index(codes).get_indexer(pd.Index(list(lads)))
    if (order < 0).any():
        missing = [c for c, i in zip(lads, order, strict=True) if i < 0]
        raise ValueError(f"no population projection for LAD(s) {', '.join(missing[:5])}")
    pop = pop[:, order, :]
    out = {}
    for group, cost in COST_BY_AGE.items():
        weighted = pop @ np.asarray(cost)
        index = weighted / weighted[0]
        n = len(index)
        if years > n:
            rate = (index[-1] / index[-6]) ** (1 / 5)
            index = np.concatenate([index, index[-1][None] * rate[None] ** np.arange(1, years - n + 1)[:, None]])
        out[group] = index[:years]
    return out
