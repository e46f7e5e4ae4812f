"""Transition costs as a per-year profile: paid from the year the reform starts, with the savings."""

from __future__ import annotations

import numpy as np
import pytest

from devocare.simulation import transition
from devocare.simulation.parameters import defaults

pytestmark = pytest.mark.unit


def _values() -> dict[str, float]:
    params = defaults()
    return {p: params[p] for p in params.params if p.startswith("transition.")}


def test_costs_fall_from_the_start_year_and_add_up() -> None:
    values = _values()
    out = transition.profile(values, "2027-04-01", 10)
    one_off = values["transition.redundancy"] + values["transition.reorganisation"]
    one_off += values["transition.double_running"] * transition.icb_running_costs()
    assert out["one_off"].sum() == pytest.approx(one_off)
    paid = np.flatnonzero(out["one_off"])
    assert list(paid) == [3, 4, 5]  # 2027/28 to 2029/30: the transition.years from the start year
    assert (out["saving"][:3] == 0).all() and (out["saving"][3:] == values["transition.running_cost_saving"]).all()


@pytest.mark.parametrize(
    ("start", "index"), [("2028-03-31", 3), ("2028-01-01", 3), ("2028-04-01", 4), ("2027-04-01", 3), ("2025-03-31", 0)]
)
def test_a_date_falls_in_the_financial_year_it_belongs_to(start: str, index: int) -> None:
    """A financial year runs 1 April to 31 March: 2028-03-31 is the last day of 2027/28, so a reform or a
    headcount step dated then is costed from 2027/28 (index 3 from 2024/25), as the phases date it."""
    import datetime as dt

    from devocare.simulation.phases import start_index

    assert start_index(dt.date.fromisoformat(start)) == index
    out = transition.profile(_values(), start, 8)
    assert int(np.flatnonzero(out["one_off"])[0]) == index
    assert int(np.flatnonzero(out["saving"])[0]) == index
    step = transition.Step("centre", dt.date.fromisoformat(start), 100.0, 0.0)
    steps = transition.step_profile(_values(), (step,), 8)
    assert int(np.flatnonzero(steps["saving"])[0]) == index


def test_running_costs_come_from_the_allocation_file() -> None:
    assert transition.icb_running_costs() == pytest.approx(0.90876)


def test_reform_at_the_base_date_pays_in_its_first_year_and_draws_broadcast() -> None:
    values = _values()
    draws = defaults().draw(3, np.arange(1, 6))
    values |= {p: v for p, v in draws.items() if p.startswith("transition.")}
    out = transition.profile(values, "2024-04-01", 4)
    assert out["one_off"].shape == (5, 4)
    n = int(round(values["transition.years"]))
    assert (out["one_off"][:, n:] == 0).all() and (out["one_off"][:, :n] > 0).all()
    assert len(np.unique(out["one_off"][:, 0])) == 5  # each draw its own cost
    late = transition.profile(_values(), "2040-04-01", 5)
    assert late["one_off"].sum() == 0 and late["saving"].sum() == 0  # beyond the horizon


def test_a_reform_pays_its_transition_from_its_start() -> None:
    """reform-aco-2024's bodies start on 2027-04-01: nothing is charged before 2027/28 (the status quo runs);
    from then its own budgets pay the one-off costs (with the redundancies of its centre's headcount path)
    less the saving; the status quo pays nothing; money is conserved with the charge."""
    import datetime as dt

    from devocare import architecture
    from devocare.simulation import simulate
    from devocare.simulation.transition import reform_start

    assert reform_start(architecture.load("reform-aco-2024")) == dt.date(2027, 4, 1)
    assert reform_start(architecture.load("status-quo-2023")) is None
    aco = simulate("reform-aco-2024", years=5, draws=0, waterfall=False)
    paid = aco.draws["transition_cost"][0].sum(axis=1)
    values = {k: p.value for k, p in defaults().params.items() if k.startswith("transition.")}
    steps = transition.planned_steps(architecture.load("reform-aco-2024"))  # its centre's headcount path
    assert steps
    expected = transition.charges(values, dt.date(2027, 4, 1), 5, steps)
    assert paid == pytest.approx(expected, rel=1e-12)
    assert (paid[:3] == 0).all() and (paid[3:] != 0).all()
    assert aco.run_record["conservation_max_gap"] <= 1e-9
    sq = simulate("status-quo-2023", years=5, draws=0, waterfall=False)
    assert not sq.draws["transition_cost"].any()
