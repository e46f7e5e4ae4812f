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
    # about the same need (prevention moves it a little), different money: spend follows funding and the
    # shortfall is unmet need, not a saving
    np.testing.assert_allclose(lean_year["need"], rich_year["need"], rtol=1e-3)
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
    np.testing.assert_allclose(
        result.national["unmet_need_by_line"][0].sum(axis=1), unmet.sum(axis=1), rtol=1e-9
    )


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
