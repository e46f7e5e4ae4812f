"""Target shares, distance from target and pace of change: moving areas from today's baselines toward
their need-based share of the money without anyone's budget lurching.

NHS England sets each ICB a *fair-shares target* (its need share of the national total), reports the
*distance from target* (baseline over target, minus one) and then closes the gap gradually: every area
gets at least a minimum growth, under-target areas get more, and nobody grows faster than a ceiling.
:func:`pace_of_change` is that policy as one well-defined rule (documented in
``docs/background/allocation-method.md``): each area receives its scaled target ``θ × target``, clipped
to ``[baseline × (1 + floor), baseline × (1 + ceiling)]``, with the one common ``θ`` that spends the
envelope exactly. Results are whole pence that add up to the envelope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devocare import data
from devocare.allocation.money import SOURCES, check_money_year, pence, published_targets, split_pence
from devocare.allocation.practices import practices
from devocare.bounds import MAX_YEARS, check_growth, check_int
from devocare.errors import DevocareError

_WEIGHT = {"core": "wp_core_overall", "pmc": "wp_primary_medical_care_final"}


def distance_from_target(baseline: np.ndarray, target: np.ndarray, normalise: bool = True) -> np.ndarray:
    """Distance from target (negative: under target).

    ``normalise=True``: baseline share over target share, minus one (``target`` may be shares or
    amounts). ``normalise=False``: baseline over target, minus one, both in £: NHS England's published
    convention, whose targets are set on a national total that differs from the baselines' total.
    """
    baseline = np.asarray(baseline, dtype=float)
    target = np.asarray(target, dtype=float)
    if not normalise:
        return baseline / target - 1.0
    return (baseline / baseline.sum()) / (target / target.sum()) - 1.0


def pace_of_change(
    baseline: np.ndarray, target_share: np.ndarray, envelope: int, floor: float, ceiling: float
) -> np.ndarray:
    """One year's allocations (pence) moving toward target shares within a growth floor and ceiling.

    ``baseline``: this year's allocations (pence); ``target_share``: need shares (sum 1); ``envelope``:
    next year's total (pence). Raises when the envelope cannot be spent within the floor and ceiling.
    """
    base = np.asarray(baseline, dtype=float)
    share = np.asarray(target_share, dtype=float)
    if base.shape != share.shape or (base < 0).any() or (share < 0).any():
        raise DevocareError("baseline and target shares must be non-negative and the same length")
    if not np.isclose(share.sum(), 1.0, atol=1e-9):
        raise DevocareError(f"target shares must sum to 1 (they sum to {share.sum():.12f})")
    if ceiling < floor:
        raise DevocareError(f"growth ceiling {ceiling} is below the floor {floor}")
    low, high = base * (1 + floor), base * (1 + ceiling)
    if not low.sum() <= envelope <= high.sum():
        raise DevocareError(
            f"envelope £{envelope / 100:,.0f} cannot be spent with growth between {floor:.2%} and "
            f"{ceiling:.2%} (possible range £{low.sum() / 100:,.0f} to £{high.sum() / 100:,.0f})"
        )
    target = share * envelope

    def spent(theta: float) -> float:
        return float(np.clip(theta * target, low, high).sum())

    lo, hi = 0.0, 1.0
    while spent(hi) < envelope:
        hi *= 2.0
    for _ in range(200):  # bisection on the one common scale; sum is monotone in theta
        mid = 0.5 * (lo + hi)
        if spent(mid) < envelope:
            lo = mid
        else:
            hi = mid
    alloc = np.clip(hi * target, low, high)
    return split_pence(np.array([int(envelope)]), np.zeros(len(alloc), dtype=np.int64), alloc)


def convergence_path(
    baseline: np.ndarray, target_share: np.ndarray, years: int, growth: float, floor: float, ceiling: float
) -> pd.DataFrame:
    """Allocations over ``years`` years with the envelope growing by ``growth`` a year.

    Long table: area (position), year (1..years), pence, distance_from_target. Target shares are held
    fixed; the envelope each year is the previous total × (1 + growth), rounded to the penny.
    """
    if years < 1:
        raise DevocareError("years must be at least 1")
    current = np.asarray(baseline, dtype=np.int64)
    frames = []
    for year in range(1, years + 1):  # years are sequential: each depends on the last
        envelope = int(np.floor(current.sum() * (1 + growth) + 0.5))
        current = pace_of_change(current, target_share, envelope, floor, ceiling)
        frames.append(
            pd.DataFrame(
                {
                    "area": np.arange(len(current)),
                    "year": year,
                    "pence": current,
                    "distance_from_target": distance_from_target(current, target_share),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def target_shares(year: str, line: str = "core") -> pd.DataFrame:
    """ICB target shares from practice weighted populations against NHS England's published targets.

    Columns: icb_code, icb_name, practice_share (the ICB's share of national weighted population, from
    the practice file the allocation used), published_share (share of the published fair-shares target),
    residual (published − practice share, percentage points of the national total) and residual_relative
    (published / practice − 1). The residual is the emergency ambulance cost adjustment (EACA), which NHS
    England applies at ICB level and the practice files leave out (PROVENANCE.md).
    """
    year = check_money_year(year)
    if line not in _WEIGHT:
        raise DevocareError(f"target shares are published for 'core' and 'pmc', not {line!r}")
    table = practices(year, as_allocated=True)
    wp = table.groupby("icb_code")[_WEIGHT[line]].sum()
    pub = published_targets(year, line)
    out = pub.assign(practice_share=pub["icb_code"].map(wp / wp.sum()))
    out["published_share"] = out["target_gbp_k"] / out["target_gbp_k"].sum()
    out["residual"] = out["published_share"] - out["practice_share"]
    out["residual_relative"] = out["published_share"] / out["practice_share"] - 1.0
    return (
        out[
            [
                "icb_code",
                "icb_name",
                "target_gbp_k",
                "practice_share",
                "published_share",
                "residual",
                "residual_relative",
            ]
        ]
        .sort_values("icb_code")
        .reset_index(drop=True)
    )


def published_baselines(year: str, line: str = "core") -> pd.DataFrame:
    """NHS England's adjusted recurrent baseline per ICB (the year before ``year``), in £k and pence."""
    year = check_money_year(year)
    if line not in _WEIGHT:
        raise DevocareError(f"baselines are published for 'core' and 'pmc', not {line!r}")
    prior = {"2023/24": "2022/23", "2024/25": "2023/24", "2025/26": "2024/25"}[year]
    df = data.load(SOURCES[(year, line)][0])
    icb = df[df["level"] == "ICB"]
    gbp_k = icb[f"{prior} Adjusted recurrent baseline (£k)"].astype(float).to_numpy()
    return pd.DataFrame(
        {
            "icb_code": icb["icb_code"].astype(str).to_numpy(),
            "icb_name": icb["icb_name"].to_numpy(),
            "baseline_gbp_k": gbp_k,
            "pence": pence(gbp_k),
        }
    )


