"""Conformal confidence interval for a synthetic control's average post-period effect.

Chernozhukov, Wüthrich and Zhu (2021), "An exact and robust conformal inference method for counterfactual
and synthetic controls", JASA 116: 1849-1864. For a hypothesised constant effect θ, the treated area's
post-period outcomes are reduced by θ, the synthetic control is refitted on *all* periods, and the
residuals' post-period size S = mean |u_post| is compared with the same statistic for every cyclic shift of
the residual series (moving-block permutations, which keep neighbouring periods together and so respect the
serial dependence of overlapping rolling periods). p(θ) = share of shifts with S ≥ the observed S. The
interval is the set of θ not rejected at level α: a grid around the estimate finds it, each edge is then
bisected (and walked outward where the grid's end is still accepted).

Why not a library: pysyncon (the maintained Python implementation) computes per-period intervals with
permutations over T0 + 1 periods, so with the ≤ 19 pre-periods the shipped data allow its 95% intervals
cannot close and each interval rests on one post-period; it also imports matplotlib, which devocare does
not use. The constant-effect,
moving-block version here is the paper's Algorithm 1 with q = 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from devocare.outcomes.synth import synth_weights

__all__ = ["conformal_interval", "conformal_p_value"]


def _residuals(y: np.ndarray, y0: np.ndarray, demean: bool) -> np.ndarray:
    shift1 = y.mean() if demean else 0.0
    shift0 = y0.mean(axis=0) if demean else np.zeros(y0.shape[1])
    w = synth_weights(y - shift1, y0 - shift0)
    return y - ((y0 - shift0) @ w + shift1)


def conformal_p_value(theta: float, y1: np.ndarray, y0: np.ndarray, post: np.ndarray, demean: bool = False) -> float:
    """p-value of H0: effect = θ in every post period (periods in time order; no transition periods)."""
    y = np.asarray(y1, dtype=float).copy()
    y[post] -= theta
    u = np.abs(_residuals(y, np.asarray(y0, dtype=float), demean))
    n = len(u)
    shifts = (np.arange(n)[:, None] + np.arange(n)[None, :]) % n  # row j: the series rolled by j
    stats = u[shifts][:, post].mean(axis=1)
    return float(np.mean(stats >= stats[0] - 1e-12 * max(1.0, stats[0])))


def conformal_interval(
    y1: np.ndarray,
    y0: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    level: float = 0.9,
    demean: bool = False,
    estimate: float | None = None,
    tol: float | None = None,
    max_steps: int = 40,
) -> dict[str, Any]:
    """Interval for the average post-period effect; only ``pre | post`` periods are used (in time order).

    Returns lower, upper (±inf where the edge cannot be found: too few periods, or the data cannot reject
    effects that large), the p-value of a zero effect and the smallest attainable p-value (1 / periods).
    """
    keep = np.asarray(pre, bool) | np.asarray(post, bool)
    y, x, p_mask = np.asarray(y1, float)[keep], np.asarray(y0, float)[keep], np.asarray(post, bool)[keep]
    alpha = 1.0 - level
    n = int(keep.sum())
    out: dict[str, Any] = {
        "level": level,
        "min_attainable_p": 1.0 / n,
        "p_value": conformal_p_value(0.0, y, x, p_mask, demean),
    }
    if estimate is None:
        estimate = float(np.mean(_residuals_post_gap(y, x, p_mask, demean)))
    if 1.0 / n > alpha:  # no θ can be rejected: the interval is the whole line
        return out | {
            "lower": -np.inf,
            "upper": np.inf,
            "note": f"{n} periods: the smallest attainable p-value 1/{n} exceeds {alpha:g}",
        }
    scale = float(np.std(y)) + abs(estimate) + 1e-9
    tol = tol if tol is not None else scale / 500

    def accepted(theta: float) -> bool:
        return conformal_p_value(theta, y, x, p_mask, demean) > alpha

    grid = estimate + scale * np.linspace(-2.0, 2.0, 41)
    ok = np.array([accepted(t) for t in grid])
    if not ok.any():
        return out | {
            "lower": np.nan,
            "upper": np.nan,
            "note": "every effect size tried is rejected: the model does not fit these data",
        }
    idx = np.flatnonzero(ok)
    bounds = []
    for direction, edge in ((-1.0, idx[0]), (1.0, idx[-1])):
        inside = float(grid[edge])
        nxt = edge + int(direction)
        outside: float | None = float(grid[nxt]) if 0 <= nxt < len(grid) else None
        k = 0
        while outside is None and k < max_steps:  # accepted at the grid's end: walk outward
            trial = inside + direction * scale * (1.5**k) / 5
            if accepted(trial):
                inside, k = trial, k + 1
            else:
                outside = trial
        if outside is None:
            bounds.append(direction * np.inf)
            continue
        while abs(outside - inside) > tol:
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if accepted(mid) else (inside, mid)
        bounds.append(inside)
    notes = []
    if not ok[idx[0] : idx[-1] + 1].all():
        notes.append("the accepted set has gaps; its outer edges are reported")
    if not np.isfinite(bounds).all():
        notes.append("effects this large cannot be rejected on one side: the interval is unbounded there")
    if not bounds[0] <= estimate <= bounds[1]:
        notes.append(
            "the interval, refitted with the post-period as the conformal method does, does not "
            "contain the pre-period fit's estimate"
        )
    note = "; ".join(notes)
    return out | {"lower": float(bounds[0]), "upper": float(bounds[1]), "note": note}


def _residuals_post_gap(y: np.ndarray, x: np.ndarray, post: np.ndarray, demean: bool) -> np.ndarray:
    """Post-period gaps of a synthetic control fitted on the pre-period only."""
    pre = ~post
    shift1 = y[pre].mean() if demean else 0.0
    shift0 = x[pre].mean(axis=0) if demean else np.zeros(x.shape[1])
    w = synth_weights(y[pre] - shift1, x[pre] - shift0)
    return (y - ((x - shift0) @ w + shift1))[post]
