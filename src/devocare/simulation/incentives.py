"""Incentive fund (Denmark 2019/2021; reform-2024 §4.3.1 and §4.3.2): a top-slice of the grant held back and paid to
each budget on targets. Each criterion met releases a share of the budget's fund (a third in Denmark);
enough criteria release all of it.

reform-2024 §4.3.2 asks for specific incentives for secondary and for primary care, so each tier is paid on its own
criteria (``incentive_fund.tier_criteria``). Every criterion is computed from modelled quantities — fewer
emergency admissions per head, admissions avoided by prevention, readmissions, the elective floor met, a
rising share of spend on upstream services — except telemedicine and IT integration, which the model has no
mechanics for and draws with the probabilities of their own assumption-labelled parameters.

The fund is not a clawback: money a budget does not earn goes, by default, to the other budgets of its holder
group — the same holder's budgets for the same pots in its other areas, under the same rule set — in
proportion to what they earned (``unpaid: tier``), so a group as a whole gets back what was top-sliced from
it; ``unpaid: centre`` returns it to the centre instead (shown as unpaid incentive money).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def payout_fraction(xp: Any, criteria_met: Any, per_criterion: float, full_at: float) -> Any:
    """Share of the fund paid: min(1, n × per_criterion), or 1 when n ≥ full_at (``criteria_met`` counts)."""
    n = criteria_met
    return xp.where(n >= full_at, 1.0, xp.minimum(n * per_criterion, 1.0))


def criteria(
    xp: Any,
    admissions_per_head: Any,
    previous_per_head: Any,
    avoided_share: Any,
    chronic_target: float,
    readmissions_per_head: Any,
    previous_readmissions: Any,
    telemedicine: Any,
    it_integration: Any,
    selected: list[Any],
    elective_ratio: Any = None,
    elective_floor: Any = None,
    upstream_share: Any = None,
    previous_upstream: Any = None,
) -> Any:
    """Number of selected criteria met per (draw, budget): each input is (draw, budget), ``selected`` holds per
    criterion (in :data:`devocare.simulation.rules.CRITERIA` order) a (budget,) 1/0 of the budgets paid on it.

    ``elective_ratio`` is need-adjusted elective spend (below zero, −1, where a budget holds no elective care:
    never met) against ``elective_floor``; ``upstream_share`` is the share of the budget's spend on upstream services,
    met when it rises from ``previous_upstream``."""
    zero = xp.zeros_like(admissions_per_head, dtype=bool)  # never met, shaped like the inputs
    met = [
        admissions_per_head < previous_per_head,
        avoided_share >= chronic_target,
        readmissions_per_head < previous_readmissions,
        telemedicine,
        it_integration,
        zero if elective_ratio is None else elective_ratio >= elective_floor - 1e-12,
        zero if upstream_share is None else upstream_share > previous_upstream + 1e-12,
    ]
    return sum(xp.astype(flag, xp.float64) * on[None, :] for flag, on in zip(met, selected, strict=True))


def share_unpaid(xp: Any, fund: Any, paid: Any, group_of: Any, to_tier: Any, n_groups: int) -> Any:
    """What each budget receives from the fund once unearned money is placed: ``paid`` plus, where its group
    keeps unearned money (``unpaid: tier``; ``to_tier`` 1/0 per budget), a share of the group's unearned money in
    proportion to what it earned (to every budget in proportion to its fund where none earned anything).

    ``fund`` and ``paid`` are (draw, budget), ``group_of`` (budget,) host integer holder group of each budget
    (one holder's budgets for the same pots in one rule set). The
    total over a group that keeps its money equals the group's fund: nothing is clawed back. Group sums run
    over the budget axis one group at a time, so they do not depend on how many draws a block holds."""
    group_of, keep = np.asarray(group_of), np.asarray(to_tier) > 0
    earned = xp.zeros(paid.shape)
    unearned = xp.zeros(paid.shape)
    held = xp.zeros(paid.shape)
    for g in range(n_groups):
        idx = np.flatnonzero((group_of == g) & keep)
        if not len(idx):
            continue
        member = xp.asarray(((group_of == g) & keep).astype(float))[None, :]
        p_g = xp.sum(xp.take(paid, xp.asarray(idx), axis=1), axis=1)[:, None]
        f_g = xp.sum(xp.take(fund, xp.asarray(idx), axis=1), axis=1)[:, None]
        earned, held = earned + p_g * member, held + f_g * member
        unearned = unearned + (f_g - p_g) * member
    weight = xp.where(earned > 0, paid / xp.where(earned > 0, earned, 1.0), fund / xp.where(held > 0, held, 1.0))
    return paid + unearned * weight
