"""The array engine and the per-atom reference are twins: with dated money rules (deficit support limit, largest
cut, co-financing's admissions effect) and a tier without upstream lines paid on the prevention-spend criterion,
they give the same results year by year, and those dated values act in the years they name."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import montecarlo, phases, simulate
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.reference import MEASURES, reference_run

pytestmark = pytest.mark.integration
YEARS = 6
DATED = {
    "behaviour.deficit_support_limit@2025": 0.0,
    "behaviour.max_cut_share@2026": 0.05,
    "cofinancing.admissions_effect@2028": -0.02,
}


def _split_paying_regional_on_prevention() -> object:
    """The split model with its regional (hospital) tier paid only on a rising upstream share of spend, a line it
    does not hold, and unearned money returned to the centre (so what is paid is what is earned)."""
    arch = architecture.load("reform-split-2024")
    fund = arch.money.incentive_fund
    local = fund.criteria_for("local")
    criteria = {"regional": ["prevention_spend_share"], "local": local}
    updated = fund.model_copy(update={"tier_criteria": criteria, "unpaid": "centre"})
    return arch.model_copy(update={"money": arch.money.model_copy(update={"incentive_fund": updated})})


def test_engine_and_reference_agree_with_dated_money_rules_and_a_non_upstream_tier() -> None:
    arch = _split_paying_regional_on_prevention()
    params = resolve(DATED)
    fixed = montecarlo.central_values(params, YEARS)
    rules = phases.phased_rules(arch, "lad")
    inputs = load_inputs("lad")
    draws = [0, 3]
    values = montecarlo.draw_values(params, np.array(draws), 11, YEARS, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, YEARS)
    for i, d in enumerate(draws):
        scalars = {k: v[i] for k, v in values.scalars.items()}
        ref = reference_run(inputs, rules, fixed, scalars, values.shocks[i], values.criteria_noise[i], d == 0, YEARS)
        for m in MEASURES:
            np.testing.assert_allclose(result.budget[m][i], ref[m], rtol=1e-9, atol=1e-3, err_msg=f"{m} draw {d}")
        np.testing.assert_allclose(result.national["admissions"][i], ref["national_admissions"], rtol=1e-9)
    # a tier that holds no upstream line has no upstream share to raise: it never earns on the criterion
    regional = np.array([g.tier == "regional" and g.architecture == arch.id for g in rules.groups for _ in range(g.n)])
    assert regional.any() and result.budget["incentive_fund"][:, :, regional].max() > 0
    assert result.budget["incentive_paid"][:, :, regional].max() == 0.0


def test_a_dated_deficit_support_limit_acts_from_its_year() -> None:
    base = simulate("status-quo-2023", years=4, draws=0, waterfall=False)
    none = simulate(
        "status-quo-2023", years=4, draws=0, waterfall=False, overrides={"behaviour.deficit_support_limit@2025": 0.0}
    )
    limited = (base.budgets["tier"] != "national").to_numpy()  # a national budget has no limit
    b, n = base.draws["deficit_support"][:, :, limited], none.draws["deficit_support"][:, :, limited]
    np.testing.assert_array_equal(b[:, :1], n[:, :1])  # 2024/25 untouched
    assert b[:, 1:].sum() > 0 and n[:, 1:].max() == 0.0  # from 2025/26 the centre meets no deficit


def test_a_dated_max_cut_share_acts_from_its_year() -> None:
    base = simulate("status-quo-2023", years=4, draws=0, waterfall=False)
    flat = simulate(
        "status-quo-2023", years=4, draws=0, waterfall=False, overrides={"behaviour.max_cut_share@2025": 0.0}
    )
    b, f = base.national["unmet_need_by_line"], flat.national["unmet_need_by_line"]
    np.testing.assert_array_equal(b[:, :2], f[:, :2])  # cuts planned in 2024/25 act in 2025/26
    assert b[:, 2:].sum() > 0 and f[:, 2:].max() == 0.0  # no cut may be planned from 2025/26


def test_a_new_budget_earns_nothing_on_a_rise_in_upstream_share_in_its_first_year() -> None:
    # last year's upstream share belongs to the budgets before the start: a new budget has none to beat
    arch = architecture.load("reform-split-2024")
    fund = arch.money.incentive_fund
    criteria = {"local": ["prevention_spend_share"], "regional": fund.criteria_for("regional")}
    updated = fund.model_copy(update={"tier_criteria": criteria, "unpaid": "centre"})
    arch = arch.model_copy(update={"money": arch.money.model_copy(update={"incentive_fund": updated})})
    result = simulate(arch, years=YEARS, draws=0, waterfall=False)
    local = ((result.budgets["architecture"] == arch.id) & (result.budgets["tier"] == "local")).to_numpy()
    start = phases.phased_rules(arch, "lad").switch
    assert start is not None and result.draws["incentive_fund"][:, start, local].min() > 0
    assert result.draws["incentive_paid"][:, start, local].max() == 0.0
    assert result.draws["incentive_paid"][:, start + 1 :, local].max() > 0  # later years can earn it
