"""The mechanisms-off invariant (issue 11, 13a): with the shipped scenario that turns every reform mechanism
and the holders' money responses off, every built-in architecture spends, leaves unmet and admits exactly
what the status quo does, per area and year, in the central run and in every Monte Carlo draw. What the
invariant holds under is stated in the scenario file: with money responses on, a holder cuts or spends
beyond need according to its own budget, so architectures that pool different areas differ by design."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation.parameters import load_scenario
from devocare.simulation.runner import simulate

pytestmark = pytest.mark.integration
SCENARIO = Path(__file__).resolve().parents[2] / "src" / "devocare" / "scenarios" / "mechanisms-off.yaml"
BASELINE = "status-quo-2023"
YEARS, DRAWS = 6, 3


def _run(arch_id: str, scenario: object = SCENARIO) -> object:
    return simulate(arch_id, years=YEARS, draws=DRAWS, seed=7, scenario=scenario, waterfall=False)


@pytest.fixture(scope="module")
def baseline() -> object:
    return _run(BASELINE)


def _per_area(result: object) -> dict[str, np.ndarray]:
    """Central run per year and area (spend summed over lines) and every draw's national series."""
    c = result.central_atoms
    return {
        "spent": c["spent"].sum(axis=2),
        "need": c["need"].sum(axis=2),
        "admissions": c["admissions"],
        "draw_spent": result.national["spent_by_line"].sum(axis=2),
        "draw_admissions": result.national["admissions"],
        "unmet_need": result.draws["unmet_need"].sum(axis=2),
    }


@pytest.mark.parametrize("arch_id", [a for a in architecture.builtin_ids() if a != BASELINE])
def test_with_mechanisms_off_every_architecture_equals_the_status_quo(arch_id: str, baseline: object) -> None:
    ref, got = _per_area(baseline), _per_area(_run(arch_id))
    for key in ref:
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-9, atol=1e-3, err_msg=f"{arch_id} {key}")
    assert not got["unmet_need"].any()  # no holder rations: spending follows need everywhere


def test_the_scenario_turns_off_what_it_says(baseline: object) -> None:
    params = load_scenario(SCENARIO)
    assert params["behaviour.left_shift_rate"] == 0 and params["behaviour.max_cut_share"] == 0
    # and the invariant is not empty: with the default money responses the ACO differs from the status quo
    on = dict(params)
    for path in (
        "behaviour.headroom_spend_share",
        "behaviour.reinvest_share",
        "behaviour.max_cut_share",
        "behaviour.overspend_response",
    ):
        on.pop(path)
    differs = _per_area(_run("reform-aco-2024", {"parameters": on}))
    same = _per_area(_run(BASELINE, {"parameters": on}))
    assert not np.allclose(differs["spent"], same["spent"], rtol=1e-6)
