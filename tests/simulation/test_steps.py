"""Each step of a year on a small synthetic block — three atoms, three budgets, three lines — against flows
computed by hand. The steps read only the block, the carried state and the year's flows, so no real data is
needed: budget 0 is a local tier, budget 1 a regional (hospital) tier, budget 2 a national pot; atom a runs
in budget a (one atom per run)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from devocare.simulation import incentives, steps
from devocare.simulation.backend import HeldLines, RunMatrix
from devocare.simulation.state import Carried, Flows


@pytest.fixture(autouse=True)
def _three_line_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The synthetic blocks have three lines: 0 upstream, 1 elective, 2 emergency (the registry's positions
    differ and move when a line is added)."""
    from devocare.simulation import cofinancing

    monkeypatch.setattr(steps, "ELECTIVE", 1)
    monkeypatch.setattr(cofinancing, "NE", 2)


pytestmark = pytest.mark.unit
D, A, B, L = 1, 3, 3, 3
inf = np.inf
KERNELS = [False]  # whether the synthetic blocks run the fused kernels (set per test by the fixture below)


@pytest.fixture(autouse=True, params=[False, True], ids=["array-api", "kernels"])
def _both_paths(request: pytest.FixtureRequest) -> None:
    """Every step's rules hold on the array-API path and through the fused kernels alike."""
    from devocare.simulation import fused

    if request.param and not fused.AVAILABLE:
        pytest.skip("the fused kernels need Numba")
    KERNELS[0] = request.param


def _block(**changes: object) -> SimpleNamespace:
    rules = SimpleNamespace(
        holds=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),  # line l held by budget l
        savings_retained=np.array([1.0, 0.0, 0.5]),
        overspend_borne=np.array([1.0, 0.0, 0.5]),
        up_holds=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),  # line 0 is upstream
        upstream=np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        has_upstream=np.array([1.0, 0.0, 0.0]),
        criteria=[np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.0, 0.0])] + [np.zeros(3)] * 5,
        floors=np.array([0.9, 0.9, 0.9]),
        corridor=np.array([inf, inf, inf]),
        corridor_centre_share=np.zeros(3),
        support_limit=np.array([inf, inf, inf]),
        fund_group=np.array([0, 1, 2]),  # each budget its own group; unearned incentive money to the centre
        unpaid_to_tier=np.zeros(3),
        n_groups=3,
    )
    block = SimpleNamespace(
        xp=np,
        arch="synthetic",
        D=D,
        A=A,
        B=B,
        L=L,
        rules=rules,
        runs=RunMatrix(np, np.eye(3)),
        held=HeldLines(np, np.eye(3), rules.holds),  # each budget's one run; steps read its held lines
        prep=SimpleNamespace(starts=np.array([0, 1, 2]), envelope=np.array([300.0, 300.0, 300.0])),
        fixed={
            "funding.real_growth": 0.03,
            "incentives.chronic_target": 0.1,
            "incentives.payout_per_criterion": 1 / 3,
            "incentives.criteria_for_full_payout": 3,
            "intervention.deficit_share": 0.01,
            "intervention.floor_years": 2,
            "behaviour.headroom_spend_share": 1.0,
        },
        col={
            "incentives.readmission_trend_sd": np.zeros((1, 1)),
            "admissions.readmission_rate": np.full((1, 1), 0.1),
            "incentives.p_telemedicine": np.full((1, 1), 0.5),
            "incentives.p_it_integration": np.full((1, 1), 0.5),
            "behaviour.overspend_response": np.full((1, 1), 0.5),
            "cofinancing.cap_per_admission": np.full((1, 1), 1750.0),
            "admissions.unit_cost": np.full((1, 1), 3500.0),
        },
        central=np.ones((1, 1)),
        live=np.zeros((1, 1)),
        noise=np.zeros((1, 4, B, 3)),
        alloc=np.array([[100.0, 150.0, 50.0]] * 4),
        fund=np.array([[3.0, 0.0, 0.0]] * 4),
        pool_out=np.array([[0.0, 10.0, 0.0]] * 4),
        pool_in=np.array([[10.0, 0.0, 0.0]] * 4),
        cof=[],
        reb=[],
        pooling=True,
        top_any=True,
        obl_any=True,
        corridor_any=False,
        check=True,
        max_cut=0.5,
        years=4,
        transition=np.zeros((1, 4)),
        transition_share=np.zeros((4, 3)),
        growth_path=None,
        rule_sets_in=None,
        dated={},
        exists=None,
        switch=None,
        phase_starts=(),
        ceases=None,
        since={},
        fused_budgets=KERNELS[0],
        kernel_rows={},
    )
    for k, v in changes.items():
        setattr(block, k, v)
    return block


