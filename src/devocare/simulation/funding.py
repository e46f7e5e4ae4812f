"""Funding: the national envelope per line, allocated to atoms by need, as annual allocations or block
grants fixed for a settlement with indexation, less any top-sliced incentive fund.

An annual allocation (settlement of one year) follows this year's need shares. A block grant takes the need
shares of the settlement's first year and grows them by the envelope's growth and the settlement's
indexation; at settlement end the grant is rebased on current need.
"""

from __future__ import annotations

from typing import Any


def envelope(spend: Any, real_growth: float, t: int) -> Any:
    """National £ per line in year ``t``: base-year spend grown at the envelope's real growth."""
    return spend * (1.0 + real_growth) ** t


def settlement_start(t: int, years: int) -> int:
    """First year of the settlement that contains year ``t``."""
    return t - t % max(1, years)


def allocation(envelope_at_start: Any, need_share_at_start: Any, indexation: float, years_in: int) -> Any:
    """£ per (atom, line): the envelope at the settlement's start spread by that year's need shares,
    uplifted by real growth already in ``envelope_at_start`` and ``indexation`` per year inside the settlement."""
    return envelope_at_start[None, :] * need_share_at_start * (1.0 + indexation) ** years_in


def block_grant_growth(real_growth: float, years_in: int) -> float:
    """Real growth a block grant carries ``years_in`` years into its settlement."""
    return (1.0 + real_growth) ** years_in


def top_slice(allocated: Any, share: float) -> tuple[Any, Any]:
    """(kept by the budget, held back in the incentive fund)."""
    held = allocated * share
    return allocated - held, held
