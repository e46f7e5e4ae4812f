"""Commissioner behaviour: moving money upstream, acute capture of pooled budgets, hospital input caps,
efficiency under risk, and cuts after overspends.

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


def cut_rate(xp: Any, reserves: Any, spend: Any, response: Any, cap: float = 0.5) -> Any:
    """Share of next year's spend cut to recover a negative reserve, at most ``cap`` (``behaviour.max_cut_share``).
    Every budget follows this rule: a holder whose deficits the centre meets in full never carries one."""
    deficit = xp.maximum(-reserves, 0.0)
    safe = xp.where(spend > 0, spend, 1.0)
    return xp.minimum(response * deficit / safe, cap)
