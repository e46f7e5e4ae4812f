"""The split model's mechanisms as 004 describes them, run on real areas: the incentive fund pays only the
tiers it names, on each tier's own criteria, and returns unearned money to the tier (no clawback) unless the
architecture says the centre; co-financing changes admissions only through its own admissions effect."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import simulate

pytestmark = pytest.mark.integration
YEARS = 6
START = 3  # the split model's bodies start in 2027/28, year 3 of a run from 2024/25


def _split(**fund: object) -> object:
    arch = architecture.load("reform-split-2024")
    money = arch.money.model_copy(update={"incentive_fund": arch.money.incentive_fund.model_copy(update=fund)})
    return arch.model_copy(update={"money": money})


def _tiers(result) -> np.ndarray:
    """Each budget's tier, or '' for budgets of the status quo that runs where the reform has no deal."""
    own = (result.budgets["architecture"] == "reform-split-2024").to_numpy()
    return np.where(own, result.budgets["tier"].to_numpy(), "")


def test_the_fund_pays_only_named_tiers_and_gives_the_tier_back_what_it_holds() -> None:
    result = simulate("reform-split-2024", years=YEARS, draws=2, seed=3, waterfall=False)
    d, tiers = result.draws, _tiers(result)
    assert d["incentive_fund"][:, :, tiers == "national"].max() == 0.0  # the national pot is not top-sliced
    assert d["incentive_fund"][:, :, tiers == ""].max() == 0.0  # nor the status quo outside the deal areas
    assert d["incentive_fund"][:, START:, tiers == "regional"].min() > 0.0
    assert d["incentive_fund"][:, START:, tiers == "local"].min() > 0.0
    # unearned money stays with the tier: per group, draw and year what is paid is what was held back
    for group in result.budgets["group"].unique():
        cols = (result.budgets["group"] == group).to_numpy()
        held, paid = d["incentive_fund"][:, :, cols].sum(axis=2), d["incentive_paid"][:, :, cols].sum(axis=2)
        assert np.allclose(paid, held, rtol=1e-12, atol=1e-6)
    assert np.abs(result.national["incentive_unpaid"]).max() <= 1e-6 * d["incentive_fund"].sum(axis=2).max()


def test_unpaid_centre_is_a_clawback_and_says_so() -> None:
    result = simulate(_split(unpaid="centre"), years=YEARS, draws=0, waterfall=False)
    d = result.draws
    unpaid = d["incentive_fund"].sum(axis=2) - d["incentive_paid"].sum(axis=2)
    assert (d["incentive_paid"] <= d["incentive_fund"] + 1e-9).all()
    assert unpaid.sum() > 0 and np.allclose(result.national["incentive_unpaid"], unpaid)


def test_each_tier_is_paid_on_its_own_criteria() -> None:
    # changing the local tier's criteria changes the local tier's payments and nothing the regional tier gets
    base = simulate(_split(unpaid="centre"), years=YEARS, draws=0, waterfall=False)
    local_only = {"regional": base_criteria("regional"), "local": ["prevention_spend_share"]}
    other = simulate(_split(unpaid="centre", tier_criteria=local_only), years=YEARS, draws=0, waterfall=False)
    tiers = _tiers(base)
    regional, local = tiers == "regional", tiers == "local"
    assert np.array_equal(base.draws["incentive_paid"][:, :, regional], other.draws["incentive_paid"][:, :, regional])
    assert not np.array_equal(base.draws["incentive_paid"][:, :, local], other.draws["incentive_paid"][:, :, local])


def base_criteria(tier: str) -> list[str]:
    found = architecture.load("reform-split-2024").money.incentive_fund.criteria_for(tier)
    assert found is not None
    return found


def _cofinancing(share: float) -> object:
    arch = architecture.load("reform-split-2024")
    cof = arch.money.co_financing.model_copy(update={"share": share, "hospital_funding_to_local": share})
    return arch.model_copy(update={"money": arch.money.model_copy(update={"co_financing": cof})})


def test_co_financing_moves_admissions_only_through_its_own_effect() -> None:
    # reinvestment of reserves and spending of planned headroom are off, so admissions move only through the
    # left shift and co-financing's own effect: with that effect at zero (the evidence) the share paid changes
    # no admission anywhere (with headroom spent, the capped payment leaves the local tier richer than the
    # funding moved to it, and it spends the difference upstream)
    off = {"behaviour.reinvest_share": 0.0, "behaviour.headroom_spend_share": 0.0}
    paid = simulate(_cofinancing(0.34), years=YEARS, draws=0, overrides=off, waterfall=False)
    none = simulate(_cofinancing(0.0), years=YEARS, draws=0, overrides=off, waterfall=False)
    assert paid.draws["transfers_out"].sum() > none.draws["transfers_out"].sum() + 1e9  # co-financing paid
    assert np.allclose(paid.national["admissions"], none.national["admissions"], rtol=1e-12)
    assert np.allclose(paid.central_atoms["admissions"], none.central_atoms["admissions"], rtol=1e-12)
    # its own effect, when set, does move them
    fewer = simulate(
        _cofinancing(0.34),
        years=YEARS,
        draws=0,
        overrides=off | {"cofinancing.admissions_effect": -0.02},
        waterfall=False,
    )
    assert (fewer.national["admissions"][0, START:] < paid.national["admissions"][0, START:]).all()
    assert np.array_equal(fewer.national["admissions"][0, :START], paid.national["admissions"][0, :START])


def test_the_payer_has_no_left_shift_incentive_from_co_financing() -> None:
    from devocare.simulation.rules import build_rules

    rules = build_rules(architecture.load("reform-split-2024"), "lad")
    payer = next(g for g in rules.groups if g.holder == "hwb")
    assert payer.acute_cost_borne == 0.0 and payer.incentive_strength == 0.0


def test_a_binding_cap_per_admission_lowers_what_the_local_tier_pays() -> None:
    default = simulate("reform-split-2024", years=START + 1, draws=0, waterfall=False)
    capped = simulate(
        "reform-split-2024",
        years=START + 1,
        draws=0,
        overrides={"cofinancing.cap_per_admission": 500.0},
        waterfall=False,
    )
    hwb = (default.budgets["holder"] == "hwb").to_numpy()
    paid, paid_capped = default.draws["transfers_out"][0, START, hwb], capped.draws["transfers_out"][0, START, hwb]
    # the default cap (£1,750) does not bind at 34% of £3,500; £500 does, in every council area
    assert (paid_capped < paid).all()
    # what the cap saves is at most (34% − 500/3,500) of the area's hospital spend co-financed
    assert ((paid - paid_capped) <= (0.34 - 500 / 3500) / 0.34 * paid + 1e-6).all()


def test_a_dated_cap_acts_from_its_date() -> None:
    # the split model starts in 2027/28 (year 3); a £500 cap from 2028/29 (year 4) leaves year 3 as it was
    default = simulate("reform-split-2024", years=5, draws=0, waterfall=False)
    dated = simulate(
        "reform-split-2024",
        years=5,
        draws=0,
        overrides={"cofinancing.cap_per_admission@2028-04-01": 500.0},
        waterfall=False,
    )
    hwb = (default.budgets["holder"] == "hwb").to_numpy()
    paid, paid_dated = default.draws["transfers_out"][0][:, hwb], dated.draws["transfers_out"][0][:, hwb]
    assert paid[3].sum() > 0 and np.array_equal(paid[3], paid_dated[3])
    assert paid_dated[4].sum() < paid[4].sum()
