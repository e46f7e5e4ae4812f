"""Local revenue raising: a holder given tax powers raises revenue from its area's council tax base at the
architecture's rate, beyond the national envelope, equalised as the architecture states; the money and the
simulator carry it."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from devocare import architecture as A
from devocare import atlas, data
from devocare.allocation import block_grants
from devocare.allocation.grants import revenue_capacity
from devocare.simulation import simulate


def _council_tax() -> float:
    return float(
        data.load("council_tax_band_d_dwellings_taxbase_by_billing_authority_england")[
            "council_tax_net_gbp_derived"
        ].sum()
    )


def _deloitte(rate: float | None = None, equalised: float | None = None) -> A.Architecture:
    arch = A.load("deloitte-2016")
    if rate is None:
        arch.money.local_revenue = None
    else:
        arch.money.local_revenue.rate = rate
        arch.money.local_revenue.equalised = equalised if equalised is not None else 0.0
    return arch


def test_regional_care_groups_raise_the_rate_of_their_tax_base_beyond_the_envelope() -> None:
    g = block_grants("deloitte-2016", years=2)
    raised = g[g["component"] == "local_revenue"]
    assert set(raised["body"]) == {"regional_care_group"} and raised["code"].nunique() == 7
    rate = A.load("deloitte-2016").money.local_revenue.rate
    for _, year in raised.groupby("year"):
        assert year["gbp"].sum() == pytest.approx(rate * _council_tax(), rel=1e-9)
    # what each region raises follows its own tax base, not its population
    cap = revenue_capacity("region").drop(index="~outside", errors="ignore")
    per_region = raised[raised["year"] == 1].set_index("code")["gbp"]
    assert per_region.to_dict() == pytest.approx((rate * cap["capacity"]).to_dict(), rel=1e-9)
    # every other component still adds up to the envelope to the penny
    env = sum(g.attrs["envelope_gbp"].values())
    rest = g[(g["year"] == 1) & (g["component"] != "local_revenue")]["pence"].sum()
    assert rest == pytest.approx(round(env * 100), abs=len(g.attrs["envelope_gbp"]))


def test_full_equalisation_leaves_each_region_its_population_share() -> None:
    g = block_grants(_deloitte(0.02, 1.0), years=1)
    kept = g[g["component"].isin(["local_revenue", "revenue_equalisation"])].groupby("code")["gbp"].sum()
    eq = g[g["component"] == "revenue_equalisation"]
    assert eq["pence"].sum() == 0 and eq["gbp"].abs().max() > 1e7  # London and the South East give up £10m+
    cap = revenue_capacity("region").drop(index="~outside", errors="ignore")
    assert kept.to_dict() == pytest.approx((0.02 * cap["average"]).to_dict(), rel=1e-9)


def test_deloitte_money_differs_from_its_baseline_by_the_revenue_raised() -> None:
    with_tax = atlas.holder_money(A.load("deloitte-2016"))
    without = atlas.holder_money(_deloitte())
    extra = with_tax["gbp"].sum() - without["gbp"].sum()
    assert extra == pytest.approx(0.02 * _council_tax(), rel=1e-6)
    sankey = atlas.sankey(A.load("deloitte-2016"))  # the reader sees where it comes from
    ids = [n["id"] for n in sankey["nodes"]]
    into = [lk for lk in sankey["links"] if lk["source"] == ids.index("local_taxation")]
    assert sum(lk["value"] for lk in into) == pytest.approx(extra, rel=1e-6)
    # the simulator's budgets receive it from the Regional Care Groups' start (2026/27; the status quo runs
    # before), and money is conserved
    a, b = (
        simulate("deloitte-2016", years=4, draws=0, waterfall=False),
        simulate(_deloitte(), years=4, draws=0, waterfall=False),
    )
    got = a.draws["allocated"][0].sum(axis=1) - b.draws["allocated"][0].sum(axis=1)
    np.testing.assert_allclose(got[:2], 0.0, atol=1.0)
    np.testing.assert_allclose(got[2:], 0.02 * _council_tax(), rtol=1e-6)
    assert a.run_record["conservation_max_gap"] <= 1e-9


def test_local_revenue_inside_a_coverage_is_raised_in_the_covered_part_only() -> None:
    """With a coverage the holder runs only the covered part of each region, so it raises revenue only there
    (the same fraction as its grant), and the rule set outside shares the envelope alone: revenue raised
    beyond the envelope takes nothing from it."""
    from devocare.architecture.schema import Coverage

    full = atlas.holder_money(A.load("deloitte-2016"))
    arch = A.load("deloitte-2016")
    arch.money.coverage = Coverage(
        devolved="all", level="ca", otherwise="status-quo-2023", sources=["assumption: the combined authorities only"]
    )
    part = atlas.holder_money(arch)

    def raised(m):  # noqa: ANN001, ANN202
        return m.loc[m["part"] == "local_revenue", "gbp"].sum()

    def granted(m):  # noqa: ANN001, ANN202
        own = (m["part"] == "grant") & (m["holder"] == "regional_care_group") & (m["architecture"] == arch.id)
        return m.loc[own, "gbp"].sum()

    assert 0 < raised(part) < 0.8 * raised(full)
    # revenue capacity is not spread exactly like need, so the covered shares agree only roughly
    assert raised(part) / raised(full) == pytest.approx(granted(part) / granted(full), rel=0.15)
    beyond = part.loc[part["part"] != "local_revenue", "gbp"].sum()
    assert beyond == pytest.approx(full.loc[full["part"] != "local_revenue", "gbp"].sum(), rel=1e-9)


def test_local_revenue_needs_a_holder_with_tax_powers() -> None:
    data_ = A.load("deloitte-2016").model_dump(mode="json", by_alias=True, exclude_none=True)
    for body in data_["bodies"]:
        body["tax_powers"] = False
    with pytest.raises(ValidationError, match="tax_powers"):
        A.Architecture.model_validate(data_)
