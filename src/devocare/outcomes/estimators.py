"""Every method on one design, side by side: estimate, interval, pre-period fit, p-value.

1. Synthetic control (Abadie, Diamond and Hainmueller 2010) — placebo-in-space rank p-value, and a
   conformal interval (Chernozhukov, Wüthrich and Zhu 2021).
2. Generalised synthetic control / interactive fixed effects (Xu 2017), factors chosen by cross-validation —
   Conley–Taber placebo interval.
3. Difference in differences (two-way fixed effects, one treated area) — Conley–Taber placebo interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare.outcomes.conformal import conformal_interval
from devocare.outcomes.design import Design
from devocare.outcomes.factor import choose_factors, factor_fit, placebo_effects, placebo_interval
from devocare.outcomes.synth import placebo_ratios, synthetic_control

__all__ = ["run", "METHODS", "DEFAULT_LEVEL"]

DEFAULT_LEVEL = 0.9  # assumption: 90% intervals; with ≤ 19 periods a 95% conformal interval cannot close
METHODS = {
    "synthetic_control": "synthetic control (Abadie, Diamond and Hainmueller 2010); conformal interval "
    "(Chernozhukov, Wüthrich and Zhu 2021); placebo-in-space rank p-value",
    "generalised_synthetic_control": "generalised synthetic control, interactive fixed effects (Xu 2017); "
    "Conley–Taber placebo interval",
    "difference_in_differences": "two-way fixed-effects difference in differences; Conley–Taber placebo interval",
}


def _used(d: Design) -> np.ndarray:
    return d.pre | d.post


def run(d: Design, level: float = DEFAULT_LEVEL, demean: bool = False, placebos: bool = True) -> dict[str, Any]:
    """Fit every method. ``placebos=False`` skips the placebo-in-space ranking (robustness re-runs)."""
    used = _used(d)
    y1, y0, pre, post = d.y1[used], d.y0[used], d.pre[used], d.post[used]
    sc = synthetic_control(d.y1, d.y0, d.pre, d.post, demean)
    conf = conformal_interval(y1, y0, pre, post, level=level, demean=demean, estimate=sc["mean_post_gap"])
    rows: list[dict[str, Any]] = [
        {
            "method": "synthetic_control",
            "estimate": sc["mean_post_gap"],
            "lower": conf["lower"],
            "upper": conf["upper"],
            "level": level,
            "p_value": conf["p_value"],
            "pre_rmspe": sc["pre_rmspe"],
            "inference": "conformal (moving-block permutations)",
            "note": conf["note"],
        }
    ]
    r = choose_factors(y1, y0, pre)
    for name, k in (("generalised_synthetic_control", r), ("difference_in_differences", 0)):
        fit = factor_fit(y1, y0, pre, post, k)
        errs = placebo_effects(y0, pre, post, k)
        ci = placebo_interval(fit["mean_post_gap"], errs, level)
        rows.append(
            {
                "method": name,
                "estimate": fit["mean_post_gap"],
                "lower": ci["lower"],
                "upper": ci["upper"],
                "level": level,
                "p_value": ci["p_value"],
                "pre_rmspe": fit["pre_rmspe"],
                "inference": "Conley–Taber placebo areas",
                "note": f"{k} latent factor{'s' if k != 1 else ''}" if name.startswith("gen") else "",
            }
        )
    out: dict[str, Any] = {"sc": sc, "methods": pd.DataFrame(rows), "factors": r}
    if placebos:
        table = placebo_ratios(d.y0, d.pre, d.post, demean)
        table.insert(0, "code", d.codes)
        out["placebos"] = table
    return out
