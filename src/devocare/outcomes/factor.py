"""Difference in differences and the generalised synthetic control (interactive fixed effects).

Xu (2017), "Generalized synthetic control method: causal inference with interactive fixed effects models",
Political Analysis 25: 57-76 — the method of the published Greater Manchester evaluation. The untreated
outcome is modelled as time effects (the donors' mean) + a unit effect + r latent factors with unit loadings:
factors come from the donors' residuals over all periods (SVD); the treated area's unit effect and loadings
are fitted on its pre-period only; r is chosen by leave-one-out cross-validation over the pre-periods. With
r = 0 this is two-way fixed-effects difference in differences with one treated unit.

Interval (Conley and Taber 2011, "Inference with 'difference in differences' with a small number of policy
changes", REStat 93: 113-125): with one treated area, the estimator's error is estimated by running it on each
donor as if treated (whose true effect is zero); the interval is the estimate minus the placebo errors'
quantiles. It assumes the treated area's error is drawn like a donor's; for a large aggregate (a combined
authority of millions against single councils) that makes it conservative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["factor_fit", "choose_factors", "placebo_effects", "placebo_interval", "MAX_FACTORS"]

MAX_FACTORS = 3  # assumption: more latent factors than this cannot be pinned down by ≤ 19 pre-periods


def _factors(y0: np.ndarray, pre: np.ndarray, r: int) -> tuple[np.ndarray, np.ndarray]:
    """Time effects (donor mean) and the first r factors of the donors' two-way-demeaned residuals."""
    delta = y0.mean(axis=1)
    resid = y0 - delta[:, None]
    resid = resid - resid[pre].mean(axis=0)
    if r == 0:
        return delta, np.zeros((len(delta), 0))
    u, s, _ = np.linalg.svd(resid, full_matrices=False)
    return delta, u[:, :r] * s[:r]


def _fit_unit(z: np.ndarray, f: np.ndarray, fit_rows: np.ndarray) -> np.ndarray:
    """Counterfactual of z (outcome less time effects) from intercept + factors fitted on ``fit_rows``."""
    x = np.column_stack([np.ones(len(z)), f])
    coef, *_ = np.linalg.lstsq(x[fit_rows], z[fit_rows], rcond=None)
    return x @ coef


def factor_fit(y1: np.ndarray, y0: np.ndarray, pre: np.ndarray, post: np.ndarray, r: int) -> dict[str, Any]:
    """One fit with r factors: counterfactual, gap, pre-period RMSPE and the mean post-period gap."""
    y1, y0 = np.asarray(y1, float), np.asarray(y0, float)
    delta, f = _factors(y0, pre, r)
    counterfactual = delta + _fit_unit(y1 - delta, f, pre)
    gap = y1 - counterfactual
    return {
        "counterfactual": counterfactual,
        "gap": gap,
        "r": r,
        "pre_rmspe": float(np.sqrt(np.mean(gap[pre] ** 2))),
        "mean_post_gap": float(gap[post].mean()),
    }


def choose_factors(y1: np.ndarray, y0: np.ndarray, pre: np.ndarray, max_r: int = MAX_FACTORS) -> int:
    """Number of factors with the smallest leave-one-out prediction error over the pre-periods."""
    y1, y0 = np.asarray(y1, float), np.asarray(y0, float)
    pre_idx = np.flatnonzero(pre)
    top = int(min(max_r, len(pre_idx) - 3, y0.shape[1] - 1))
    best, best_r = np.inf, 0
    for r in range(max(top, 0) + 1):
        delta, f = _factors(y0, pre, r)
        z = y1 - delta
        errors = []
        for t in pre_idx:
            rows = pre.copy()
            rows[t] = False
            errors.append(z[t] - _fit_unit(z, f, rows)[t])
        mspe = float(np.mean(np.square(errors)))
        if mspe < best * (1 - 1e-9):
            best, best_r = mspe, r
    return best_r


def placebo_effects(y0: np.ndarray, pre: np.ndarray, post: np.ndarray, r: int) -> np.ndarray:
    """Mean post-period gap for each donor treated in turn against the others (true effect zero)."""
    y0 = np.asarray(y0, float)
    out = np.empty(y0.shape[1])
    for j in range(y0.shape[1]):
        out[j] = factor_fit(y0[:, j], np.delete(y0, j, axis=1), pre, post, r)["mean_post_gap"]
    return out


def placebo_interval(estimate: float, placebo: np.ndarray, level: float = 0.9) -> dict[str, float]:
    """Conley–Taber interval: estimate − quantiles of the placebo errors; two-sided permutation p-value."""
    placebo = np.asarray(placebo, float)
    alpha = 1.0 - level
    lo_q, hi_q = np.quantile(placebo, [1 - alpha / 2, alpha / 2])
    p = (1 + int(np.sum(np.abs(placebo) >= abs(estimate)))) / (len(placebo) + 1)
    return {
        "lower": float(estimate - lo_q),
        "upper": float(estimate - hi_q),
        "p_value": float(p),
        "level": level,
        "min_attainable_p": 1.0 / (len(placebo) + 1),
    }
