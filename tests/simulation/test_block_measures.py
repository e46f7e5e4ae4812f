"""A block records the per-budget measures its caller asks for, with the same values as when it records all."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import montecarlo
from devocare.simulation.backend import namespace
from devocare.simulation.engine import BUDGET_MEASURES, run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration


def _block(measures=None):
    params = resolve(None)
    fixed = {k: p.value for k, p in params.params.items()}
    inputs = load_inputs("lad")
    rules = build_rules(architecture.load("reform-aco-2024"), "lad")
    values = montecarlo.draw_values(params, np.array([0, 5, 6]), 3, 6, len(inputs.lads), rules.n_budgets)
    return run_block(namespace("numpy"), inputs, rules, fixed, values, 6, measures=measures)


def test_a_block_records_only_the_measures_asked_for_with_the_same_values() -> None:
    full = _block()
    assert tuple(full.budget) == BUDGET_MEASURES
    asked = ("reserves", "need", "deficit_support")
    part = _block(asked)
    assert tuple(part.budget) == tuple(m for m in BUDGET_MEASURES if m in asked)  # in the engine's order
    for m in asked:
        np.testing.assert_array_equal(part.budget[m], full.budget[m], err_msg=m)
    for k in full.national:
        np.testing.assert_array_equal(part.national[k], full.national[k], err_msg=k)


def test_an_unknown_measure_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown budget measures"):
        _block(("reserves", "profit"))
