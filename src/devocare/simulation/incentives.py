"""Incentive fund (Denmark 2019/2021; 004 §4.3.1): a top-slice of the grant held back and paid to each
budget on targets — fewer admissions per citizen, less in-hospital treatment of chronic patients, fewer
30-day readmissions, more telemedicine, IT integration. Each criterion met releases a share of the
budget's fund (a third in Denmark); enough criteria release all of it. What is not paid returns to the
centre."""

from __future__ import annotations

from typing import Any


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
) -> Any:
    """Number of selected criteria met per (draw, budget): each input is (draw, budget), ``selected`` holds per
    criterion (in :data:`devocare.simulation.rules.CRITERIA` order) a (budget,) 1/0 of the budgets paid on it."""
    met = [
        admissions_per_head < previous_per_head,
        avoided_share >= chronic_target,
        readmissions_per_head < previous_readmissions,
        telemedicine,
        it_integration,
    ]
    return sum(xp.astype(flag, xp.float64) * on[None, :] for flag, on in zip(met, selected, strict=True))
