"""Fused kernels for a year's per-budget and run-level rules on the NumPy backend (Numba), one pass each.

Why: at LAD level a block's per-budget arrays are small (64 draws × 349 budgets) and its run-level ones not
much larger, so each NumPy operation costs more in its call, allocation and pass than in its arithmetic, and a
year ran about a hundred of them. Each kernel here computes exactly what its array-API step computes, element
by element in the same floating-point order (NumPy's ``maximum``/``minimum`` semantics, its pairwise row
sums), so results are bit-identical: the efficiency and cut factors (:func:`steps.efficiency_and_cuts`),
spend and unmet need per line and run, reinvested money (:func:`steps.reinvestment`), the balance
(:func:`balance.settle`, :func:`balance.settle_in_corridor`, :func:`balance.support_cap`), floors and the
intervention trigger (:func:`balance.need_adjusted_ratio`, :mod:`intervention`), next year's plan
(:func:`behaviour.plan`), the conservation check (:func:`balance.conservation_gap`) and the national series
per line. These rules are therefore stated twice: a change to one of them must be made here as well;
``tests/simulation/test_fused.py`` runs every built-in both ways (``DEVOCARE_FUSED=0`` is the array-API path)
and compares every array. The engine uses them whenever Numba is importable, at any atom count.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from devocare.simulation.fused import AVAILABLE, _jit, _pairwise

__all__ = [
    "AVAILABLE",
    "balance_year",
    "conservation_year",
    "floors_year",
    "line_totals",
    "plan_year",
    "reinvest_year",
    "run_factors",
    "spend_and_unmet",
]


@_jit
def _max(a: float, b: float) -> float:
    """``numpy.maximum`` of two numbers: a NaN wins, and of two equal numbers the second (so of 0.0 and
    -0.0 the sign NumPy gives)."""
    return a if (a > b or a != a) else b


@_jit
def _min(a: float, b: float) -> float:
    """``numpy.minimum`` of two numbers: a NaN wins, and of two equal numbers the second."""
    return a if (a < b or a != a) else b


@_jit
def _support_cap(limit: float, allocation: float) -> float:
    """:func:`balance.support_cap` of one budget: ``limit`` × |allocation|, no limit where ``limit`` is inf."""
    return limit * abs(allocation) if math.isfinite(limit) else math.inf


@_jit
def _settle(surplus: float, retained: float, borne_share: float, reserves: float, cap: float) -> Any:
    """:func:`balance.settle` of one budget: (to reserves, returned, borne, support)."""
    gain = _max(surplus, 0.0)
    loss = _max(-surplus, 0.0)
    repay = _min(gain, _max(-reserves, 0.0))
    free = gain - repay
    support = _min((1.0 - borne_share) * loss, cap)
    return repay + retained * free, (1.0 - retained) * free, loss - support, support


@_jit
def balance_year(
    kept: Any,
    paid: Any,
    t_in: Any,
    drawn: Any,  # (D, B) reserves drawn to spend beyond need
    spent: Any,
    t_out: Any,
    charge: Any,  # (D, B) transition charge paid out
    allocation: Any,
    reserves: Any,
    rules: Any,  # (5, B): support limit, savings retained, overspend borne, corridor width, centre share
    corridor: bool,
    out: Any,  # (7, D, B): to reserves, returned, borne, support, change, income, reserves after
) -> None:
    """:func:`steps.balance_and_risk`: each budget's surplus settled within its risk rules, reserves moved."""
    limit, retained, borne_share, width, centre_share = rules[0], rules[1], rules[2], rules[3], rules[4]
    for d in range(kept.shape[0]):
        for k in range(kept.shape[1]):
            surplus = kept[d, k] + paid[d, k] + t_in[d, k] + drawn[d, k] - spent[d, k] - t_out[d, k] - charge[d, k]
            cap = _support_cap(limit[k], allocation[d, k])
            if corridor:
                limited = math.isfinite(width[k])
                band = width[k] * abs(allocation[d, k]) if limited else math.inf
                inside = _min(_max(surplus, -band), band)
                shared = (centre_share[k] if limited else 0.0) * (surplus - inside)
                settled = _settle(surplus - shared, retained[k], borne_share[k], reserves[d, k], cap)
                to_res, returned, borne, support = settled
                returned = returned + _max(shared, 0.0)
                support = support + _max(-shared, 0.0)
            else:
                to_res, returned, borne, support = _settle(surplus, retained[k], borne_share[k], reserves[d, k], cap)
            change = to_res - borne - drawn[d, k]
            out[0, d, k], out[1, d, k], out[2, d, k], out[3, d, k] = to_res, returned, borne, support
            out[4, d, k] = change
            out[5, d, k] = kept[d, k] + paid[d, k] + t_in[d, k] - t_out[d, k]
            out[6, d, k] = reserves[d, k] + change