def _carried() -> Carried:
    z = np.zeros((D, B))
    return Carried(
        reserves=z,
        cut=z,
        walk=np.ones((D, B)),
        rebase={"rs": np.zeros((D, A))},
        rebase_b={"rs": z},
        last_avoided=np.zeros((D, A)),
    )


def test_co_financing_moves_a_share_of_residents_acute_spend() -> None:
    # the payer (budget 0) pays 30% of its residents' spend on lines 1 and 2 to the receiver (budget 1), whose
    # area holds the same residents: spend by line (rows) of each budget's residents (columns)
    b = _block(cof=[("rs", np.array([False, True, True]), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), 0.3)])
    f = Flows(t=0, ty=0, spent_lb=np.array([[[5.0, 5.0, 0], [40.0, 40.0, 7], [20.0, 20.0, 9]]]))
    steps.co_financing(b, _carried(), f)
    assert f.t_out.tolist() == [[0.3 * 60, 0.0, 0.0]] and f.t_in.tolist() == [[0.0, 0.3 * 60, 0.0]]


def test_co_financing_pays_at_most_the_cap_per_emergency_admission() -> None:
    # line 2 is the emergency line (acute_non_elective): at £3,500 an admission a cap of £350 is 10% of its
    # cost, below the 30% share, so the payer pays 10% of emergency spend and 30% of line 1's
    b = _block(cof=[("rs", np.array([False, True, True]), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), 0.3)])
    b.col["cofinancing.cap_per_admission"] = np.full((1, 1), 350.0)
    f = Flows(t=0, ty=0, spent_lb=np.array([[[5.0, 5.0, 0], [40.0, 40.0, 7], [20.0, 20.0, 9]]]))
    steps.co_financing(b, _carried(), f)
    assert f.t_out[0].tolist() == pytest.approx([0.3 * 40 + 0.1 * 20, 0.0, 0.0])
    assert f.t_in[0].tolist() == pytest.approx([0.0, 0.3 * 40 + 0.1 * 20, 0.0])


def test_rebasing_follows_the_shift_of_activity_at_settlement_ends() -> None:
    # settlements of 2 years: at t=2 half of last year's avoided cost moves from budget 1 to budget 0; both
    # tiers cover atoms 0 and 1 (runs × budgets membership), budget 2 atom 2
    M = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    b = _block(
        reb=[("rs", np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), 0.5, 2)],
        runs=RunMatrix(np, M),
        alloc=np.array([[100.0, 150.0, 50.0]] * 7),
    )
    c = _carried()
    c.last_avoided = np.array([[4.0, 6.0, 0.0]])
    f = Flows(t=2, ty=2, year=SimpleNamespace(avoided=np.array([[1.0, 1.0, 1.0]])))
    steps.allocation_and_rebasing(b, c, f)
    # rebase per atom = 0.5 × avoided = [2, 3, 0]; 5 moves from budget 1 to budget 0
    assert f.alloc_b.tolist() == [[100 + 5.0, 150 - 5.0, 50.0]]
    assert c.last_avoided.tolist() == [[1.0, 1.0, 1.0]]
    f3 = Flows(t=3, ty=3, year=SimpleNamespace(avoided=np.zeros((1, 3))))
    steps.allocation_and_rebasing(b, c, f3)  # between settlement ends the move stays
    assert f3.alloc_b.tolist() == [[105.0, 145.0, 50.0]]
    # at the next settlement end the rebase is set from the shift then (a level), not added to the last one
    c.last_avoided = np.array([[4.0, 6.0, 0.0]])
    f4 = Flows(t=4, ty=4, year=SimpleNamespace(avoided=np.zeros((1, 3))))
    steps.allocation_and_rebasing(b, c, f4)
    assert f4.alloc_b.tolist() == [[105.0, 145.0, 50.0]]
    c.last_avoided = np.array([[0.0, 0.0, 0.0]])  # activity back in hospital: the grants go back too
    f6 = Flows(t=6, ty=6, year=SimpleNamespace(avoided=np.zeros((1, 3))))
    steps.allocation_and_rebasing(b, c, f6)
    assert f6.alloc_b.tolist() == [[100.0, 150.0, 50.0]]


