"""Proposals with their effect: each source's proposal changes a money or metric result against its baseline,
for the reason the source gives."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from devocare import architecture as A
from devocare import atlas
from devocare.allocation import block_grants


@pytest.fixture(scope="module")
def table():
    ids = [
        "status-quo-2023",
        "white-paper-2021",
        "kingsfund-2017",
        "place-accountability-2020",
        "deloitte-2016",
        "reform-aco-2024",
        "reform-split-2024",
    ]
    return atlas.metrics_table(ids).set_index("id")


def test_centralism_by_spend_falls_where_specialised_services_are_devolved(table) -> None:
    sq = table.loc["status-quo-2023", "centralism_spend"]
    for reform in ("reform-aco-2024", "reform-split-2024"):
        assert table.loc[reform, "centralism_spend"] < sq - 0.05, reform


def test_status_quo_delegates_specialised_services_from_april_2025() -> None:
    sq = A.load("status-quo-2023")
    before, after = atlas.metrics(sq, date(2025, 3, 31)), atlas.metrics(sq, date(2025, 4, 1))
    assert after["centralism_spend"] < before["centralism_spend"]
    fm = A.function_matrix(sq, date(2025, 4, 1)).set_index(["function", "holder"])["residents_share"]
    assert fm[("commissioning.specialised", "icb")] == pytest.approx(0.56)
    assert fm[("commissioning.specialised", "nhse")] == pytest.approx(0.44)


def test_tax_raising_regional_care_groups_are_equalised_for_revenue_capacity() -> None:
    g = block_grants("deloitte-2016", years=1)
    eq = g[(g["component"] == "fiscal_equalisation") & (g["body"] == "regional_care_group")]
    assert len(eq) == 7 and eq["pence"].sum() == 0 and eq["pence"].abs().max() > 1e8 * 100  # > £100m moved
    # without the tax-raising power there is nothing to equalise
    arch = A.load("deloitte-2016")
    arch.body("regional_care_group").tax_powers = False
    g0 = block_grants(arch, years=1)
    assert g0[(g0["component"] == "fiscal_equalisation") & (g0["body"] == "regional_care_group")].empty
    need = g0[(g0["component"] == "need") & (g0["body"] == "regional_care_group")].groupby("code")["pence"].sum()
    total = g[(g["body"] == "regional_care_group")].groupby("code")["pence"].sum()
    assert not np.allclose(need.sort_index().to_numpy(), total.sort_index().to_numpy())


def test_place_accountability_funds_scrutiny_and_citizen_voice(table) -> None:
    place, sq = table.loc["place-accountability-2020"], table.loc["status-quo-2023"]
    assert place["accountability_investment_gbp"] == pytest.approx(306e6)
    assert sq["accountability_investment_gbp"] == 0
    assert place["board_elected_share"] > sq["board_elected_share"]  # councillors on the joint committees
    edges = {(e.from_, e.to): e.type for e in A.load("place-accountability-2020").edges_on()}
    assert edges[("place_scrutiny", "utla")] != "statutory"  # the source proposes no statutory basis


def test_kingsfund_headcount_path_reduces_the_centre(table) -> None:
    kf = table.loc["kingsfund-2017"]
    assert kf["central_headcount_planned"] < kf["central_headcount"]
    assert kf["central_headcount_planned"] == pytest.approx(1462 + 4621 + 979)


def test_figure_10_is_computable_for_both_models(table) -> None:
    aco, split = table.loc["reform-aco-2024"], table.loc["reform-split-2024"]
    # the split model commissions out-of-hospital care closer to the population (upper-tier councils)...
    assert split["commissioning_population_out_of_hospital"] < aco["commissioning_population_out_of_hospital"] / 2
    # ...both commission hospital care at the combined authority's scale...
    assert split["commissioning_population_hospital"] == pytest.approx(aco["commissioning_population_hospital"])
    # ...and the split budget puts more budget holders on a resident's pathway
    assert split["pathway_budget_holders"] > aco["pathway_budget_holders"]
    # roll-out: both are limited to the areas with a deal (55.9% of residents in the 2025 lookup)
    assert aco["population_with_deal_share"] == pytest.approx(0.559, abs=0.001)
