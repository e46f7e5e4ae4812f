import numpy as np
import pandas as pd
import pytest

from devocare import data, geography
from devocare.errors import DevocareError, UnknownChoiceError

pytestmark = pytest.mark.integration


def _published(level_prefix: str, year: int) -> pd.Series:
    mye = data.load("ons_mye_population_total_england_1991_2024")
    rows = mye[(mye["year"] == year) & mye["geography_level"].str.contains(level_prefix)]
    return rows.set_index("areacd")["population"]


def test_area_counts_follow_shipped_lookups():
    hier = data.load("lad25_utla25_cauth25_rgn25_england")
    icb = data.load("icb24_nhser24_england")
    assert len(geography.areas("lad")) == hier["lad24cd"].nunique() == 296
    assert len(geography.areas("utla")) == hier["utla25cd"].nunique() == 153
    assert len(geography.areas("icb", vintage=2024)) == icb["icb24cd"].nunique() == 42
    assert len(geography.areas("icb", vintage=2026)) == data.load("icbtool_2026_27")["ICB"].nunique() == 36
    assert len(geography.areas("region")) == icb["nhser24cd"].nunique() == 7
    assert len(geography.areas("ca")) == hier["cauth25cd"].nunique()


def test_greater_manchester_has_its_ten_districts():
    lads = geography.areas("lad", within="E47000001")
    hier = data.load("lad25_utla25_cauth25_rgn25_england")
    assert set(lads["code"]) == set(hier.loc[hier["cauth25nm"] == "Greater Manchester", "lad24cd"])
    assert len(lads) == 10
    assert (lads["share_within"] == 1).all()


@pytest.mark.parametrize("year", [1991, 2001, 2011, 2021, 2023, 2024])
def test_lad_populations_sum_to_england(year):
    lad = geography.population("lad", year)
    assert lad["population"].sum() == _published("ctry", year)["E92000001"]


def test_every_year_shipped_sums_exactly():
    table = geography._lad_population_table()
    england = data.load("ons_mye_population_total_england_1991_2024")
    england = england[england["areacd"] == "E92000001"].set_index("year")["population"]
    assert (table.sum(axis=0) == england.reindex(table.columns)).all()


def test_combined_authorities_equal_sum_of_members_and_published_totals():
    ca = geography.population("ca", 2024).set_index("code")["population"]
    lad = geography.population("lad", 2024).set_index("code")["population"]
    members = geography.membership("lad", "ca")
    summed = members.assign(p=members["from_code"].map(lad)).groupby("to_code")["p"].sum()
    assert (ca.reindex(summed.index) == summed).all()
    published = _published("cauth", 2024)
    common = published.index.intersection(ca.index)
    assert len(common) >= 15
    assert (ca[common] == published[common]).all()
    # The GLA is the London region
    assert ca["E61000001"] == _published("rgn", 2024)["E12000007"]


def test_utla_populations_match_published():
    utla = geography.population("utla", 2024).set_index("code")["population"]
    published = _published("utla", 2024)
    common = utla.index.intersection(published.index)
    assert len(common) == 153
    assert (utla[common] == published[common]).all()


def test_membership_shares_sum_to_one_and_nest_exactly():
    for a, b in [("lad", "icb"), ("lsoa", "lad"), ("lad", "utla"), ("icb", "region"), ("sicb", "icb")]:
        m = geography.membership(a, b)
        assert np.allclose(m.groupby("from_code")["share"].sum(), 1.0), (a, b)
    nested = geography.membership("lad", "utla")
    assert (nested["share"] == 1.0).all()


def test_membership_matrix_aggregates_population():
    matrix, lads, icbs = geography.membership_matrix("lad", "icb")
    assert matrix.shape == (296, 42)
    pop = geography.population("lad", 2024).set_index("code").loc[lads, "population"].to_numpy()
    assert (pop @ matrix).sum() == pytest.approx(pop.sum())


def test_coterminosity_lists_every_split_lad_with_shares_summing_to_one():
    report = geography.coterminosity("lad", "icb")
    overlap = data.load("lad24_icb24_overlap_census21pop")
    split = overlap.groupby("lad24cd").size()
    assert set(report["lad_code"]) == set(split[split > 1].index)
    assert np.allclose(report.groupby("lad_code")["share"].sum(), 1.0)
    shares = overlap.set_index(["lad24cd", "icb24cd"])["share_of_lad_pop21"]
    mine = report.set_index(["lad_code", "icb_code"])["share"]
    assert np.allclose(mine, shares.reindex(mine.index), atol=1e-4)


def test_east_suffolk_falls_in_two_icbs():
    info = geography.area_info("East Suffolk")
    icbs = {p["name"]: p["share"] for p in info["parents"]["icb2024"]}
    assert len(icbs) == 2 and sum(icbs.values()) == pytest.approx(1.0)
    assert info["parents"]["icb2026"][0]["share"] == 1.0  # merged into one ICB in 2026


def test_code_changes_are_explicit():
    assert geography.resolve("E08000038").code == "E08000016"  # Barnsley 2025 → 2024
    assert geography.resolve("E08000039").name == "Sheffield"
    assert geography.resolve("E54000052").code == "E54000063"  # Surrey Heartlands recode
    assert geography.resolve("QWO").code == "E54000054"  # ODS code of West Yorkshire ICB
    assert geography.resolve("Y63").level == "region"


def test_icb_2026_mergers_follow_practice_mapping():
    succ = geography.icb_successors()
    assert np.allclose(succ.groupby("from_code")["share"].sum(), 1.0)
    frimley = succ[succ["from_name"].str.contains("Frimley")]
    assert len(frimley) == 3  # Frimley splits three ways
    mapping = data.load("icb_2025_26_to_2026_27_practice_mapping")
    expected = mapping[mapping["ICBname_2526"].str.contains("Frimley")]
    expected = expected.set_index("ICB_2627")["share_of_2025_26_icb_pop"]
    got = frimley.set_index("to_code")["share"]
    assert np.allclose(got.reindex(expected.index), expected, atol=0.05)  # residents vs registered patients


def test_bad_input_names_value_and_choices():
    with pytest.raises(UnknownChoiceError, match="did you mean 'icb'"):
        geography.areas("icbs")
    with pytest.raises(UnknownChoiceError, match="2024, 2026"):
        geography.areas("icb", vintage=2025)
    with pytest.raises(UnknownChoiceError, match="ZZZ"):
        geography.resolve("ZZZ")
    with pytest.raises(DevocareError):
        geography.population("lsoa", 2024)
