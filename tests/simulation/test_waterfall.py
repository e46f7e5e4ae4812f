"""The waterfall is an exact Shapley decomposition: effects add up to the change with no remainder, a
factor that cannot act gets zero, and growing population raises spend."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import montecarlo, waterfall
from devocare.simulation.engine import FACTORS
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.results import spend_measures
from devocare.simulation.rules import build_rules
from devocare.simulation.runner import simulate


@pytest.mark.unit
def test_shapley_of_a_known_game_is_exact_and_symmetric() -> None:
    # v(S) = 2·[a] + 3·[b] + 4·[a and b]: a and b share the interaction equally (2 each)
    def game(s: frozenset[str]) -> dict[str, float]:
        return {"x": 2.0 * ("a" in s) + 3.0 * ("b" in s) + 4.0 * ({"a", "b"} <= s)}

    phi = waterfall.shapley(("a", "b", "c"), game)
    assert phi["a"]["x"] == pytest.approx(4.0) and phi["b"]["x"] == pytest.approx(5.0)
    assert phi["c"]["x"] == 0.0  # a dummy factor gets nothing
    assert sum(v["x"] for v in phi.values()) == pytest.approx(game(frozenset("abc"))["x"])


@pytest.mark.integration
@pytest.mark.parametrize("arch_id", ["reform-aco-2024", "reform-split-2024"])
def test_waterfall_adds_up_with_no_residual(arch_id: str) -> None:
    wf = simulate(arch_id, years=6, draws=0).waterfall
    for measure, g in wf.groupby("measure"):
        v = dict(zip(g["step"], g["value"], strict=True))
        effects = sum(v[f] for f in FACTORS)
        assert v["base"] + effects == pytest.approx(v["horizon"], rel=1e-12), measure
        assert abs(v["interaction"]) <= 1e-9 * abs(v["horizon"]), measure
    # demography raises total spend when the population grows
    by_step = wf.groupby("step")["value"].sum()
    assert by_step["demography"] > 0
    assert {"measure", "step", "value", "marginal"} <= set(wf.columns)


@pytest.mark.integration
@pytest.mark.parametrize("arch_id", ["status-quo-2023", "reform-aco-2024"])
def test_factors_left_out_of_the_game_cannot_act(arch_id: str) -> None:
    rules = build_rules(architecture.load(arch_id), "lad")
    model = dict(rules=rules, inputs=load_inputs("lad"), params=resolve(None), seed=0, years=4, backend="numpy")
    central = np.array([0])
    full = montecarlo.run_one_block(model, central, keep_atoms=False).national["spent_by_line"]
    inert = set(FACTORS) - set(waterfall.active_factors(FACTORS, rules))
    assert inert  # neither architecture has every mechanism
    off = montecarlo.run_one_block(model, central, frozenset(FACTORS) - inert, keep_atoms=False)
    np.testing.assert_array_equal(off.national["spent_by_line"], full)
    assert spend_measures(full[0, -1])["acute_spend"] > 0
