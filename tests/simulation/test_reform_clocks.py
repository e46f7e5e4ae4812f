"""A reform's clocks count from its start: its efficiency ramp and its settlement cycle start in 2027/28, not
2024/25, and the array engine and the per-atom reference agree on both (the step arithmetic itself is checked
on a synthetic block in ``test_steps.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import montecarlo, phases
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve

pytestmark = pytest.mark.integration
YEARS = 6  # 2024/25 to 2029/30: the split model starts in 2027/28; two-year settlements rebase first in 2029/30


def _split_with_two_year_settlements() -> object:
    arch = architecture.load("reform-split-2024")
    return arch.model_copy(update={"money": arch.money.model_copy(update={"settlement_years": 2})})


def test_engine_and_reference_agree_on_a_reforms_clocks(matches_reference) -> None:
    arch = _split_with_two_year_settlements()
    rules = phases.phased_rules(arch, "lad")
    assert rules.switch == 3 and rules.started(2) == 0 and rules.started(3) == rules.started(5) == 3
    assert any(rs.startswith("reform-split-2024") for rs in rules.rebasing)  # its rebasing runs from 2029/30
    params = resolve({"behaviour.efficiency_ramp_years": 2, "prevention.effect": 1.0})
    fixed = montecarlo.central_values(params, YEARS)
    inputs = load_inputs("lad")
    draws = [0, 1]
    values = montecarlo.draw_values(params, np.array(draws), 7, YEARS, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, YEARS)
    matches_reference(inputs, rules, fixed, values, result, YEARS, draws, arch.id)