@_jit
def floors_year(
    spent_p: Any,  # (D, pairs)
    need_p: Any,
    pair_budget: Any,  # (pairs,) the budget of each held pair
    pair_floor: Any,  # (pairs,) the floor of each pair's line
    streak_before: Any,  # (D, B)
    settled: Any,  # (7, D, B) :func:`balance_year`'s output
    allocation: Any,
    share: float,
    years: int,
    streak: Any,  # out (D, B)
    flags: Any,  # out (4, D, B) bool: floor breached, deficit, floor, either
) -> None:
    """:func:`steps.floors_and_intervention`: floors breached on the held lines (need-adjusted spend below the
    line's floor), their streak, and the intervention trigger."""
    D, B = streak.shape
    breached = flags[0]
    breached[:] = False
    for d in range(D):
        for p in range(pair_budget.shape[0]):
            need = need_p[d, p]
            ratio = spent_p[d, p] / need if need > 0 else 1.0
            if ratio < pair_floor[p] - 1e-12:
                breached[d, pair_budget[p]] = True
    to_res, returned, borne, support, reserves = settled[0], settled[1], settled[2], settled[3], settled[6]
    for d in range(D):
        for k in range(B):
            streak[d, k] = streak_before[d, k] + 1.0 if breached[d, k] else 0.0
            surplus = to_res[d, k] + returned[d, k] - borne[d, k] - support[d, k]
            limit = share * abs(allocation[d, k])
            deficit = -surplus > limit or -reserves[d, k] > limit
            floor = streak[d, k] >= years
            flags[1, d, k], flags[2, d, k], flags[3, d, k] = deficit, floor, deficit or floor


@_jit
def plan_year(
    spent: Any,
    unmet: Any,
    reinvest: Any,
    income: Any,
    paid_out: Any,  # (D, B) this year's transition charge
    last_base: Any,  # (D, B) last year's base; ignored unless ``has_last``
    has_last: bool,
    reserves: Any,
    allocation: Any,  # (2, B): this year's and next year's
    charge: Any,  # (D, B) next year's transition charge
    borne_share: Any,  # (B,)
    limit: Any,  # (B,)
    response: Any,  # (D,)
    runs_next: Any,  # (B,) 1 where the budget runs next year
    max_cut: float,
    headroom_share: float,
    out: Any,  # (3, D, B): cut, headroom, base
) -> None:
    """:func:`steps.plan_next_year` in a year that opens no phase: next year's cut and headroom
    (:func:`behaviour.plan`) from this year's outturn, and this year's base."""
    for d in range(spent.shape[0]):
        for k in range(spent.shape[1]):
            rise = allocation[1, k] - allocation[0, k]
            cap = _support_cap(limit[k], allocation[1, k])
            base = spent[d, k] + unmet[d, k] - reinvest[d, k]
            expected = income[d, k] + rise - charge[d, k]
            money = income[d, k] - paid_out[d, k]
            fallback = expected / money if money > 0 else 1.0
            growth = fallback
            if has_last and last_base[d, k] > 0:
                growth = base / last_base[d, k]
            forecast = base * growth
            gap = forecast - expected
            deficit = _max(gap, 0.0)
            met = _min((1.0 - borne_share[k]) * deficit, cap)
            to_bear = deficit - met + response[d] * _max(-reserves[d, k], 0.0)
            cut = _min(to_bear / forecast, max_cut) if forecast > 0 else 0.0
            out[0, d, k] = cut * runs_next[k]
            out[1, d, k] = headroom_share * _max(-gap, 0.0) * runs_next[k]
            out[2, d, k] = base


@_jit
def reinvest_year(up_need: Any, reserves: Any, share: Any, headroom: Any, out: Any) -> None:
    """:func:`steps.reinvestment`'s money per budget: ``share`` of positive reserves drawn plus the planned
    headroom, where the budget has upstream need; and its rate per £ of that need. ``out`` (3, D, B):
    reinvested, drawn from reserves, rate."""
    for d in range(up_need.shape[0]):
        for k in range(up_need.shape[1]):
            drawn = share[d] * _max(reserves[d, k], 0.0)
            if up_need[d, k] > 0:
                out[0, d, k] = drawn + headroom[d, k]
                out[1, d, k] = drawn
                out[2, d, k] = out[0, d, k] / up_need[d, k]
            else:
                out[0, d, k], out[1, d, k], out[2, d, k] = 0.0, 0.0, 0.0 / 1.0