def test_pooled_fund_moves_who_pays_and_need_is_what_each_holds() -> None:
    b = _block()
    f = Flows(
        t=1,
        ty=1,
        t_in=np.zeros((1, 3)),
        t_out=np.zeros((1, 3)),
        spent_b=np.array([[80.0, 160.0, 40.0]]),
        demand_p=b.held.take(np.array([[[70.0, 1, 1], [2, 150.0, 2], [3, 3, 45.0]]])),
    )
    steps.pooled_funds(b, _carried(), f)
    assert f.t_out.tolist() == [[0, 10, 0]] and f.t_in.tolist() == [[10, 0, 0]]
    assert f.spent_b.tolist() == [[90.0, 150.0, 40.0]]  # the receiver spends the pooled money
    assert f.need_b.tolist() == [[70.0, 150.0, 45.0]]


def _before_incentives(
    held: HeldLines, avoided: np.ndarray, avoidable: np.ndarray, spent: np.ndarray, demand: np.ndarray
) -> Flows:
    """Year 2's flows as the incentive step finds them: allocations of 100, 150 and 50, 10 admissions per 100
    residents in each budget, the admissions ``avoided`` of the ``avoidable``, and spend and demand per line
    and budget (the step reads the lines each budget holds)."""
    return Flows(
        t=1,
        ty=1,
        alloc_b=np.array([[100.0, 150.0, 50.0]]),
        adm_b=np.array([[10.0, 10.0, 10.0]]),
        pop_b=np.array([[100.0, 100.0, 100.0]]),
        avoided_b=avoided,
        avoidable_b=avoidable,
        spent_p=held.take(spent),
        demand_p=held.take(demand),
        reinvest=np.zeros((1, 3)),
    )


