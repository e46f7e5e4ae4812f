"""Headcount and running-cost paths feed the money: the posts a proposal removes cost redundancies before their
date and save running costs after it, and that saving reaches the architecture's own budgets."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydantic import ValidationError

from devocare import architecture as A
from devocare import atlas
from devocare.simulation import simulate, transition
from devocare.simulation.parameters import defaults


def _values() -> dict[str, float]:
    params = defaults()
    return {p: params[p] for p in params.params if p.startswith("transition.")}


def _without_paths(arch_id: str) -> A.Architecture:
    arch = A.load(arch_id)
    for body in arch.bodies:
        body.headcount_path, body.running_cost_path = {}, {}
    return arch


@pytest.mark.unit
def test_steps_follow_each_path_from_its_starting_figure() -> None:
    steps = transition.planned_steps(A.load("kingsfund-2017"))
    assert {(s.body, s.on, s.heads) for s in steps} == {
        ("nhse", dt.date(2020, 4, 1), 5776 - 4621),
        ("nhsi", dt.date(2020, 4, 1), 1224 - 979),
        ("ccg", dt.date(2020, 4, 1), 22000 - 17600),
    }
    tenyear = transition.planned_steps(A.load("ten-year-plan-2025"))
    icb = [s for s in tenyear if s.body == "icb"]
    assert len(icb) == 1 and icb[0].running_cost_gbp == pytest.approx(908.76e6 - 454.38e6)
    assert transition.planned_steps(A.load("status-quo-2023")) == ()


@pytest.mark.unit
def test_a_transfer_between_bodies_is_not_a_redundancy() -> None:
    """The ten-year plan moves NHS England's 15,300 posts into DHSC in April 2027 and halves the total by March
    2028: only the 9,300 posts removed pay redundancy; the running-cost cut saves from 2026/27 and the posts
    from 2027/28, the financial year 2028-03-31 falls in (a step is timed as a reform starting on its date)."""
    values = _values()
    out = transition.step_profile(values, transition.planned_steps(A.load("ten-year-plan-2025")), 10)
    assert out["one_off"].sum() * 1e9 == pytest.approx(9300 * values["transition.redundancy_per_head"])
    per_year = out["saving"] * 1e9
    assert per_year[:2] == pytest.approx([0.0, 0.0])
    assert per_year[2] == pytest.approx(454.38e6)
    assert per_year[3] == per_year[4] == pytest.approx(454.38e6 + 9300 * values["transition.cost_per_head"])
    assert np.flatnonzero(out["one_off"]).tolist() == [3, 4, 5]  # 2027/28 to 2029/30
    # each date is costed as a reform starting on it, so the steps follow the lump profile's timing
    lump = transition.profile(
        {
            **values,
            "transition.redundancy": 9300 * values["transition.redundancy_per_head"] / 1e9,
            "transition.reorganisation": 0.0,
            "transition.double_running": 0.0,
            "transition.running_cost_saving": 0.0,
        },
        dt.date(2028, 3, 31),
        10,
    )
    np.testing.assert_allclose(out["one_off"], lump["one_off"])


@pytest.mark.unit
def test_paths_replace_the_lump_estimates_they_spell_out() -> None:
    values = _values()
    aco = A.load("reform-aco-2024")
    steps = transition.planned_steps(aco)
    with_paths = transition.charges(values, transition.reform_start(aco), 8, steps)
    lump = transition.charges(values, transition.reform_start(aco), 8)
    removed = 15630 - (5000 - 3237)
    n = int(values["transition.years"])  # one-off costs fall over these years from the start (2027/28)
    one_off = (removed * values["transition.redundancy_per_head"] - values["transition.redundancy"] * 1e9) / n
    saving = removed * values["transition.cost_per_head"] - values["transition.running_cost_saving"] * 1e9
    expected = np.zeros(8)
    expected[3 : 3 + n] += one_off
    expected[3:] -= saving
    np.testing.assert_allclose(with_paths - lump, expected, rtol=1e-9, atol=1.0)


@pytest.mark.unit
def test_a_step_before_the_reform_starts_counts_from_the_start() -> None:
    """The ten-year plan halves ICB running costs from April 2026, but its budgets exist from April 2027 (the
    status quo runs before): the saving is paid to them from 2027/28, not lost in 2026/27."""
    values = _values()
    tenyear = A.load("ten-year-plan-2025")
    paid = transition.charges(values, transition.reform_start(tenyear), 6, transition.planned_steps(tenyear))
    assert paid[2] == 0
    without_icb = tuple(s for s in transition.planned_steps(tenyear) if s.body != "icb")
    other = transition.charges(values, transition.reform_start(tenyear), 6, without_icb)
    np.testing.assert_allclose(paid[3:] - other[3:], -454.38e6, rtol=1e-9)


def test_kingsfund_money_differs_from_its_baseline_by_the_posts_it_removes() -> None:
    """ham-2017's smaller centre and commissioning teams: 5,800 posts fewer from April 2020 save their running
    cost every year of the run, paid into the architecture's budgets; without the paths nothing changes."""
    values = _values()
    kf = simulate("kingsfund-2017", years=3, draws=0, waterfall=False)
    base = simulate(_without_paths("kingsfund-2017"), years=3, draws=0, waterfall=False)
    saving = 5800 * values["transition.cost_per_head"]
    paid, paid0 = kf.draws["transition_cost"][0].sum(axis=1), base.draws["transition_cost"][0].sum(axis=1)
    assert paid == pytest.approx(np.full(3, -saving))
    assert not paid0.any()
    # the saving is money the budgets keep or spend: their outgoings fall by it each year
    outgo = lambda r: (r.draws["spent"][0] + r.draws["transition_cost"][0]).sum()  # noqa: E731
    assert outgo(base) - outgo(kf) > 0
    assert kf.run_record["conservation_max_gap"] <= 1e-9


def test_the_metrics_read_each_path_on_the_date() -> None:
    tenyear = A.load("ten-year-plan-2025")
    before, after = atlas.metrics(tenyear, dt.date(2026, 3, 31)), atlas.metrics(tenyear)
    assert after["running_cost_gbp"] < before["running_cost_gbp"]
    assert after["central_headcount"] == pytest.approx(
        9300 + sum(b.headcount for b in tenyear.bodies_on() if b.tier == "national" and b.headcount and b.id != "dhsc")
    )
    aco = atlas.metrics(A.load("reform-aco-2024"))
    assert "dhsc" in aco["central_headcount_bodies"].split(",")


@pytest.mark.unit
def test_a_path_without_its_starting_figure_is_refused() -> None:
    data = {
        "id": "x",
        "name": "X",
        "kind": "department",
        "tier": "national",
        "statutory": True,
        "leadership": "appointed",
        "sources": ["assumption: test"],
        "headcount_path": {"2027-04-01": 10},
    }
    with pytest.raises(ValidationError, match="needs the headcount it starts from"):
        A.schema.Body.model_validate(data)
