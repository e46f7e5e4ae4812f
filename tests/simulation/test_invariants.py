"""Model invariants in every architecture: more funding never raises unmet need, and a larger prevention
effect never raises admissions. Unmet need is need not met by spend, per area and service line (a pooled
fund that moves who pays is not unmet need)."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation.runner import simulate

pytestmark = pytest.mark.integration
YEARS = 5


def _unmet(result) -> np.ndarray:
    """£ need not met by spend per year, summed over areas and lines (central run)."""
    c = result.central_atoms
    return np.maximum(c["need"] - c["spent"], 0.0).sum(axis=(1, 2))


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_more_funding_never_raises_unmet_need(arch_id: str) -> None:
    unmet = [
        _unmet(simulate(arch_id, years=YEARS, draws=0, waterfall=False, overrides={"funding.real_growth": g}))
        for g in (-0.01, 0.0, 0.02, 0.04)
    ]
    for less, more in zip(unmet, unmet[1:], strict=False):
        assert (more <= less * (1 + 1e-9) + 1.0).all(), (less, more)
    assert unmet[0].sum() > unmet[-1].sum()  # and the funding level matters


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_a_larger_prevention_effect_never_raises_admissions(arch_id: str) -> None:
    admissions = [
        simulate(arch_id, years=YEARS, draws=0, waterfall=False, overrides={"prevention.effect": e})
        .draws["admissions"][0]
        .sum(axis=1)
        for e in (0.0, 0.3, 0.9, 1.3)
    ]
    for weaker, stronger in zip(admissions, admissions[1:], strict=False):
        assert (stronger <= weaker * (1 + 1e-12)).all(), (weaker, stronger)
