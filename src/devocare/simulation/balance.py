"""Balance: each budget's surplus or deficit, split between reserves, the centre and national support as
the architecture says; minimum service levels and the intervention flag.

Money in = allocation kept + incentive paid + transfers in + reserves drawn + national deficit support.
Money out = spent + transfers out + additions to reserves + returned to the centre. A surplus first repays
a deficit the budget carries, then is kept (``savings_retained``) or returned; a deficit is borne from
reserves (``overspend_borne_locally``) or met by the centre up to the budget's deficit-support limit, the
rest borne from reserves. Every holder follows these rules; only its risk rules differ.
"""

from __future__ import annotations

from typing import Any


def settle(
    xp: Any, surplus: Any, savings_retained: Any, overspend_borne: Any, reserves: Any = 0.0, support_cap: Any = None
) -> tuple[Any, Any, Any, Any]:
    """(to reserves, returned to the centre, deficit borne from reserves, deficit met by the centre).

    The same rule for every holder; only its risk rules differ. A surplus first repays a deficit carried in
    ``reserves`` (a holder recovers its own overspend), then ``savings_retained`` of the rest is kept. Of a
    deficit, ``1 − overspend_borne`` is met by the centre up to ``support_cap`` (£; ``None``: no limit); the
    rest is borne from reserves, which may go negative (an overspend carried into next year's spending)."""
    zero = 0.0
    gain = xp.maximum(surplus, zero)
    loss = xp.maximum(-surplus, zero)
    repay = xp.minimum(gain, xp.maximum(-reserves, zero))
    free = gain - repay
    offered = (1.0 - overspend_borne) * loss
    support = offered if support_cap is None else xp.minimum(offered, support_cap)
    return repay + savings_retained * free, (1.0 - savings_retained) * free, loss - support, support


def support_cap(xp: Any, allocation: Any, limit: Any) -> Any:
    """£ of deficit support the centre will give a budget in a year: ``limit`` × |allocation|, no limit where
    ``limit`` is ``inf`` (the centre absorbs its own national budgets)."""
    finite = xp.isfinite(limit)
    return xp.where(finite, xp.where(finite, limit, 0.0) * xp.abs(allocation), xp.inf)


def support_limit(tier: str, fixed: dict[str, Any]) -> float:
    """Most deficit support the centre gives a budget in a year, as a share of its allocation: no limit for a
    national budget (the centre absorbs its own result), ``behaviour.deficit_support_limit`` otherwise."""
    return float("inf") if tier == "national" else float(fixed["behaviour.deficit_support_limit"])


def settle_in_corridor(
    xp: Any,
    surplus: Any,
    allocation: Any,
    savings_retained: Any,
    overspend_borne: Any,
    width: Any,
    centre_share: Any,
    reserves: Any = 0.0,
    cap: Any = None,
) -> tuple[Any, Any, Any, Any]:
    """:func:`settle` inside a risk corridor: the part of a surplus or deficit within ``width`` × |allocation|
    follows the budget's own rules, as does ``1 − centre_share`` of the part beyond it; the centre takes
    ``centre_share`` of the part beyond (a surplus returned, a deficit met). ``width`` is ``inf`` for a budget
    without a corridor. The four flows still add up to the surplus: to reserves + returned − borne − met = surplus.
    """
    limited = xp.isfinite(width)
    band = xp.where(limited, xp.where(limited, width, 0.0) * xp.abs(allocation), xp.inf)
    inside = xp.minimum(xp.maximum(surplus, -band), band)
    outside = surplus - inside
    shared = xp.where(limited, centre_share, 0.0) * outside
    to_res, returned, borne, support = settle(xp, surplus - shared, savings_retained, overspend_borne, reserves, cap)
    return to_res, returned + xp.maximum(shared, 0.0), borne, support + xp.maximum(-shared, 0.0)


def need_adjusted_ratio(xp: Any, spent: Any, need: Any, national_ratio: Any = 1.0) -> Any:
    """Spend relative to need priced at the national cost per weighted head (1 = the national average
    spend for the area's need); ``need`` is after prevention, before cuts, caps and efficiency."""
    positive = need > 0
    ratio = spent / xp.where(positive, need, 1.0)
    if not (isinstance(national_ratio, float) and national_ratio == 1.0):  # dividing by 1.0 changes nothing
        ratio = ratio / national_ratio
    return xp.where(positive, ratio, 1.0)


def intervention(reserves: Any, floor_breached: Any) -> Any:
    """A budget needs intervention when its reserves are negative or a minimum service level is breached."""
    return (reserves < 0) | floor_breached


def conservation_gap(xp: Any, money_in: Any, spent: Any, transfers_out: Any, reserve_change: Any, returned: Any) -> Any:
    """Largest relative gap |in − (spent + out + Δreserves + returned)| / max(in, 1)."""
    gap = xp.abs(money_in - (spent + transfers_out + reserve_change + returned))
    scale = xp.maximum(xp.abs(money_in), 1.0)
    return xp.max(gap / scale)
