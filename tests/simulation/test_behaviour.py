"""One behavioural rule for every budget holder: spend responds to funding in every architecture, the rules a
budget follows come from its own pot and holder (not from the architecture around it), councils follow
local-government rules, the national specialised budget is absorbed by the centre, and unmet need is reported
beside spend."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import balance, simulate
from devocare.simulation.backend import namespace
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration

YEARS = 5
COUNCIL = "utla"


def _run(arch: str, growth: float) -> object:
    return simulate(arch, years=YEARS, draws=0, waterfall=False, overrides={"funding.real_growth": growth})


def test_the_status_quo_spends_what_it_is_given_when_need_exceeds_funding() -> None:
    lean, rich = _run("status-quo-2023", 0.0), _run("status-quo-2023", 0.04)
    lean_year, rich_year = lean.by_year(), rich.by_year()
    # about the same need (prevention from the headroom the richer run spends upstream moves it a little),
    # different money: spend follows funding and the shortfall is unmet need, not a saving
    np.testing.assert_allclose(lean_year["need"], rich_year["need"], rtol=5e-3)
    assert lean.summary["spent_gbp_bn"] < rich.summary["spent_gbp_bn"] - 1.0
    assert lean.summary["unmet_need_gbp_bn"] > rich.summary["unmet_need_gbp_bn"] + 1.0
    assert (lean_year["unmet_need"].to_numpy()[1:] > 0).all()
    # deficit support is bounded by each budget's limit, so a real-terms freeze cannot be met by the centre
    nhs = (lean.budgets["tier"] != "national").to_numpy() & (lean.budgets["holder"] != COUNCIL).to_numpy()
    support = lean.draws["deficit_support"][0][:, nhs]
    allocated = lean.draws["allocated"][0][:, nhs]
    assert (support <= 0.01 * allocated + 1e-3).all()
    for result in (lean, rich):
        assert result.summary["conservation_max_gap"] <= 1e-9


def test_unmet_need_never_exceeds_need_and_is_reported_per_budget_and_year() -> None:
    result = _run("reform-aco-2024", 0.0)
    unmet, need = result.draws["unmet_need"][0], result.draws["need"][0]
    assert unmet.shape == need.shape and (unmet >= 0).all() and (unmet <= need + 1e-6).all()
    np.testing.assert_allclose(result.by_year()["unmet_need"], unmet.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(result.national["unmet_need_by_line"][0].sum(axis=1), unmet.sum(axis=1), rtol=1e-9)


def test_a_budget_follows_its_own_risk_rules_not_its_architectures(tmp_path) -> None:
    """Every pot of this variant states the status quo's rules for itself while the money section says the
    opposite: the results must be the status quo's, budget by budget and year by year."""
    text = """id: status-quo-pot-rules
extends: status-quo-2023
name: Status quo with every pot's risk rules stated on the pot
sources:
  - "assumption: a test variant"
money:
  savings_retained: 1.0
  overspend_borne_locally: 1.0
  pots:
    - id: icb_core
      savings_retained: 0.0
      overspend_borne_locally: 0.0
    - id: icb_primary_medical
      savings_retained: 0.0
      overspend_borne_locally: 0.0
    - id: icb_specialised
      savings_retained: 0.0
      overspend_borne_locally: 0.0
"""
    path = tmp_path / "pot-rules.yaml"
    path.write_text(text, encoding="utf-8")
    base, variant = _run("status-quo-2023", 0.0), _run(str(path), 0.0)
    for measure in ("spent", "unmet_need", "reserves", "deficit_support", "returned", "intervention"):
        np.testing.assert_array_equal(variant.draws[measure], base.draws[measure], err_msg=measure)


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_councils_and_the_national_budget_follow_the_same_rules_in_every_architecture(arch_id: str) -> None:
    rules = build_rules(architecture.load(arch_id), "lad")
    for g in rules.groups:
        if g.holder == COUNCIL:  # balanced budgets and own reserves: no NHS deficit support, nothing returned
            assert (g.savings_retained, g.overspend_borne_locally) == (1.0, 1.0), g.key
        if g.tier == "national":  # absorbed by the centre, never top-sliced unless an architecture names it
            assert (g.savings_retained, g.overspend_borne_locally, g.top_slice) == (0.0, 0.0, 0.0), g.key


@pytest.mark.parametrize("arch_id", ["status-quo-2023", "ten-year-plan-2025", "reform-split-2024"])
def test_no_council_gets_deficit_support_or_hands_money_back(arch_id: str) -> None:
    result = _run(arch_id, 0.0)
    council = (result.budgets["holder"] == COUNCIL).to_numpy()
    national = (result.budgets["tier"] == "national").to_numpy()
    d = {m: v[0] for m, v in result.draws.items()}
    assert council.any() and national.any()
    assert d["deficit_support"][:, council].max() == 0.0 and d["returned"][:, council].max() == 0.0
    assert d["incentive_fund"][:, national].max() == 0.0 and np.abs(d["reserves"][:, national]).max() == 0.0


