"""Block grants for architectures: conservation, settlements, incentive fund, equalisation, bad envelopes."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devocare.allocation import grants
from devocare.allocation.grants import block_grants, check_envelope, default_envelope, read_envelope, round_to_total
from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS


@pytest.fixture(scope="module")
def aco():
    from devocare.architecture import load

    return load("reform-aco-2024")


@pytest.fixture(scope="module")
def aco_grants(aco):
    return block_grants(aco, years=6, growth=0.02)


@pytest.mark.integration
def test_every_year_spends_exactly_the_envelope(aco, aco_grants):
    env = aco_grants.attrs["envelope_gbp"]
    assert set(env) == set(LINE_IDS)
    for t, rows in aco_grants.groupby("year"):
        expected = sum(int(np.floor(v * 1.02 ** (t - 1) * 100 + 0.5)) for v in env.values())
        assert rows["pence"].sum() == expected
    eq = aco_grants[aco_grants["component"] == "fiscal_equalisation"]
    assert (eq.groupby("year")["pence"].sum() == 0).all()
    assert eq["pence"].abs().sum() > 0


@pytest.mark.integration
def test_settlement_fixes_need_shares_and_top_slice(aco, aco_grants):
    assert aco.money.settlement_years == 5
    need = aco_grants[(aco_grants["component"] == "need") & (aco_grants["line"] == "acute_non_elective")]
    shares = need.pivot_table(index="code", columns="year", values="pence", aggfunc="sum")
    shares = shares / shares.sum()
    # years 1-5 are one settlement (same shares up to the penny); year 6 starts the next with newer need data
    assert np.allclose(shares[1], shares[5], atol=1e-9)
    assert not np.allclose(shares[1], shares[6], atol=1e-6)
    assert set(aco_grants.loc[aco_grants["year"] <= 5, "settlement"]) == {1}
    fund = aco_grants[aco_grants["component"] == "incentive_fund"].groupby("year")["pence"].sum()
    # a fund naming no tiers top-slices every pot but the national ones (of a line split between a national
    # and a paid pot, the paid pot's share only)
    national = {line for pot in aco.money.pots if pot.tier == "national" for line in pot.lines}
    paid_lines = {line for pot in aco.money.pots if pot.tier != "national" for line in pot.lines}
    only_national = national - paid_lines
    funded = aco_grants[aco_grants["component"] == "incentive_fund"]
    assert not funded[funded["line"].isin(only_national)]["pence"].any()
    for line in national & paid_lines:  # the national pot's share of the line is not top-sliced
        paid_share = sum(p.share_of(line) for p in aco.money.pots if p.tier != "national")
        on_line = aco_grants[(aco_grants["line"] == line) & aco_grants["component"].isin(["need", "incentive_fund"])]
        whole = on_line.groupby("year")["pence"].sum()
        sliced = funded[funded["line"] == line].groupby("year")["pence"].sum()
        assert 0 < paid_share < 1
        assert np.allclose(sliced / whole, aco.money.incentive_fund.top_slice * paid_share, atol=1e-9)
    paid = aco_grants[(aco_grants["component"] == "need") & (aco_grants["tier"] != "national")]
    total = paid.groupby("year")["pence"].sum() + fund
    assert np.allclose(fund / total, aco.money.incentive_fund.top_slice, atol=1e-9)


@pytest.mark.integration
def test_devolved_areas_and_the_rest(aco_grants):
    aco_rows = aco_grants[(aco_grants["pot"] == "aco_single") & (aco_grants["year"] == 1)]
    assert set(aco_rows["area_level"]) == {"ca"}
    rest = aco_rows[aco_rows["code"] == ""]
    assert len(rest) > 0 and rest["name"].str.contains("status-quo-2023").all()
    assert aco_rows["code"].str.startswith(("E47", "E61", "")).all()


@pytest.mark.integration
def test_status_quo_uses_annual_settlements_and_ring_fence():
    g = block_grants("status-quo-2023", years=2, alpha=0.0)
    assert set(g["settlement"]) == {1, 2}
    assert g.loc[g["pot"] == "la_public_health", "ring_fenced"].all()
    assert not (g["component"] == "fiscal_equalisation").any()
    utla = g[(g["pot"] == "la_adult_social_care") & (g["year"] == 1)]
    assert len(utla) == 153


@pytest.mark.unit
def test_equalisation_is_need_minus_alpha_times_capacity_gap():
    cap = grants.revenue_capacity("utla")
    assert cap["capacity"].sum() == pytest.approx(cap["average"].sum(), rel=1e-12)
    # England average Band D from the shipped file (PROVENANCE: implied ≈ £2,391)
    lad = grants.revenue_capacity("lad")
    assert lad["capacity"].sum() == pytest.approx(47.41e9, rel=1e-3)
    assert 0.15 < grants.default_alpha() < 0.3


@pytest.mark.unit
@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=50))
def test_round_to_total_keeps_a_zero_sum(values):
    v = np.array(values) - np.mean(values)
    out = round_to_total(v, 0)
    assert out.sum() == 0 and (np.abs(out - v) <= 1.0 + 1e-6 * np.abs(v).max()).all()


@pytest.mark.unit
def test_envelope_must_match_the_architecture_lines():
    lines = ["acute_elective", "public_health"]
    with pytest.raises(DevocareError, match=r"unknown line 'acute_electiv' \(did you mean 'acute_elective'\?\)"):
        check_envelope({"acute_electiv": 1.0, "public_health": 2.0}, lines)
    with pytest.raises(DevocareError, match=r"missing line\(s\) 'public_health'"):
        check_envelope({"acute_elective": 1.0}, lines)
    with pytest.raises(DevocareError, match="'specialised_national' is in no pot"):  # an alias splits
        check_envelope({"acute_elective": 1.0, "public_health": 2.0, "specialised": 3.0}, lines)


@pytest.mark.unit
def test_envelope_files(tmp_path):
    y = tmp_path / "env.yaml"
    y.write_text("lines:\n  acute_elective: 1e9\n  public_health: 2.5e8\n")
    assert read_envelope(y) == {"acute_elective": 1e9, "public_health": 2.5e8}
    c = tmp_path / "env.csv"
    pd.DataFrame({"line": ["acute_elective"], "gbp": [5.0]}).to_csv(c, index=False)
    assert read_envelope(c) == {"acute_elective": 5.0}
    bad = tmp_path / "bad.yaml"
    bad.write_text("acute_elective: -3\n")
    with pytest.raises(DevocareError, match="non-negative"):
        read_envelope(bad)
    with pytest.raises(DevocareError, match="not found"):
        read_envelope(tmp_path / "nope.yaml")


@pytest.mark.unit
def test_default_envelope_is_sourced():
    env = default_envelope()
    assert list(env["line"]) == list(LINE_IDS)
    assert (env["gbp"] > 0).all() and env["source"].str.len().gt(10).all()
    # one source with the simulator: its parameter tree (6.4m emergency admissions × £3,500)
    assert env.loc[env["line"] == "acute_non_elective", "gbp"].item() == pytest.approx(6.4e6 * 3500)
    assert env["source"].str.contains("bibliography pq-2024-specialised").any()  # sources a reader can follow


def _builtin_ids():
    from devocare.architecture import builtin_ids

    return builtin_ids()


@pytest.mark.integration
@pytest.mark.parametrize("arch_id", _builtin_ids())
def test_every_builtin_architecture_conserves_money(arch_id):
    g = block_grants(arch_id, years=2, growth=0.03)
    env = g.attrs["envelope_gbp"]
    for t, rows in g.groupby("year"):
        rows = rows[rows["component"] != "local_revenue"]  # raised locally, beyond the envelope
        assert rows["pence"].sum() == sum(int(np.floor(v * 1.03 ** (t - 1) * 100 + 0.5)) for v in env.values())
        eq = rows[rows["component"] == "fiscal_equalisation"]
        assert eq["pence"].sum() == 0
    assert not g["code"].isna().any() and g["pence"].dtype == np.int64


@pytest.mark.integration
def test_a_dated_pot_takes_its_line_from_its_date():
    # NHS England holds the delegable specialised line in 2024/25, the ICBs from 2025-04-01
    g = block_grants("status-quo-2023", years=2, growth=0.03)
    line = g[(g["line"] == "specialised_delegated") & (g["component"] == "need") & (g["pence"] != 0)]
    assert set(line.loc[line["grant_year"] == "2024/25", "body"]) == {"nhse"}
    assert set(line.loc[line["grant_year"] == "2025/26", "body"]) == {"icb"}
