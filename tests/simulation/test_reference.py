"""The vectorised engine reproduces the per-atom Python reference of the same mechanics."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import montecarlo
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration


@pytest.fixture
def compare(matches_reference):
    """Run an architecture through the engine and the per-atom reference and check they agree."""

    def run(arch_id: str, years: int, draws: list[int], overrides: dict | None = None) -> None:
        params = resolve(overrides)
        fixed = {k: p.value for k, p in params.params.items()}
        rules = build_rules(architecture.load(arch_id), "lad")
        inputs = load_inputs("lad")
        values = montecarlo.draw_values(params, np.array(draws), 11, years, len(inputs.lads), rules.n_budgets)
        result = run_block(namespace("numpy"), inputs, rules, fixed, values, years)
        matches_reference(inputs, rules, fixed, values, result, years, draws, arch_id)

    return run


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_engine_matches_reference(compare, arch_id: str) -> None:
    compare(arch_id, years=6, draws=[0, 3])


def test_engine_matches_reference_with_caps_and_cofinancing_levers(compare) -> None:
    # stronger levers so every mechanism moves money: prevention, left shift, caps' marginal price
    compare(
        architecture.builtin_ids()[0],
        years=4,
        draws=[0],
        overrides={"prevention.effect": 1.0, "behaviour.left_shift_rate": 0.01},
    )


def test_engine_matches_reference_with_a_risk_corridor(compare) -> None:
    from pathlib import Path

    compare(str(Path(__file__).resolve().parent / "data" / "aco-risk-corridor.yaml"), years=6, draws=[0, 2])


def test_reference_runs_the_engines_steps_in_order() -> None:
    from devocare.simulation.reference import STEP_NAMES
    from devocare.simulation.steps import STEPS

    assert STEP_NAMES == tuple(s.name for s in STEPS if s.name != "conservation_check")


def test_engine_matches_reference_with_a_binding_co_financing_cap(compare) -> None:
    # £500 an admission is below 34% of £3,500, so the cap sets what the local tier pays on emergency care
    compare("reform-split-2024", years=3, draws=[0, 1], overrides={"cofinancing.cap_per_admission": 500.0})