@_jit
def conservation_year(
    alloc: Any,
    kept: Any,
    paid: Any,
    t_in: Any,
    t_out: Any,
    spent: Any,
    change: Any,
    returned: Any,
    support: Any,
    reserves: Any,
    charge: Any,
    envelope: float,
) -> Any:
    """:func:`steps.conservation_check`: (every flow finite, the largest relative gap): a budget's money in
    against money out (:func:`balance.conservation_gap`), the allocations against the envelope, and
    transfers in against transfers out, the last two from rows summed in NumPy's order. A sum is finite
    exactly when every term is (money never nears the float64 limit), so each flow is checked through the
    sums it enters, in the same pass."""
    gap = -math.inf
    for d in range(kept.shape[0]):
        for k in range(kept.shape[1]):
            money_in = kept[d, k] + paid[d, k] + t_in[d, k] + support[d, k]
            out = spent[d, k] + charge[d, k] + t_out[d, k] + change[d, k] + returned[d, k]
            if not (math.isfinite(money_in + out) and math.isfinite(reserves[d, k])):
                return False, math.nan
            gap = _max(gap, abs(money_in - out) / _max(abs(money_in), 1.0))
    scale = max(envelope, 1.0)
    ledger = transfers = -math.inf
    for d in range(kept.shape[0]):
        allocated = _pairwise(alloc[d])
        if not math.isfinite(allocated):
            return False, math.nan
        ledger = _max(ledger, abs(allocated - envelope) / scale)
        transfers = _max(transfers, abs(_pairwise(t_in[d]) - _pairwise(t_out[d])) / scale)
    return True, max(gap, ledger, transfers)


@_jit
def run_factors(spread_cut: Any, savings: Any, eff_runs: Any, out: Any) -> None:
    """:func:`steps.efficiency_and_cuts` where budgets both save and cut, from the cuts spread to (line, run)
    cells (D, lines × runs): ``1 − Σ saving × where`` per clock, ``1 − cut`` and their product; ``savings``
    (clocks, D) is each clock's saving this year, ``eff_runs`` (clocks, lines × runs) where its budgets save,
    ``out`` (3, D, lines × runs)."""
    for d in range(spread_cut.shape[0]):
        for o in range(spread_cut.shape[1]):
            share = savings[0, d] * eff_runs[0, o]
            for c in range(1, savings.shape[0]):
                share = share + savings[c, d] * eff_runs[c, o]
            efficiency, kept = 1.0 - share, 1.0 - spread_cut[d, o]
            out[0, d, o], out[1, d, o], out[2, d, o] = efficiency, kept, efficiency * kept


@_jit
def spend_and_unmet(
    need: Any,  # (D, L, runs) need after prevention
    factors: Any,  # (3, D, L, runs) :func:`run_factors`' efficiency, cut and product
    row_of: Any,  # (L,) each line's place in ``rows`` (-1: spend is need × factor)
    rows: Any,  # (n, D, runs) spend of the lines built atom by atom
    out: Any,  # (2, D, L, runs): spend, need rationed away by cuts
) -> None:
    """:func:`steps.need_prevention_caps_shift`'s run-level spend (need × factor, or the line's row built
    atom by atom) and unmet need (``(1 − cut) × need × efficiency``) in one pass."""
    for d in range(need.shape[0]):
        for j in range(need.shape[1]):
            for r in range(need.shape[2]):
                n = need[d, j, r]
                spend = n * factors[2, d, j, r] if row_of[j] < 0 else rows[row_of[j], d, r]
                out[0, d, j, r] = spend
                out[1, d, j, r] = (1.0 - factors[1, d, j, r]) * (n * factors[0, d, j, r])


@_jit
def line_totals(spent: Any, rate: Any, need: Any, unmet: Any, out: Any) -> None:
    """The year's national series per draw and line (:meth:`engine.Outputs.record`): spend plus reinvestment
    (the run's reinvestment ``rate`` × need), need and unmet need, each summed over runs in NumPy's pairwise
    order; ``out`` (3, D, L)."""
    total = np.empty(spent.shape[2])
    for d in range(spent.shape[0]):
        for j in range(spent.shape[1]):
            for r in range(spent.shape[2]):
                total[r] = spent[d, j, r] + rate[d, j, r] * need[d, j, r]
            out[0, d, j] = _pairwise(total)
            out[1, d, j] = _pairwise(need[d, j])
            out[2, d, j] = _pairwise(unmet[d, j])
