"""The incentive fund's tiers and per-tier criteria: every paid tier has criteria, criteria name only paid
tiers, and the fund says which tiers it pays (reform-2024 §4.3.2: specific incentives for secondary and
primary care)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devocare import architecture
from devocare.allocation.grants import fund_lines
from devocare.architecture.schema import IncentiveFund

SOURCES = ["assumption: test"]


def test_each_tier_is_paid_on_its_own_criteria_and_unnamed_tiers_on_the_common_ones() -> None:
    fund = IncentiveFund(
        top_slice=0.01,
        criteria=["telemedicine"],
        tiers=["regional", "local"],
        tier_criteria={"regional": ["elective_floor", "readmissions_30d"]},
        sources=SOURCES,
    )
    assert fund.criteria_for("regional") == ["elective_floor", "readmissions_30d"]
    assert fund.criteria_for("local") == ["telemedicine"]
    assert fund.criteria_for("national") is None
    assert fund.unpaid == "tier"  # unearned money stays with the tier unless the architecture says otherwise


def test_tier_criteria_alone_name_the_paid_tiers() -> None:
    fund = IncentiveFund(top_slice=0.01, tier_criteria={"local": ["prevention_spend_share"]}, sources=SOURCES)
    assert fund.criteria_for("local") == ["prevention_spend_share"] and fund.criteria_for("regional") is None
    # a fund naming neither pays every tier but the national one, on its criteria
    plain = IncentiveFund(top_slice=0.01, criteria=["admissions_per_citizen"], sources=SOURCES)
    assert plain.criteria_for("regional") == ["admissions_per_citizen"] and plain.criteria_for("national") is None


def test_bad_funds_are_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="does not pay"):
        IncentiveFund(
            top_slice=0.01,
            criteria=["telemedicine"],
            tiers=["local"],
            tier_criteria={"regional": ["elective_floor"]},
            sources=SOURCES,
        )
    with pytest.raises(ValidationError, match="needs criteria for every tier"):
        IncentiveFund(
            top_slice=0.01, tiers=["local", "regional"], tier_criteria={"local": ["telemedicine"]}, sources=SOURCES
        )
    with pytest.raises(ValidationError, match="lists no criterion"):
        IncentiveFund(top_slice=0.01, tier_criteria={"local": []}, sources=SOURCES)
    with pytest.raises(ValidationError):
        IncentiveFund(top_slice=0.01, criteria=["telemedicine"], unpaid="nowhere", sources=SOURCES)


def test_split_model_pays_secondary_and_primary_care_on_different_criteria() -> None:
    split = architecture.load("reform-split-2024")
    fund = split.money.incentive_fund
    regional, local = fund.criteria_for("regional"), fund.criteria_for("local")
    assert regional is not None and local is not None and set(regional) != set(local)
    assert "elective_floor" in regional and "prevention_spend_share" in local
    # only the lines of paid pots are top-sliced: the national specialised pot keeps its whole grant
    assert "specialised" not in fund_lines(split.money)


def test_cli_refuses_criteria_for_a_tier_the_fund_does_not_pay(cli_in_process, arch_file) -> None:
    path = arch_file(
        "reform-split-2024",
        "money:\n  incentive_fund:\n    top_slice: 0.012\n    tiers: [local]\n"
        "    tier_criteria: {national: [telemedicine]}\n    sources: ['assumption: test']\n",
    )
    code, _out, err = cli_in_process("arch", "validate", str(path))
    assert code == 2 and "does not pay" in err


def test_money_text_says_when_the_fund_pays_no_tier_held() -> None:
    """A fund that pays only the local tier, in an architecture with no local pot, top-slices nothing: the
    money sentence says so instead of naming an empty tier and empty targets."""
    from devocare.architecture.money_text import money_rules

    arch = architecture.load("reform-aco-2024")
    assert "local" not in {str(p.tier) for p in arch.money.pots}
    arch.money.incentive_fund = IncentiveFund(
        top_slice=0.01, criteria=["telemedicine"], tiers=["local"], sources=SOURCES
    )
    text = dict(money_rules(arch.money))["Incentive fund"]
    assert text.startswith("None in effect") and "pays no tier" in text
    assert "  " not in text and "on: ." not in text
    paid = dict(money_rules(architecture.load("reform-split-2024").money))["Incentive fund"]
    assert "held back and paid" in paid and "at the regional tier on" in paid and "same holder's budgets" in paid
