"""Commissioner behaviour: moving money upstream, acute capture of pooled budgets, hospital input caps,
efficiency under risk, and each year's budget plan (cuts to balance, headroom spent upstream).

A budget moves spend upstream in proportion to its *incentive strength* — the share of a pound of acute
cost avoided that it keeps (savings retained × share of acute cost it bears). Where one pooled budget
holds both acute and upstream lines, the acute sector captures part of that investment (reform-2024 §4.3.1). A
hospital input cap pays activity above the capped growth path at a marginal price (Israel; bibliography israel-capping).
"""

from __future__ import annotations

from typing import Any


def left_shift(pot_need: Any, rate: Any, strength: float, capture: Any, pooled: bool, t: int) -> Any:
    """£ of extra upstream spend in year ``t`` (0-based): rate × (t + 1) years × pot need × strength,
    less what the acute sector captures in a pooled budget. ``pot_need`` is (draw, atom), rate/capture (draw,)."""
    kept = 1.0 - capture if pooled else 1.0 + 0.0 * capture
    return (rate * (t + 1) * strength * kept)[:, None] * pot_need


def capped(xp: Any, demand: Any, cap_level: Any, marginal_price: Any) -> Any:
    """Spend under a hospital input cap: demand up to the cap in full, above it at the marginal price."""
    over = xp.maximum(demand - cap_level, 0.0)
    return demand - over + marginal_price * over


def efficiency(saving: Any, ramp_years: float, t: int) -> Any:
    """Share of spend saved in year ``t`` by a budget that keeps savings and bears overspends: none in the
    observed base year (``t = 0``), then ramped in over ``ramp_years``."""
    return saving * min(1.0, t / max(ramp_years, 1.0))


def plan(
    xp: Any,
    base: Any,
    previous: Any,
    money: Any,
    expected: Any,
    reserves: Any,
    overspend_borne: Any,
    support_cap: Any,
    response: Any,
    max_cut: float,
    headroom_share: float = 1.0,
) -> tuple[Any, Any]:
    """Next year's budget, set by every holder at the end of a year from what it knows then: (share of
    next year's spend cut, £ of next year's headroom spent beyond need).

    Why: a holder that must bear an overspend plans to balance, so it acts on a gap between need and money
    in the year the gap opens, not a year after it has overspent; and a holder given more money than its
    need spends it, whether or not it may keep a surplus (what it keeps is a risk rule, what it spends is
    behaviour, the same for every holder). It forecasts next year's spend before cuts from this year's
    (``base``, grown as it grew from ``previous``; with no history, as its ``money`` grows to ``expected``)
    against the money it ``expected`` next year. Of a forecast deficit it cuts what its risk rules leave it
    to bear (the centre meets ``1 − overspend_borne`` of it up to ``support_cap`` £), plus ``response`` × a
    deficit carried in ``reserves``, at most ``max_cut`` of spend in all. Of forecast headroom it spends
    ``headroom_share`` (``behaviour.headroom_spend_share``). Arrays are (draw, budget)."""
    zero = 0.0
    has_money = money > 0  # each mask once: a year computes these for every draw and budget
    fallback = xp.where(has_money, expected / xp.where(has_money, money, 1.0), 1.0)
    if previous is None:
        growth = fallback
    else:
        had = previous > 0
        growth = xp.where(had, base / xp.where(had, previous, 1.0), fallback)
    forecast = base * growth
    gap = forecast - expected
    deficit = xp.maximum(gap, zero)
    met = xp.minimum((1.0 - overspend_borne) * deficit, support_cap)
    to_bear = deficit - met + response * xp.maximum(-reserves, zero)
    positive = forecast > 0
    safe = xp.where(positive, forecast, 1.0)
    cut = xp.where(positive, xp.minimum(to_bear / safe, max_cut), zero)
    return cut, headroom_share * xp.maximum(-gap, zero)
