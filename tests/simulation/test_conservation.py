"""Money is conserved: in every architecture, year, budget and draw, money in = spent + transition charge +
transfers out + change in reserves + returned (national deficit support counted as money in)."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture, atlas
from devocare.simulation import simulate

pytestmark = pytest.mark.integration


def _gaps(result) -> float:
    d = result.draws
    money_in = d["allocated"] - d["incentive_fund"] + d["incentive_paid"] + d["transfers_in"] + d["deficit_support"]
    out = d["spent"] + d["transition_cost"] + d["transfers_out"] + d["reserve_change"] + d["returned"]
    return float((np.abs(money_in - out) / np.maximum(np.abs(money_in), 1.0)).max())


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_every_builtin_architecture_conserves_money(arch_id: str) -> None:
    result = simulate(arch_id, years=10, draws=3, seed=7, waterfall=False)
    assert _gaps(result) <= 1e-9
    assert result.run_record["conservation_max_gap"] <= 1e-9
    d = result.draws
    # reserves are the running sum of their changes
    assert np.allclose(d["reserves"], np.cumsum(d["reserve_change"], axis=1), rtol=1e-9, atol=1e-3)
    # co-financing and other transfers net to zero nationally
    assert np.allclose(d["transfers_in"].sum(axis=2), d["transfers_out"].sum(axis=2), rtol=1e-9, atol=1e-3)
    # every pound of the envelope reaches a budget or the incentive fund
    assert np.allclose(d["allocated"].sum(axis=2), result.national["envelope"], rtol=1e-9)


def test_better_care_fund_moves_who_pays_not_what_is_spent() -> None:
    result = simulate("status-quo-2023", years=3, draws=0, waterfall=False)
    d = result.draws
    growth = 1.03  # funding.real_growth
    senders = result.budgets["holder"].eq("icb").to_numpy()
    receivers = result.budgets["pots"].str.contains("la_adult_social_care").to_numpy()
    for t in range(3):
        # the ICBs' minimum NHS contribution (bcf.nhs_minimum), not the whole £7.2bn fund
        assert d["transfers_in"][0, t, receivers].sum() == pytest.approx(5.403e9 * growth**t, rel=1e-9)
    # what the ICBs pay net (in 2025/26 an ICB budget also hands its balance to its successor, an ICB budget
    # that holds the delegated specialised line from that date) is what councils receive
    net_out = d["transfers_out"][0, :, senders].sum() - d["transfers_in"][0, :, senders].sum()
    assert net_out == pytest.approx(d["transfers_in"][0, :, receivers].sum())
    # national spend equals the sum of atom-level spend: pooling changes no service
    assert d["spent"][0].sum(axis=1) == pytest.approx(result.national["spent_by_line"][0].sum(axis=1), rel=1e-9)


@pytest.mark.parametrize("arch_id", ["status-quo-2023", "reform-split-2024"])
def test_lines_with_no_spend_give_no_nan(arch_id: str) -> None:
    """A budget with no need gets none of a pooled fund: zero base-year spend on two lines (one of them the
    Better Care Fund's pooled line) leaves every flow finite and money conserved."""
    zero = {"demand.spend.community_health": 0, "demand.spend.adult_social_care": 0}
    result = simulate(arch_id, years=3, draws=0, waterfall=False, overrides=zero)
    for measure, values in result.draws.items():
        assert np.isfinite(values).all(), measure
    assert _gaps(result) <= 1e-9
    assert np.isfinite(result.summary["spent_gbp_bn"])


@pytest.mark.parametrize("kernels", [False, True])
def test_conservation_check_fails_on_a_non_finite_flow(kernels: bool) -> None:
    """On the array-API path and with the fused budget kernels (:mod:`fused_budgets`) alike."""
    from types import SimpleNamespace

    from devocare.simulation import fused
    from devocare.simulation.state import Carried, Flows
    from devocare.simulation.steps import ConservationError, conservation_check

    if kernels and not fused.AVAILABLE:
        pytest.skip("the fused kernels need Numba")
    one = np.ones((1, 2))
    block = SimpleNamespace(
        xp=np, check=True, arch="test", prep=SimpleNamespace(envelope=np.array([2.0])), fused_budgets=kernels, D=1, B=2
    )
    carried = Carried(reserves=one * 0, cut=one * 0, walk=one, rebase={}, rebase_b={}, last_avoided=one * 0)
    flows = Flows(
        t=0,
        ty=0,
        alloc_b=one,
        kept=one,
        paid=one * 0,
        t_in=one * 0,
        t_out=one * 0,
        spent_b=one,
        change=one * 0,
        returned=one * 0,
        support=one * 0,
    )
    conservation_check(block, carried, flows)  # balanced: passes
    flows.spent_b = np.array([[1.0, np.nan]])
    with pytest.raises(ConservationError, match="finite"):
        conservation_check(block, carried, flows)


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_allocations_add_up_to_the_parameter_envelope(arch_id: str) -> None:
    """Conserved against the parameter tree's envelope (plus the revenue holders with tax powers raise
    locally), not only the grants: an architecture that covers part of England with the status quo running
    the rest once lost £29m in 2024/25."""
    from devocare.service_lines import LINE_IDS
    from devocare.simulation import funding, transition
    from devocare.simulation.parameters import BASE_DATE, resolve, year_start

    fixed = {k: p.value for k, p in resolve(None).params.items()}
    env, growth = funding.envelope(fixed), funding.line_growth(fixed)
    expected = np.array([sum(env[x] * (1 + growth[x]) ** t for x in LINE_IDS) for t in range(4)])
    arch = architecture.load(arch_id)
    money = atlas.holder_money(arch)
    raised = money[money["part"] == "local_revenue"]["gbp"].sum()  # raised locally (tax powers), beyond it
    start = transition.reform_start(arch)  # a dated reform's budgets (and their revenue) exist from its start year
    first = 0 if start is None else year_start(start).year - BASE_DATE.year
    expected[max(first, 0) :] += raised
    result = simulate(arch_id, years=4, draws=0, waterfall=False)
    allocated = result.draws["allocated"][0].sum(axis=1)
    assert allocated[0] == pytest.approx(expected[0], rel=1e-12, abs=1.0)
    if float(architecture.load(arch_id).money.indexation) == 0:
        np.testing.assert_allclose(allocated, expected, rtol=1e-12)
