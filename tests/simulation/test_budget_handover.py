"""A body's budget dashboard across a pot's date: the balance the body's old budget hands to its new one is
recorded (``handed_over`` out, ``taken_over`` in) and netted out of the dashboard's transfers exactly, while
co-financing received and Better Care Fund payments in the same year stay income and outgo.

The fixture architecture is the status quo with ICBs keeping their own results (so an ICB has a balance to
hand over in 2025/26, when the delegated specialised pot joins its budget) and councils co-financing the
ICBs' hospital care (so an ICB receives transfers while it pays into the Better Care Fund).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devocare.simulation import montecarlo, phases, simulate
from devocare.simulation.backend import namespace
from devocare.simulation.budget import body_budgets, budget_view
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve

pytestmark = pytest.mark.integration
ARCH = str(Path(__file__).parent / "data" / "status-quo-icb-cofinanced.yaml")
ICB = "icb:E54000008"
SWITCH = 1  # 2025/26


@pytest.fixture(scope="module")
def run():
    return simulate(ARCH, years=3, draws=4, seed=5, waterfall=False)


def _income(d: dict[str, np.ndarray], picked: list[int]) -> np.ndarray:
    """(draws+1, years) the picked budgets' income before any netting: allocation less top-slice, incentive
    payments and every transfer received."""
    s = {m: d[m][:, :, picked].sum(axis=2) for m in ("allocated", "incentive_fund", "incentive_paid", "transfers_in")}
    return s["allocated"] - s["incentive_fund"] + s["incentive_paid"] + s["transfers_in"]


def test_the_hand_over_is_recorded_as_a_part_of_transfers(run) -> None:
    d = run.draws
    handed, taken = d["handed_over"], d["taken_over"]
    # balances handed over are balances taken over, only in the year a phase starts
    np.testing.assert_allclose(handed.sum(axis=2), taken.sum(axis=2), rtol=1e-12, atol=1e-3)
    assert not np.delete(handed, SWITCH, axis=1).any() and not np.delete(taken, SWITCH, axis=1).any()
    # a ceasing budget hands over its last year's reserves, as part of its transfers out
    old, new = body_budgets(run.budgets, ICB)
    np.testing.assert_allclose(handed[:, SWITCH, old], d["reserves"][:, SWITCH - 1, old], rtol=1e-12)
    np.testing.assert_allclose(taken[:, SWITCH, new], handed[:, SWITCH, old], rtol=1e-12)
    assert np.abs(handed[:, SWITCH, old]).min() > 1e5  # a real balance in every draw
    assert (d["transfers_out"][:, SWITCH, old] == handed[:, SWITCH, old]).all()  # it pays nothing else


def test_the_dashboard_nets_exactly_the_internal_hand_over(run) -> None:
    d = run.draws
    picked = body_budgets(run.budgets, ICB)
    assert len(picked) == 2
    view = budget_view(ARCH, ICB, result=run)
    internal = d["handed_over"][0, :, picked[0]]  # the old budget hands all of its balance to the new one
    assert abs(internal[SWITCH]) > 1e5
    expected = _income(d, picked)[0] - internal
    np.testing.assert_allclose(view.table["income_central"].to_numpy(), expected, rtol=1e-12)
    # co-financing received and the Better Care Fund paid in the same years are real money in and out ...
    transfers_in = d["transfers_in"][0][:, picked].sum(axis=1)
    transfers_out = d["transfers_out"][0][:, picked].sum(axis=1)
    assert (transfers_in - internal).min() > 1e8 and (transfers_out - internal).min() > 1e8
    # ... which the old rule (netting the smaller of transfers in and out) took for a hand-over every year
    old_rule = _income(d, picked)[0] - np.minimum(transfers_in, transfers_out)
    assert np.abs(old_rule - expected).min() > 1e8


def test_the_overspend_counts_the_hand_over_on_neither_side(run) -> None:
    view = budget_view(ARCH, ICB, result=run)
    d, picked = run.draws, body_budgets(run.budgets, ICB)
    s = {m: d[m][0][:, picked].sum(axis=1) for m in ("spent", "transition_cost", "transfers_out")}
    outgo = s["spent"] + s["transition_cost"] + s["transfers_out"] - d["handed_over"][0, :, picked[0]]
    np.testing.assert_allclose(
        view.table["overspend_central"].to_numpy(), outgo - view.table["income_central"].to_numpy(), rtol=1e-9
    )


def test_a_budget_handing_its_balance_to_another_body_is_not_netted() -> None:
    from devocare.architecture import load
    from devocare.service_lines import POPULATION_LINE, index
    from devocare.simulation.budget import handed_within

    rules = phases.phased_rules(load(ARCH))
    population = load_inputs("lad").weighted_heads[0][:, index(POPULATION_LINE)]
    budgets = rules.budget_table()
    by_body: dict[str, list[int]] = {}
    for row in budgets:
        by_body.setdefault(f"{row['holder']}:{row['area']}", []).append(int(row["budget"]))
    old, new = by_body[ICB]
    np.testing.assert_allclose(handed_within(rules, population, [old, new]), [1.0, 0.0])
    # an old budget of NHS England hands its balance to NHS England's new budget, not to an ICB's
    nhse = next(b for k, b in by_body.items() if k.startswith("nhse:") and len(b) == 2)
    np.testing.assert_allclose(handed_within(rules, population, [old, nhse[1]]), [0.0, 0.0])


def test_engine_records_the_hand_over_as_the_reference_does(matches_reference) -> None:
    params = resolve()
    years = 2
    fixed = montecarlo.central_values(params, years)
    from devocare.architecture import load

    rules = phases.phased_rules(load(ARCH), "lad")
    inputs = load_inputs("lad")
    draws = [0, 3]
    values = montecarlo.draw_values(params, np.array(draws), 11, years, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, years)
    assert np.abs(result.budget["handed_over"][:, SWITCH]).sum() > 1e6
    matches_reference(inputs, rules, fixed, values, result, years, draws, ARCH)
