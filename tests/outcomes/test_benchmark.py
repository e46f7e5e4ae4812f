"""Better / similar / worse than England, the area profile and the spine scale, checked against the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.outcomes.benchmark import (
    CATEGORIES,
    POSITIONS,
    area_profile,
    category_label,
    compare,
    level_profile,
    position_label,
    spine_positions,
)
from devocare.outcomes.catalogue import INDICATORS


def test_interval_against_england_reads_by_polarity():
    value = np.array([10.0, 10.0, 10.0, 10.0, np.nan])
    lci = np.array([9.0, 7.0, 3.0, np.nan, 1.0])
    uci = np.array([11.0, 9.0, 4.0, np.nan, 2.0])
    england = 8.0
    # interval contains England → similar; wholly below → lower; no interval or no value → not compared
    assert list(compare(value, lci, uci, england, "higher_is_better")) == [
        "better",
        "similar",
        "worse",
        "not_compared",
        "not_compared",
    ]
    assert list(compare(value, lci, uci, england, "lower_is_better")) == [
        "worse",
        "similar",
        "better",
        "not_compared",
        "not_compared",
    ]
    assert list(compare(value, lci, uci, england, "neither")) == [
        "higher",
        "similar",
        "lower",
        "not_compared",
        "not_compared",
    ]


def test_an_interval_touching_england_is_similar():
    assert compare(np.array([9.0]), np.array([8.0]), np.array([10.0]), 8.0, "higher_is_better")[0] == "similar"


def test_every_key_has_words_and_no_label_is_a_key():
    for key in [*CATEGORIES, *POSITIONS]:
        label = category_label(key) if key in CATEGORIES else position_label(key)
        assert label != key and "_" not in label and label[0].isupper()


@pytest.fixture(scope="module")
def utla():
    return level_profile("utla")


def test_level_profile_categories_follow_the_rule(utla):
    with_ci = utla.dropna(subset=["lci", "uci"])
    assert len(with_ci) > 500
    good_high = with_ci["polarity"] == "higher_is_better"
    above, below = with_ci["lci"] > with_ci["england"], with_ci["uci"] < with_ci["england"]
    expected = np.select(
        [above & good_high, below & good_high, above & ~good_high, below & ~good_high],
        ["better", "worse", "worse", "better"],
        "similar",
    )
    assert (with_ci["comparison"].to_numpy() == expected).all()
    no_ci = utla[utla["lci"].isna()]
    assert set(no_ci["comparison"]) <= {"not_compared", "better", "similar", "worse"}
    assert (utla["comparison_label"] == utla["comparison"].map(category_label)).all()


def test_spread_is_ordered_from_worst_to_best(utla):
    for ind_id, part in utla.groupby("indicator"):
        row = part.iloc[0]
        values = part["value"]
        assert row["n_areas"] == len(part)
        if row["polarity"] == "lower_is_better":
            assert row["worst"] == values.max() and row["best"] == values.min()
            assert row["worst"] >= row["p25"] >= row["median"] >= row["p75"] >= row["best"], ind_id
        else:
            assert row["worst"] == values.min() and row["best"] == values.max()
            assert row["worst"] <= row["p25"] <= row["median"] <= row["p75"] <= row["best"], ind_id
        assert row["median"] == pytest.approx(values.median())


def test_salford_profile_matches_the_published_values():
    prof = area_profile("E08000006", "utla").set_index("indicator")
    # ONS healthy life expectancy, female, Salford 2022-24: 58.2 years (53.2 to 63.2); England 61.3
    hle = prof.loc["hle_female"]
    assert (hle["value"], hle["lci"], hle["uci"], hle["england"]) == (58.2, 53.2, 63.2, 61.3)
    assert hle["comparison"] == "similar"
    assert set(prof.index) <= {i.id for i in INDICATORS} and len(prof) >= 15


def test_district_extract_uses_the_publishers_flag():
    lad = level_profile("lad")
    le = lad[(lad["indicator"] == "le_female") & lad["lci"].isna()]
    flagged = le[le["comparison"] != "not_compared"]
    assert len(flagged) > 200
    assert flagged["comparison_basis"].str.contains("OHID Fingertips").all()
    # Blackpool has the lowest female life expectancy of all districts: Fingertips flags it worse
    assert le.set_index("code").loc["E06000009", "comparison"] == "worse"


def test_spine_puts_england_at_zero_better_to_the_right_and_the_farthest_area_at_the_edge(utla):
    prof = utla[utla["code"] == "E08000006"].reset_index(drop=True)
    pos = spine_positions(prof)
    edge = np.maximum(pos["worst"].abs(), pos["best"].abs())
    assert np.allclose(edge, 1.0)
    assert (pos["best"] >= pos["worst"]).all()
    assert (pos["p75"] >= pos["p25"]).all()
    better = prof["comparison"] == "better"
    assert (pos.loc[better, "value"] > 0).all()
    worse = prof["comparison"] == "worse"
    assert (pos.loc[worse, "value"] < 0).all()
    england_row = pd.DataFrame(
        {
            "indicator": ["x"],
            "title": ["x"],
            "polarity": ["lower_is_better"],
            "england": [5.0],
            "value": [5.0],
            "worst": [9.0],
            "p25": [6.0],
            "median": [5.0],
            "p75": [4.0],
            "best": [3.0],
        }
    )
    got = spine_positions(england_row).iloc[0]
    assert (got["value"], got["worst"], got["best"]) == (0.0, -1.0, 0.5)


def test_unknown_area_is_a_clear_error():
    from devocare.errors import DevocareError

    with pytest.raises(DevocareError, match="no outcome values"):
        area_profile("E99999999", "utla")
    with pytest.raises(DevocareError, match="compares areas within"):
        area_profile("E92000001", "england")
