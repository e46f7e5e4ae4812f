"""Each mechanism against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from devocare.simulation import balance, behaviour, cofinancing, demand, funding, incentives, prevention

pytestmark = pytest.mark.unit
xp = np


def test_demand_growth() -> None:
    # year 6 of a 5-year projection: population grows 2 years beyond it, ageing and non-demographic 6 years
    g = demand.growth(xp, 6, 5, np.array([0.01]), np.array([0.002]), np.array([[0.02, 0.0]]))
    assert g[0, 0] == pytest.approx(1.01**2 * 1.002**6 * 1.02**6)
    assert g[0, 1] == pytest.approx(1.01**2 * 1.002**6)
    assert demand.financial_years("2024/25", 3) == ["2024/25", "2025/26", "2026/27"]


def test_prevention_lag_and_diminishing_returns() -> None:
    w = prevention.lag_weights([0.0, 0.25, 0.5, 0.75, 1.0])
    assert w == [0.0, 0.25, 0.25, 0.25, 0.25]
    # £100 a year for three years: this year's spend has no effect yet, the two earlier years a quarter each
    assert prevention.lagged_spend(xp, [np.array(100.0)] * 3, w) == pytest.approx(50.0)
    # slope 0.3 at zero, ceiling approached from below
    small = prevention.avoided_cost(xp, np.array([1.0]), 0.3, np.array([1e9]))
    assert small[0] == pytest.approx(0.3, rel=1e-6)
    big = prevention.avoided_cost(xp, np.array([1e12]), 0.3, np.array([1000.0]))
    assert big[0] == pytest.approx(1000.0)
    mid = prevention.avoided_cost(xp, np.array([1000.0]), 0.5, np.array([1000.0]))
    assert mid[0] == pytest.approx(1000 * (1 - math.exp(-0.5)))
    assert prevention.avoided_cost(xp, np.array([5.0]), 0.3, np.array([0.0]))[0] == 0.0


def test_block_grant_fixed_for_the_settlement() -> None:
    from devocare.allocation.grants import settlement_starts, year_envelope

    assert settlement_starts(7, 5).tolist() == [0, 0, 0, 0, 0, 5, 5]
    # year 3 (t=2) of a settlement begun at t=0: 2% growth twice, 1% indexation twice; 1.2% top slice
    line, sliced = year_envelope({"x": 1000.0}, 2, 0, 0.02, 0.01, 0.012)
    assert line["x"] == round(1000 * 1.02**2 * 1.01**2 * 100)
    assert sliced["x"] == round(line["x"] * 0.012)


def test_area_grant_spread_over_atoms_by_need() -> None:
    # two areas; atom 1 straddles them (40% / 60%); this rule set runs atoms 0 and 1 fully and atom 2 half
    H_full = np.array([[1.0, 0.0], [0.4, 0.6], [0.0, 1.0]])
    H = H_full * np.array([1.0, 1.0, 0.5])[:, None]
    heads = np.array([[10.0], [20.0], [30.0]])
    grant = np.array([[180.0], [420.0]])  # area need: 10 + 8 = 18 and 12 + 30 = 42 → £10 per head
    held, per_atom = funding.spread(grant, H_full, H, heads)
    assert held[:, 0].tolist() == pytest.approx([180.0, 420.0 - 150.0])  # half of atom 2's £300 runs elsewhere
    assert per_atom[:, 0].tolist() == pytest.approx([100.0, 200.0, 300.0])


def test_cofinancing_payment_and_hospital_funding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cofinancing, "NE", 2)  # three synthetic lines, the third the emergency line
    # (draw, line, budget): the payer's residents spend 100 and 50 on the two co-financed lines, 20 on another
    spent = np.array([[[100.0, 7.0], [50.0, 0.0], [20.0, 1.0]]])
    lines = np.array([True, True, False])
    big, unit = np.full((1, 1), 1e9), np.full((1, 1), 3500.0)
    shares = cofinancing.line_shares(xp, lines, 0.34, big, unit)
    assert cofinancing.payments(spent, shares)[0].tolist() == pytest.approx([0.34 * 150, 0.34 * 7])
    # line 2 is the emergency line: a £350 cap on a £3,500 admission pays 10% of it, below the 34% share
    capped = cofinancing.line_shares(xp, np.array([True, True, True]), 0.34, np.full((1, 1), 350.0), unit)
    assert capped[0].tolist() == pytest.approx([0.34, 0.34, 0.1])
    assert cofinancing.payments(spent, capped)[0].tolist() == pytest.approx([0.34 * 150 + 0.1 * 20, 0.34 * 7 + 0.1])
    alloc = np.array([[200.0], [100.0], [40.0]])  # (line, atom)
    assert cofinancing.hospital_funding_to_local(alloc, lines, 0.3)[0] == pytest.approx(90.0)
    assert cofinancing.admissions_factor(-0.02, np.array([1.0, 0.0])).tolist() == [0.98, 1.0]


def test_incentive_payout_follows_the_danish_rule() -> None:
    met = np.array([0.0, 1.0, 2.0, 3.0, 5.0])
    frac = incentives.payout_fraction(xp, met, 1 / 3, 3)
    assert frac.tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0, 1.0])
    n = incentives.criteria(
        xp,
        np.array([[1.0]]),
        np.array([[2.0]]),
        np.array([[0.02]]),
        0.01,
        np.array([[3.0]]),
        np.array([[2.0]]),
        np.array([[1.0]]),
        np.array([[0.0]]),
        [np.array([float(on)]) for on in (True, True, True, False, True, False, False)],
    )
    assert n[0, 0] == 2.0  # admissions fell, chronic target met, readmissions rose, telemedicine off, IT not met


def test_behaviour_left_shift_caps_and_cuts() -> None:
    invest = behaviour.left_shift(np.array([[1000.0]]), np.array([0.005]), 1.0, np.array([0.5]), True, 1)
    assert invest[0, 0] == pytest.approx(0.005 * 2 * 1000 * 0.5)
    assert behaviour.left_shift(np.array([[1000.0]]), np.array([0.005]), 0.34, np.array([0.5]), False, 0)[
        0, 0
    ] == pytest.approx(0.005 * 0.34 * 1000)
    paid = behaviour.capped(xp, np.array([120.0, 80.0]), np.array([100.0, 100.0]), 0.6)
    assert paid.tolist() == pytest.approx([100 + 0.6 * 20, 80.0])
    assert behaviour.efficiency(0.01, 3, 0) == 0.0  # none in the observed base year
    assert behaviour.efficiency(0.01, 3, 1) == pytest.approx(0.01 / 3)


def test_risk_corridor_shares_only_what_lies_beyond_it() -> None:
    # allocation 1000, corridor ±2% (±20), centre takes 50% beyond it; the budget keeps savings and bears losses
    surplus = np.array([[10.0, 50.0, -50.0, -10.0, 50.0]])
    alloc = np.array([[1000.0, 1000.0, 1000.0, 1000.0, 1000.0]])
    width = np.array([[0.02, 0.02, 0.02, 0.02, np.inf]])  # the last budget has no corridor
    to_res, returned, borne, met = balance.settle_in_corridor(xp, surplus, alloc, 1.0, 1.0, width, 0.5)
    assert to_res[0].tolist() == pytest.approx([10.0, 20 + 15, 0.0, 0.0, 50.0])
    assert returned[0].tolist() == pytest.approx([0.0, 15.0, 0.0, 0.0, 0.0])
    assert borne[0].tolist() == pytest.approx([0.0, 0.0, 20 + 15, 10.0, 0.0])
    assert met[0].tolist() == pytest.approx([0.0, 0.0, 15.0, 0.0, 0.0])
    np.testing.assert_allclose(to_res + returned - borne - met, surplus, rtol=0, atol=1e-12)
    # without a corridor it is the plain settlement, bit for bit
    plain = balance.settle(xp, surplus, 0.7, 0.4)
    none = balance.settle_in_corridor(xp, surplus, alloc, 0.7, 0.4, np.full((1, 5), np.inf), 0.5)
    for a, b in zip(plain, none, strict=True):
        assert np.array_equal(a, b)
    assert behaviour.efficiency(0.01, 3, 5) == pytest.approx(0.01)
    spend = np.full(3, 1000.0)  # a balanced forecast: the cut recovers a carried deficit, at most max_cut
    cut, _ = behaviour.plan(xp, spend, None, spend, spend, np.array([-50.0, 10.0, -1e6]), 1.0, np.inf, 0.5, 0.5)
    assert cut.tolist() == pytest.approx([0.025, 0.0, 0.5])


def test_balance_splits_surplus_and_deficit() -> None:
    to_res, returned, borne, support = balance.settle(xp, np.array([100.0, -40.0]), 0.75, 0.25)
    assert to_res.tolist() == [75.0, 0.0] and returned.tolist() == [25.0, 0.0]
    assert borne.tolist() == [0.0, 10.0] and support.tolist() == [0.0, 30.0]
    ratio = balance.need_adjusted_ratio(xp, np.array([90.0, 5.0]), np.array([100.0, 0.0]))
    assert ratio.tolist() == [0.9, 1.0]
    flag = balance.intervention(np.array([-1.0, 5.0, 5.0]), np.array([False, True, False]))
    assert flag.tolist() == [True, True, False]
    assert (
        balance.conservation_gap(
            xp, np.array([100.0]), np.array([60.0]), np.array([10.0]), np.array([20.0]), np.array([10.0])
        )
        == 0.0
    )