def test_incentive_fund_pays_a_third_per_criterion_met() -> None:
    b = _block()
    c = _carried()
    c.prev_adm = np.array([[0.2, 0.1, 0.1]])  # admissions per head last year
    f = _before_incentives(
        b.held,
        avoided=np.array([[2.0, 0, 0]]),
        avoidable=np.array([[10.0, 1, 1]]),
        spent=np.array([[[100.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]),
        demand=np.array([[[100.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]),
    )
    steps.incentive_payments(b, c, f)
    # budget 0: admissions per head fell (0.1 < 0.2) and 20% of avoidable admissions avoided (≥ 10%): 2 of 3
    assert f.kept.tolist() == [[97.0, 150.0, 50.0]]
    assert f.paid[0].tolist() == pytest.approx([2 / 3 * 3.0, 0.0, 0.0])


def test_a_budget_that_began_this_year_cannot_improve_on_last_year() -> None:
    # budgets 0 and 1 both had 0.2 admissions per head last year and 0.1 this year; budget 1 began this year
    # (a phase start): the fall belongs to the budget it replaced, so only budget 0 meets the criterion
    b = _block(fund=np.array([[3.0, 3.0, 0.0]] * 4))
    b.rules.criteria = [np.array([1.0, 1.0, 0.0])] + [np.zeros(3)] * 6
    c = _carried()
    c.prev_adm = np.array([[0.2, 0.2, 0.1]])
    c.began = np.array([0.0, 1.0, 0.0])
    f = _before_incentives(
        b.held,
        avoided=np.zeros((1, 3)),
        avoidable=np.ones((1, 3)),
        spent=np.array([[[100.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]),
        demand=np.array([[[100.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]),
    )
    steps.incentive_payments(b, c, f)
    assert f.paid[0].tolist() == pytest.approx([1.0, 0.0, 0.0])
    assert c.began is None and c.prev_adm[0].tolist() == pytest.approx([0.1, 0.1, 0.1])


def _tiered_block(elective_spent: float, to_tier: list[float]) -> tuple[SimpleNamespace, Carried, Flows]:
    """Budget 0 is a local tier holding lines 0 (upstream) and 2, paid on a rising share of upstream spend;
    budget 1 a hospital tier holding elective care (line 1), paid on the elective floor; budgets 0 and 1
    form one group for unearned money; budget 2 is unpaid."""
    b = _block(fund=np.array([[3.0, 6.0, 0.0]] * 4))
    b.rules.holds = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    b.held = HeldLines(np, np.eye(3), b.rules.holds)
    b.rules.criteria = [np.zeros(3)] * 5 + [np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])]
    b.rules.fund_group, b.rules.unpaid_to_tier, b.rules.n_groups = np.array([0, 0, 1]), np.array(to_tier), 2
    c = _carried()
    c.prev_up = np.array([[0.25, 0.0, 0.0]])
    f = _before_incentives(
        b.held,
        avoided=np.zeros((1, 3)),
        avoidable=np.ones((1, 3)),
        # budget 0's residents: 30 on line 0 (upstream), 70 on line 2: an upstream share of 0.3, up from 0.25
        spent=np.array([[[30.0, 0, 0], [0, elective_spent, 0], [70.0, 0, 50.0]]]),
        demand=np.array([[[30.0, 0, 0], [0, 100.0, 0], [70.0, 0, 50.0]]]),
    )
    return b, c, f


def test_incentive_fund_pays_each_tier_on_its_own_criteria() -> None:
    # the local tier's upstream share rose (0.25 → 0.3) and the hospital tier's elective spend is 95% of need
    # (floor 90%): each meets its one criterion and is paid a third of its fund; nothing else counts
    b, c, f = _tiered_block(95.0, [0.0, 0.0, 0.0])
    steps.incentive_payments(b, c, f)
    assert f.paid[0].tolist() == pytest.approx([1.0, 2.0, 0.0])
    assert c.prev_up[0].tolist() == pytest.approx([0.3, 0.0, 0.0])
    b, c, f = _tiered_block(80.0, [0.0, 0.0, 0.0])  # below the elective floor: the hospital tier earns nothing
    steps.incentive_payments(b, c, f)
    assert f.paid[0].tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_unearned_incentive_money_stays_with_the_tier_not_clawed_back() -> None:
    # budget 1 earns nothing, budget 0 a third of 3: the group's 8 unearned go to budget 0, which earned it all
    b, c, f = _tiered_block(80.0, [1.0, 1.0, 0.0])
    steps.incentive_payments(b, c, f)
    assert f.paid[0].tolist() == pytest.approx([9.0, 0.0, 0.0])
    assert f.paid[0, :2].sum() == pytest.approx(f.fund[0, :2].sum())  # the tier gets back what was held
    # where no budget of the group earns anything, each gets its own fund back
    assert incentives.share_unpaid(
        np, np.array([[3.0, 6.0, 0.0]]), np.zeros((1, 3)), np.array([0, 0, 1]), np.array([1.0, 1.0, 0.0]), 2
    )[0].tolist() == pytest.approx([3.0, 6.0, 0.0])


def _before_balance(
    spent: tuple[float, float, float],
    kept: tuple[float, float, float] = (97.0, 150.0, 50.0),
    paid: tuple[float, float, float] = (2.0, 0.0, 0.0),
    pooled: float = 10.0,
) -> Flows:
    """A year's flows as the balance step finds them: allocations of 100, 150 and 50, the incentive money
    ``kept`` and ``paid``, ``pooled`` moved from budget 1 to budget 0, and ``spent``."""
    return Flows(
        t=0,
        ty=0,
        alloc_b=np.array([[100.0, 150.0, 50.0]]),
        kept=np.array([kept]),
        paid=np.array([paid]),
        t_in=np.array([[pooled, 0, 0]]),
        t_out=np.array([[0, pooled, 0]]),
        reinvest=np.zeros((1, 3)),
        reinvest_reserves=np.zeros((1, 3)),
        unmet_b=np.zeros((1, 3)),
        spent_b=np.array([spent]),
    )


def test_balance_keeps_returns_bears_and_supports_by_the_rules() -> None:
    b = _block()
    c = _carried()
    f = _before_balance(spent=(99.0, 150.0, 60.0))
    steps.balance_and_risk(b, c, f)
    steps.plan_next_year(b, c, f)
    # surpluses: 97+2+10−99 = +10 (kept), 150−150−10 = −10 (met by the centre), 50−60 = −10 (half borne)
    assert f.to_res.tolist() == [[10.0, 0, 0]] and f.returned.tolist() == [[0, 0, 0]]
    assert f.borne.tolist() == [[0, 0, 5.0]] and f.support.tolist() == [[0, 10.0, 5.0]]
    assert c.reserves.tolist() == [[10.0, 0, -5.0]]
    # next year's plan (same allocation, spend as this year): budget 2 cuts the 5 of the deficit it will bear
    # again plus half the 5 it carries; budget 0 spends its 10 of headroom; the centre meets budget 1's gap
    assert c.cut.tolist() == [[0.0, 0.0, (5 + 0.5 * 5) / 60]]
    assert c.headroom.tolist() == [[10.0, 0.0, 0.0]]
    steps.conservation_check(b, c, f)  # and the books balance


def test_deficit_support_stops_at_the_budgets_limit_and_the_rest_is_recovered_by_cuts() -> None:
    b = _block()
    b.rules.support_limit = np.array([inf, 0.05, inf])  # the centre meets at most 5% of budget 1's allocation
    c = _carried()
    f = _before_balance(spent=(99.0, 150.0, 60.0))
    steps.balance_and_risk(b, c, f)
    steps.plan_next_year(b, c, f)
    assert f.support.tolist() == [[0, 7.5, 5.0]] and f.borne.tolist() == [[0, 2.5, 5.0]]
    assert c.reserves.tolist() == [[10.0, -2.5, -5.0]]
    # the same plan for both: cut what it will bear of the gap again, plus half the deficit it carries
    assert c.cut[0].tolist() == pytest.approx([0.0, (2.5 + 0.5 * 2.5) / 150, (5 + 0.5 * 5) / 60])
    steps.conservation_check(b, c, f)


def test_balance_shares_beyond_a_corridor_with_the_centre() -> None:
    rules = _block().rules
    rules.corridor, rules.corridor_centre_share = np.array([0.02, inf, inf]), np.array([0.5, 0, 0])
    b = _block(rules=rules, corridor_any=True)
    c = _carried()
    f = _before_balance(spent=(90.0, 150.0, 50.0), kept=(100.0, 150.0, 50.0), paid=(0.0, 0.0, 0.0), pooled=0.0)
    steps.balance_and_risk(b, c, f)
    # budget 0: +10 against a ±2 corridor: keeps 2 + half of the other 8, returns 4
    assert f.to_res[0, 0] == pytest.approx(6.0) and f.returned[0, 0] == pytest.approx(4.0)
    steps.conservation_check(b, c, f)


def _settled(surplus: list[float], alloc: list[float]) -> Flows:
    """A year's flows after balance: every budget on its floor, the given surplus met by the centre or kept."""
    gain = np.maximum(np.array([surplus]), 0.0)
    loss = np.maximum(-np.array([surplus]), 0.0)
    z = np.zeros((D, B))
    return Flows(
        t=0,
        ty=0,
        spent_p=np.array([[100.0, 150.0, 50.0]]),  # each budget holds one line (pairs by budget)
        demand_p=np.array([[100.0, 150.0, 50.0]]),
        alloc_b=np.array([alloc]),
        to_res=gain,
        returned=z,
        borne=z,
        support=loss,
    )


def test_floors_flag_a_budget_spending_below_its_floor_for_consecutive_years() -> None:
    b = _block()
    c = _carried()
    f = _settled([0.0, 0.0, 0.0], [100.0, 150.0, 50.0])
    f.spent_p = b.held.take(np.array([[[85.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]))
    f.demand_p = b.held.take(np.array([[[100.0, 0, 0], [0, 150.0, 0], [0, 0, 50.0]]]))
    steps.floors_and_intervention(b, c, f)
    # one year below the floor is recorded but is not yet an intervention (intervention.floor_years = 2)
    assert f.breached.tolist() == [[True, False, False]] and f.flag.tolist() == [[False, False, False]]
    steps.floors_and_intervention(b, c, f)
    assert f.flag.tolist() == [[True, False, False]]
    assert f.flag_floor.tolist() == [[True, False, False]] and not f.flag_deficit.any()
    f.spent_p = f.demand_p  # back on the floor: the streak restarts
    steps.floors_and_intervention(b, c, f)
    assert not f.flag.any() and c.breach_streak.tolist() == [[0.0, 0.0, 0.0]]


def test_a_deficit_beyond_the_share_triggers_intervention_whoever_meets_it() -> None:
    b = _block()
    c = _carried()
    # budget 0 overspends 0.5 (0.5% of 100: below the 1% share); budget 1 overspends 3 of 150 (2%), met by the
    # centre as in the status quo; budget 2 is in surplus
    f = _settled([-0.5, -3.0, 4.0], [100.0, 150.0, 50.0])
    steps.floors_and_intervention(b, c, f)
    assert f.flag_deficit.tolist() == [[False, True, False]] and f.flag.tolist() == [[False, True, False]]


def test_a_tiny_negative_reserve_does_not_trigger_but_a_deep_one_does() -> None:
    b = _block()
    c = _carried()
    c.reserves = np.array([[-0.000452, -5.0, 0.0]])  # a tiny overdraft, and one of 3% of budget 1
    f = _settled([0.0, 0.0, 0.0], [100.0, 150.0, 50.0])
    steps.floors_and_intervention(b, c, f)
    assert f.flag.tolist() == [[False, True, False]]


def test_steps_run_in_the_documented_order() -> None:
    names = [s.name for s in steps.STEPS]
    assert names[0] == "efficiency_and_cuts" and names[-1] == "conservation_check"
    assert names.index("allocation_and_rebasing") < names.index("incentive_payments") < names.index("balance_and_risk")


def test_incentive_criteria_come_in_the_order_the_step_computes_them() -> None:
    from devocare.simulation.rules import CRITERIA

    # incentives.criteria computes the flags in this order; the schema's literal is the single list of names
    assert CRITERIA == (
        "admissions_per_citizen",
        "chronic_inpatient",
        "readmissions_30d",
        "telemedicine",
        "it_integration",
        "elective_floor",
        "prevention_spend_share",
    )


def test_every_waterfall_factor_belongs_to_a_step() -> None:
    from devocare.simulation.engine import FACTORS

    claimed = {f for s in steps.STEPS for f in s.factors}
    assert set(FACTORS) <= claimed and claimed <= set(FACTORS)


def test_a_successor_plans_with_the_deficit_it_inherits() -> None:
    # budget 0 ceases at the start (year 1) and hands its -30 to budget 1; the hand-over runs before the plan,
    # so budget 1 cuts next year for half the deficit it now carries (behaviour.overspend_response = 0.5)
    b = _block(
        switch=1,
        phase_starts=(1,),
        ceases=np.array([1, -1, -1]),
        exists=np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]),
        succeeded=np.array([1.0, 0.0, 0.0]),
        to_centre=np.zeros(3),
        handover=RunMatrix(np, np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])),
        fund=np.zeros((4, 3)),
    )
    c = _carried()
    c.reserves = np.array([[-30.0, 0.0, 0.0]])
    z = np.zeros((1, 3))
    money = np.array([[0.0, 150.0, 50.0]])  # the year's money meets each budget's spend
    f = Flows(t=1, ty=1, kept=money, paid=z, t_in=z, t_out=z, income=money, spent_b=money, unmet_b=z, reinvest=z)
    f.flag_deficit = f.flag_floor = np.zeros((1, 3), dtype=bool)
    f.returned, f.support, f.change = z, z, z
    names = [s.name for s in steps.STEPS]
    assert names.index("succession") < names.index("plan_next_year")
    steps.succession(b, c, f)
    steps.plan_next_year(b, c, f)
    assert c.reserves.tolist() == [[0.0, -30.0, 0.0]]
    assert c.cut[0].tolist() == pytest.approx([0.0, 0.5 * 30 / 150, 0.0])
    assert f.t_in.tolist() == [[0.0, -30.0, 0.0]] and f.t_out.tolist() == [[-30.0, 0.0, 0.0]]


def test_the_prevention_criterion_counts_only_upstream_lines_held() -> None:
    # budget 2 holds no upstream line: its spending beyond need goes to the lines it holds, yet its upstream
    # share stays 0 (never rising) however much it spends beyond need
    b, c, f = _tiered_block(95.0, [0.0, 0.0, 0.0])
    b.rules.up_holds = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # where each spends
    b.rules.criteria = [np.zeros(3)] * 6 + [np.array([1.0, 0.0, 1.0])]
    b.fund = np.array([[3.0, 6.0, 3.0]] * 4)
    f.reinvest = np.array([[0.0, 0.0, 10.0]])
    steps.incentive_payments(b, c, f)
    assert c.prev_up[0].tolist() == pytest.approx([0.3, 0.0, 0.0])
    assert f.paid[0].tolist() == pytest.approx([1.0, 0.0, 0.0])


def test_a_reforms_efficiency_ramp_counts_from_its_start() -> None:
    # a reform starting in year 3 (2027/28) with a 2-year ramp: no saving in its first year, half in its second,
    # all from 2029/30; before its start the budgets running (the predecessor's) count from the base year
    eff = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    b = _block(
        any_eff=True,
        obl_any=False,
        fixed={"behaviour.efficiency_ramp_years": 2},
        p={"behaviour.efficiency_saving": np.array([0.1])},
    )
    kept = []
    for t in range(7):
        b.eff_clocks = ((0, eff),) if t < 3 else ((3, eff),)  # the phase from the reform's start: its budgets
        f = Flows(t=t, ty=t)
        steps.efficiency_and_cuts(b, _carried(), f)
        kept.append(float(f.eff_lr[0, 0, 0]))
    assert kept == pytest.approx([1.0, 0.95, 0.9, 1.0, 0.95, 0.9, 0.9])


def test_budgets_on_two_clocks_ramp_each_from_its_own_start() -> None:
    # from the reform's start (year 3) run 0 is under the reform's budget (its ramp restarts) and run 1 under
    # the fallback architecture's (its ramp started in the base year, so it saves in full: no restart)
    reform = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    fallback = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    b = _block(
        any_eff=True,
        obl_any=False,
        eff_clocks=((0, fallback), (3, reform)),
        fixed={"behaviour.efficiency_ramp_years": 2},
        p={"behaviour.efficiency_saving": np.array([0.1])},
    )
    f = Flows(t=3, ty=3)
    steps.efficiency_and_cuts(b, _carried(), f)
    assert f.eff_lr[0, 0, :2].tolist() == pytest.approx([1.0, 0.9])
    f = Flows(t=4, ty=4)
    steps.efficiency_and_cuts(b, _carried(), f)
    assert f.eff_lr[0, 0, :2].tolist() == pytest.approx([0.95, 0.9])


def test_a_reforms_first_rebase_comes_a_settlement_after_its_start() -> None:
    # a reform starting in year 3 with 2-year settlements rebases first in year 5, not in years 2 or 4
    M = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    b = _block(
        reb=[("rs", np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), 0.5, 2)],
        runs=RunMatrix(np, M),
        alloc=np.array([[100.0, 150.0, 50.0]] * 7),
        since={"rs": 3},
        rule_sets_in=lambda rs, t: t >= 3,  # the reform's rule set runs from its start
    )
    c = _carried()
    moved = []
    for t in range(7):
        c.last_avoided = np.array([[4.0, 6.0, 0.0]])
        f = Flows(t=t, ty=t, year=SimpleNamespace(avoided=np.array([[4.0, 6.0, 0.0]])))
        steps.allocation_and_rebasing(b, c, f)
        moved.append(float(f.alloc_b[0, 0]) - 100.0)
    assert moved == [0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 5.0]
