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
        for g in (0.0, 0.04)
    ]
    assert (unmet[1] <= unmet[0] * (1 + 1e-9) + 1.0).all(), (unmet[0], unmet[1])


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_a_larger_prevention_effect_never_raises_admissions(arch_id: str) -> None:
    admissions = [
        simulate(arch_id, years=YEARS, draws=0, waterfall=False, overrides={"prevention.effect": e})
        .draws["admissions"][0]
        .sum(axis=1)
        for e in (0.1, 0.9)
    ]
    assert (admissions[1] <= admissions[0] * (1 + 1e-12)).all(), (admissions[0], admissions[1])
