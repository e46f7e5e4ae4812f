"""Balance: each budget's surplus or deficit, split between reserves, the centre and national support as
the architecture says; minimum service levels and the intervention flag.

Money in = allocation kept + incentive paid + transfers in + reserves drawn + national deficit support.
Money out = spent + transfers out + additions to reserves + returned to the centre. A surplus is kept
(``savings_retained``) or returned; a deficit is borne from reserves (``overspend_borne_locally``) or met
by the centre.
"""

from __future__ import annotations

from typing import Any


def settle(xp: Any, surplus: Any, savings_retained: float, overspend_borne: float) -> tuple[Any, Any, Any, Any]:
    """(to reserves, returned to the centre, deficit borne from reserves, deficit met by the centre)."""
    zero = 0.0
    gain = xp.maximum(surplus, zero)
    loss = xp.maximum(-surplus, zero)
    return (
        savings_retained * gain,
        (1.0 - savings_retained) * gain,
        overspend_borne * loss,
        (1.0 - overspend_borne) * loss,
    )


def settle_in_corridor(
    xp: Any, surplus: Any, allocation: Any, savings_retained: Any, overspend_borne: Any, width: Any, centre_share: Any
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
    to_res, returned, borne, support = settle(xp, surplus - shared, savings_retained, overspend_borne)
    return to_res, returned + xp.maximum(shared, 0.0), borne, support + xp.maximum(-shared, 0.0)


def need_adjusted_ratio(xp: Any, spent: Any, need: Any, national_ratio: Any = 1.0) -> Any:
    """Spend relative to need priced at the national cost per weighted head (1 = the national average
    spend for the area's need); ``need`` is after prevention, before cuts, caps and efficiency."""
    safe = xp.where(need > 0, need, 1.0)
    return xp.where(need > 0, (spent / safe) / national_ratio, 1.0)


def intervention(reserves: Any, floor_breached: Any) -> Any:
    """A budget needs intervention when its reserves are negative or a minimum service level is breached."""
    return (reserves < 0) | floor_breached


def conservation_gap(xp: Any, money_in: Any, spent: Any, transfers_out: Any, reserve_change: Any, returned: Any) -> Any:
    """Largest relative gap |in − (spent + out + Δreserves + returned)| / max(in, 1)."""
    gap = xp.abs(money_in - (spent + transfers_out + reserve_change + returned))
    scale = xp.maximum(xp.abs(money_in), 1.0)
    return xp.max(gap / scale)