def test_settle_conserves_money_and_repays_a_carried_deficit_first() -> None:
    xp = namespace("numpy")
    surplus = np.array([5.0, 5.0, -8.0, -8.0, -8.0])
    reserves = np.array([-3.0, 2.0, 0.0, 0.0, 0.0])
    sr, obl = np.array([0.0, 0.0, 1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0, 0.0, 0.0])
    cap = balance.support_cap(xp, np.full(5, 100.0), np.array([0.01, 0.01, 0.01, 0.01, np.inf]))
    to_res, returned, borne, support = balance.settle(xp, surplus, sr, obl, reserves, cap)
    np.testing.assert_allclose(to_res + returned - borne - support, surplus)
    np.testing.assert_allclose(to_res, [3.0, 0.0, 0.0, 0.0, 0.0])  # repays the deficit, keeps nothing more
    np.testing.assert_allclose(returned, [2.0, 5.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(support, [0.0, 0.0, 0.0, 1.0, 8.0])  # a council gets none; the limit binds
    np.testing.assert_allclose(borne, [0.0, 0.0, 8.0, 7.0, 0.0])


@pytest.mark.parametrize("arch_id", ["status-quo-2023", "reform-aco-2024"])
def test_a_real_terms_freeze_is_met_by_cuts_in_the_year_not_by_a_runaway_deficit(arch_id: str) -> None:
    # every holder plans to balance what it must bear, so a persistent gap is cut in the year it opens:
    # carried deficits stay small (they once reached −£61bn by the tenth year) and the gap is unmet need
    frozen = simulate(arch_id, years=10, draws=0, waterfall=False, overrides={"funding.real_growth": 0.0})
    year = frozen.by_year()
    # a budget's first plan has no history of need growth (it assumes need grows as money does), so the first
    # planned year carries a deficit; a budget a reform or a pot date creates plans its first year from what
    # it takes over, so its start adds none; after that the deficit carried shrinks instead of growing
    assert (year["reserves"] > -0.1 * year["allocated"]).all(), year["reserves"].tolist()
    assert year["reserves"].iloc[-1] > -0.015 * year["allocated"].iloc[-1]
    assert year["reserves"].iloc[-1] > 0.75 * year["reserves"].min()
    assert year["unmet_need"].iloc[-1] > 0.1 * year["allocated"].iloc[-1]


def test_money_beyond_need_is_spent_whether_or_not_the_holder_may_keep_it() -> None:
    # the status quo's NHS budgets hand surpluses back, a risk-bearing ACO keeps them: with money well above
    # need both spend it (upstream), so neither piles up reserves nor returns most of its headroom
    rich = {a: _run(a, 0.06) for a in ("status-quo-2023", "reform-aco-2024")}
    for arch_id, result in rich.items():
        year = result.by_year()
        headroom = (year["allocated"] - year["need"]).iloc[-1]
        assert headroom > 5e9, arch_id
        assert year["spent"].iloc[-1] > year["need"].iloc[-1] + 0.8 * headroom, arch_id
        assert year["returned"].iloc[-1] < 0.2 * headroom, arch_id


def test_drivers_correlates_each_reforms_paired_difference_with_levers_and_the_funding_gap() -> None:
    from devocare.errors import DevocareError
    from devocare.simulation.paired import DRIVER_COLUMNS, drivers, funding_gap_draws
    from devocare.simulation.parameters import resolve

    runs = [simulate(a, years=5, draws=12, seed=5, waterfall=False) for a in ("status-quo-2023", "reform-aco-2024")]
    levers = resolve().draw(5, np.arange(13))
    diff = runs[1].summary_draws["spent_gbp_bn"] - runs[0].summary_draws["spent_gbp_bn"]
    table = drivers(runs, "status-quo-2023", {**levers, "the difference itself": diff})
    assert tuple(table.columns) == DRIVER_COLUMNS and len(table) == len(levers) + 2
    row = table.set_index("driver").loc
    assert row["the difference itself", "pearson"] == pytest.approx(1.0)
    assert row["the difference itself", "spearman"] == pytest.approx(1.0)
    gap = funding_gap_draws(runs[0])[1:]
    assert row["baseline funding gap", "pearson"] == pytest.approx(np.corrcoef(gap, diff[1:])[0, 1])
    finite = table["pearson"].dropna()
    assert ((finite >= -1 - 1e-12) & (finite <= 1 + 1e-12)).all()
    few = [simulate(a, years=2, draws=1, seed=5, waterfall=False) for a in ("status-quo-2023", "reform-aco-2024")]
    with pytest.raises(DevocareError, match="at least 3"):
        drivers(few, "status-quo-2023", {})
