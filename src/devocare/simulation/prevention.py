"""Prevention: extra upstream spend lowers emergency admissions after a lag, with diminishing returns.

The effect parameter is £ of emergency-admission cost avoided per £1 of extra upstream spend per year at
steady state (bibliography prevention-effect). The lag profile is the share of that steady state reached in years 1..K
after spending starts; a flow of spend therefore acts through the profile's yearly increments. Returns
diminish because only ambulatory-care-sensitive admissions can be avoided: the avoided cost approaches
that ceiling exponentially, with slope ``effect`` at zero.
"""

from __future__ import annotations

from typing import Any


def lag_weights(profile: list[float]) -> list[float]:
    """Yearly increments of the cumulative lag profile: weight of spend made k years ago (k = 0..K-1)."""
    out, previous = [], 0.0
    for share in profile:
        out.append(float(share) - previous)
        previous = float(share)
    return out


def lagged_spend(xp: Any, history: list[Any], weights: list[float]) -> Any:
    """Effective upstream spend this year: sum over k of weight[k] × extra spend k years ago.

    ``history[0]`` is this year's extra spend, ``history[k]`` the spend k years ago (missing years are zero).
    """
    total = None
    for k, w in enumerate(weights):
        if k >= len(history) or w == 0.0:
            continue
        term = w * history[k]
        total = term if total is None else total + term
    return total if total is not None else 0.0 * history[0]


def avoided_cost(xp: Any, effective_spend: Any, effect: Any, ceiling: Any) -> Any:
    """£ emergency cost avoided: ceiling × (1 − exp(−effect × spend / ceiling)); zero where ceiling is zero."""
    positive = ceiling > 0
    safe = xp.where(positive, ceiling, 1.0)
    avoided = safe * (1.0 - xp.exp(-effect * effective_spend / safe))
    return xp.where(positive, avoided, 0.0)
