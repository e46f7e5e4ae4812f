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
from devocare.simulation.reference import MEASURES, reference_run
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration


def _compare(arch_id: str, years: int, draws: list[int], overrides: dict | None = None) -> None:
    params = resolve(overrides)
    fixed = {k: p.value for k, p in params.params.items()}
    rules = build_rules(architecture.load(arch_id), "lad")
    inputs = load_inputs("lad")
    values = montecarlo.draw_values(params, np.array(draws), 11, years, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, years)
    for i, d in enumerate(draws):
        ref = reference_run(
            inputs,
            rules,
            fixed,
            {k: v[i] for k, v in values.scalars.items()},
            values.shocks[i],
            values.criteria_noise[i],
            d == 0,
            years,
        )
        for m in MEASURES:
            np.testing.assert_allclose(
                result.budget[m][i], ref[m], rtol=1e-9, atol=1e-3, err_msg=f"{arch_id} {m} draw {d}"
            )
        np.testing.assert_allclose(result.national["admissions"][i], ref["national_admissions"], rtol=1e-9)
        np.testing.assert_allclose(result.national["spent_by_line"][i], ref["national_spent_by_line"], rtol=1e-9)


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_engine_matches_reference(arch_id: str) -> None:
    _compare(arch_id, years=6, draws=[0, 3])


def test_engine_matches_reference_with_caps_and_cofinancing_levers() -> None:
    # stronger levers so every mechanism moves money: prevention, left shift, caps' marginal price
    _compare(
        architecture.builtin_ids()[0],
        years=4,
        draws=[0],
        overrides={"prevention.effect": 1.0, "behaviour.left_shift_rate": 0.01},
    )


def test_engine_matches_reference_with_a_risk_corridor() -> None:
    from pathlib import Path

    _compare(str(Path(__file__).resolve().parent / "data" / "aco-risk-corridor.yaml"), years=6, draws=[0, 2])


def test_reference_runs_the_engines_steps_in_order() -> None:
    from devocare.simulation.reference import STEP_NAMES
    from devocare.simulation.steps import STEPS

    assert STEP_NAMES == tuple(s.name for s in STEPS if s.name != "conservation_check")


def test_engine_matches_reference_with_a_binding_co_financing_cap() -> None:
    # £500 an admission is below 34% of £3,500, so the cap sets what the local tier pays on emergency care
    _compare("reform-split-2024", years=3, draws=[0, 1], overrides={"cofinancing.cap_per_admission": 500.0})