def icb_convergence(
    year: str,
    line: str = "core",
    years: int = 5,
    growth: float = 0.03,
    floor: float = 0.02,
    ceiling: float = 0.06,
    target: str = "published",
) -> pd.DataFrame:
    """ICBs moving from NHS England's published baselines toward target over ``years`` years.

    Targets are the published fair-shares target shares (``target="published"``, including EACA) or
    the shares from practice weighted populations (``"practice"``). Columns: icb_code, icb_name, year
    (0 = baseline), pence, gbp, distance_from_target.
    """
    if target not in ("published", "practice"):
        raise DevocareError(f"target must be 'published' or 'practice', not {target!r}")
    years = check_int("years", years, 1, MAX_YEARS)
    growth, floor, ceiling = (
        check_growth(n, v) for n, v in (("growth", growth), ("floor", floor), ("ceiling", ceiling))
    )
    if floor > ceiling:
        raise DevocareError(f"floor ({floor:g}) must not be above ceiling ({ceiling:g})")
    base = published_baselines(year, line)
    shares = target_shares(year, line).set_index("icb_code")
    share = shares.loc[base["icb_code"], f"{target}_share"].to_numpy()
    share = share / share.sum()
    path = convergence_path(base["pence"].to_numpy(), share, years, growth, floor, ceiling)
    start = pd.DataFrame(
        {
            "area": np.arange(len(base)),
            "year": 0,
            "pence": base["pence"].to_numpy(),
            "distance_from_target": distance_from_target(base["pence"].to_numpy(), share),
        }
    )
    out = pd.concat([start, path], ignore_index=True)
    out.insert(0, "icb_name", base["icb_name"].to_numpy()[out["area"]])
    out.insert(0, "icb_code", base["icb_code"].to_numpy()[out["area"]])
    out["gbp"] = out["pence"] / 100.0
    return out.drop(columns="area")[["icb_code", "icb_name", "year", "pence", "gbp", "distance_from_target"]]
