"""How stable is the estimate? Leave-one-out donors, in-time placebos, other donor pools, other indicators.

Each check re-runs the methods with one design choice changed (Abadie 2021, "Using synthetic controls:
feasibility, data requirements, and methodological aspects", JEL 59: 391-425, §7). The result is one table:
check, variant, method, estimate, interval, pre-period RMSPE, donors, note. A check that cannot run (too few
pre-periods, say) gets a row saying why, not an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.outcomes import design as dsg
from devocare.outcomes import estimators
from devocare.outcomes.synth import synthetic_control

__all__ = ["robustness", "in_time_start", "ALT_INDICATORS", "LOO_MAX", "COLUMNS"]

LOO_MAX = 8  # leave out each of the (at most) 8 heaviest donors
#: other indicators tried by default: the health outcomes with the longest shipped series
ALT_INDICATORS = (
    "u75_preventable_cvd_mortality",
    "le_male",
    "le_female",
    "hle_male",
    "hle_female",
    "u75_preventable_mortality",
    "hi_life_expectancy",
    "hi_avoidable_mortality",
)
COLUMNS = ["check", "variant", "method", "estimate", "lower", "upper", "pre_rmspe", "n_donors", "note"]


def in_time_start(d: dsg.Design) -> int:
    """A fake start whose post-periods all end before the real start (so they hold no real effect)."""
    span = int((d.meta["year_end"] - d.meta["year"]).max()) + 1
    return d.start - span - 2


def _rows(check: str, variant: str, d: dsg.Design, level: float, demean: bool) -> list[dict[str, Any]]:
    res = estimators.run(d, level, demean, placebos=False)
    table = res["methods"]
    return [
        {
            "check": check,
            "variant": variant,
            "method": m.method,
            "estimate": m.estimate,
            "lower": m.lower,
            "upper": m.upper,
            "pre_rmspe": m.pre_rmspe,
            "n_donors": len(d.codes),
            "note": m.note,
        }
        for m in table.itertuples()
    ]


def _skip(check: str, variant: str, exc: Exception) -> dict[str, Any]:
    return {
        "check": check,
        "variant": variant,
        "method": "",
        "estimate": np.nan,
        "lower": np.nan,
        "upper": np.nan,
        "pre_rmspe": np.nan,
        "n_donors": 0,
        "note": f"not run: {exc}",
    }


def robustness(
    d: dsg.Design,
    sc_weights: np.ndarray,
    *,
    level: float,
    demean: bool,
    min_pre: int,
    exclude: tuple[str, ...] = (),
    indicators: tuple[str, ...] | None = None,
    other_start: tuple[str, int] | None = None,
) -> pd.DataFrame:
    """The robustness table for a design (``sc_weights`` from the main synthetic-control fit)."""
    rows: list[dict[str, Any]] = []
    # 1. leave one donor out (synthetic control: the donors that carry weight)
    order = np.argsort(-sc_weights)[:LOO_MAX]
    for j in order[sc_weights[order] > 1e-3]:
        keep = np.ones(len(d.codes), bool)
        keep[j] = False
        fit = synthetic_control(d.y1, d.y0[:, keep], d.pre, d.post, demean)
        rows.append(
            {
                "check": "leave-one-out",
                "variant": f"without {d.codes[j]} (weight {sc_weights[j]:.2f})",
                "method": "synthetic_control",
                "estimate": fit["mean_post_gap"],
                "lower": np.nan,
                "upper": np.nan,
                "pre_rmspe": fit["pre_rmspe"],
                "n_donors": int(keep.sum()),
                "note": "",
            }
        )
    # 2. in-time placebo: a fake earlier start, data ending before the real one
    fake = in_time_start(d)
    try:
        placebo = dsg.build(
            d.target.code,
            d.ind.id,
            fake,
            unit_level=d.unit_level,
            end=d.start - 1,
            pool=d.pool,
            exclude=exclude,
            periods=d.periods,
            min_pre=min_pre,
            pool_end=d.end,
        )
        rows += _rows("in-time placebo", f"fake start {fake}, data to {d.start - 1}", placebo, level, demean)
    except DevocareError as exc:
        rows.append(_skip("in-time placebo", f"fake start {fake}", exc))
    # 3. other donor pools
    for pool in dsg.POOLS:
        if pool == d.pool:
            continue
        try:
            alt = dsg.build(
                d.target.code,
                d.ind.id,
                d.start,
                unit_level=d.unit_level,
                end=d.end,
                pool=pool,
                exclude=exclude,
                periods=d.periods,
                min_pre=min_pre,
            )
            rows += _rows("donor pool", pool, alt, level, demean)
        except DevocareError as exc:
            rows.append(_skip("donor pool", pool, exc))
    # 4. the other start event (agreement / health), where the area has one
    if other_start is not None:
        label, year = other_start
        try:
            alt = dsg.build(
                d.target.code,
                d.ind.id,
                year,
                unit_level=d.unit_level,
                end=d.end,
                pool=d.pool,
                exclude=exclude,
                periods=d.periods,
                min_pre=min_pre,
            )
            rows += _rows("start", f"{label} ({year})", alt, level, demean)
        except DevocareError as exc:
            rows.append(_skip("start", f"{label} ({year})", exc))
    # 5. other indicators, same design
    for other in ALT_INDICATORS if indicators is None else indicators:
        if other == d.ind.id:
            continue
        try:
            alt = dsg.build(
                d.target.code,
                other,
                d.start,
                end=d.end,
                pool=d.pool,
                exclude=exclude,
                periods=d.periods,
                min_pre=min_pre,
            )
            rows += _rows("indicator", other, alt, level, demean)
        except DevocareError as exc:
            rows.append(_skip("indicator", other, exc))
    return pd.DataFrame(rows, columns=COLUMNS)
