"""£ splits: to the penny, up every level, invariants under hypothesis."""

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devocare.allocation.money import (
    LINE_IDS,
    MONEY_YEARS,
    lines_for,
    money,
    pence,
    place_money,
    practice_money,
    published,
    split_pence,
)
from devocare.allocation.practices import practices
from devocare.errors import DevocareError


@pytest.mark.unit
def test_split_pence_hand_example():
    # 100p over weights 1:1:1 -> 33.33 each; the spare penny goes to the first largest remainder
    assert split_pence(np.array([100]), np.array([0, 0, 0]), np.array([1.0, 1.0, 1.0])).tolist() == [34, 33, 33]
    parts = split_pence(np.array([10, 7]), np.array([0, 1, 0, 1]), np.array([3.0, 1.0, 1.0, 1.0]))
    assert parts.tolist() == [8, 4, 2, 3]
    assert pence(np.array([1.000005, 2.5e-6])).tolist() == [100001, 0]


@pytest.mark.unit
@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(st.integers(0, 10**13), min_size=1, max_size=5),
    weights=st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=40),
    seed=st.integers(0, 1000),
)
def test_split_pence_conserves_every_total_and_is_within_a_penny(totals, weights, seed):
    rng = np.random.default_rng(seed)
    w = np.array(weights)
    group = rng.integers(0, len(totals), len(w))
    t = np.array(totals, dtype=np.int64)
    wsum = np.bincount(group, weights=w, minlength=len(t))
    t = np.where(wsum > 0, t, 0)
    parts = split_pence(t, group, w)
    assert parts.dtype == np.int64 and (parts >= 0).all()
    assert (np.bincount(group, weights=parts, minlength=len(t)).astype(np.int64) == t).all()
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(wsum[group] > 0, t[group] * w / wsum[group], 0)
    assert (np.abs(parts - exact) < 1.0 + 1e-6 * np.maximum(exact, 1)).all()


@pytest.mark.unit
def test_split_pence_refuses_zero_weight():
    with pytest.raises(DevocareError, match="zero weight"):
        split_pence(np.array([5]), np.array([0, 0]), np.array([0.0, 0.0]))


@pytest.mark.integration
@pytest.mark.parametrize("year", MONEY_YEARS)
def test_every_icb_line_is_reproduced_to_the_penny(year):
    icb = money(year, "icb")
    for line in lines_for(year):
        pub = published(year, line)
        got = icb[icb["line"] == line]
        assert len(got) == 42
        from devocare import geography

        ods = geography.areas("icb", 2024).set_index("code")["alt_code"]
        by_ods = dict(zip(got["code"].map(ods), got["pence"], strict=True))
        assert all(by_ods[c] == p for c, p in zip(pub["icb_code"], pub["pence"], strict=True))


@pytest.mark.integration
@pytest.mark.parametrize("year", MONEY_YEARS)
def test_every_level_adds_up_to_england(year):
    england = {line: int(published(year, line)["pence"].sum()) for line in lines_for(year)}
    for level in ("lad", "utla", "ca", "ons_region", "region", "england"):
        m = money(year, level)
        assert m["pence"].dtype == np.int64
        assert m.groupby("line")["pence"].sum().to_dict() == england, level
    lad = money(year, "lad")
    assert lad["code"].nunique() == 296
    # published England row = ICB rows + regionally held budgets, within the workbook's £k rounding
    for line in lines_for(year):
        pub = published(year, line)
        assert pub["gbp_k"].sum() + pub.attrs["region_held_gbp_k"] == pytest.approx(pub.attrs["england_gbp_k"], abs=5)


@pytest.mark.integration
def test_lads_split_across_icbs_get_money_from_each():
    per = practice_money("2025/26", ["core"])
    by_lad = per.groupby("lad_code")["icb_code"].nunique()
    split = by_lad[by_lad > 1]
    assert len(split) >= 5
    lad = money("2025/26", "lad", ["core"]).set_index("code")
    for code in split.index:
        assert lad.loc[code, "pence"] == per.loc[per["lad_code"] == code, "pence"].sum()


@pytest.mark.integration
def test_bad_lines_and_years():
    with pytest.raises(DevocareError, match="did you mean 'pmc'"):
        money("2025/26", "lad", ["pmcc"])
    with pytest.raises(DevocareError, match="for 2023/24"):
        money("2023/24", "lad", ["pod"])
    with pytest.raises(DevocareError, match="allocation year"):
        money("2022/23", "lad")
    with pytest.raises(DevocareError, match="allocation level"):
        money("2025/26", "ward")
    assert set(LINE_IDS) >= set(lines_for("2025/26"))


@pytest.mark.integration
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), level=st.sampled_from(["lad", "utla", "ca", "ons_region", "region", "icb"]))
def test_any_icb_amounts_aggregate_to_the_same_england_total(seed, level):
    # whatever the ICB figures are, every level adds up to their total to the penny
    money_mod = importlib.import_module("devocare.allocation.money")

    real = money_mod.published
    totals = np.random.default_rng(seed).integers(0, 10**12, 42)

    def fake(year, line):
        pub = real(year, line).copy()
        pub["pence"] = totals
        return pub

    money_mod.published = fake
    try:
        m = money("2024/25", level, ["core"])
    finally:
        money_mod.published = real
    assert m["pence"].sum() == totals.sum()


@pytest.mark.integration
@pytest.mark.parametrize(
    ("year", "icb", "level"),
    [
        ("2025/26", "QOP", "lad"),
        ("2024/25", "QWO", "utla"),
        ("2023/24", "QNQ", "sicb"),
        ("2025/26", "QOP", "ca"),
        ("2025/26", "QNQ", "lad"),
    ],
)
def test_place_money_adds_up_to_the_icbs_published_lines(year, icb, level):
    places = place_money(year, icb, place_level=level)
    assert places["pence"].dtype == np.int64 and not places.attrs["uncovered"]
    pub = {line: int(published(year, line).set_index("icb_code").loc[icb, "pence"]) for line in lines_for(year)}
    assert places.groupby("line")["pence"].sum().to_dict() == pub
    assert (
        places.groupby("line")["practices"].sum() == (practices(year, as_allocated=True)["icb_code"] == icb).sum()
    ).all()


@pytest.mark.integration
def test_place_money_of_practice_lists_sums_those_practices():
    listed = {"North": ["P82001", "p82002 "], "South": ["P82003"]}
    got = place_money("2025/26", "NHS Greater Manchester ICB", places=listed, lines=["core", "pmc"])
    per = practice_money("2025/26", ["core", "pmc"]).set_index(["practice_code", "line"])["pence"]
    for (place, line), place_pence in got.set_index(["place", "line"])["pence"].items():
        codes = [c.strip().upper() for c in listed[place]]
        assert place_pence == sum(per[(c, line)] for c in codes)
    assert list(got["place"].unique()) == ["North", "South"]
    in_icb = practices("2025/26", as_allocated=True).query("icb_code == 'QOP'")["practice_code"]
    assert got.attrs["uncovered"] == sorted(set(in_icb) - {"P82001", "P82002", "P82003"})


@pytest.mark.integration
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"places": {"A": ["P8200X"]}}, "unknown practice"),
        ({"places": {"A": ["B85005"]}}, "outside ICB QOP"),
        ({"places": {"A": ["P82001"], "B": ["P82001"]}}, "more than one place"),
        ({"places": {"A": []}}, "empty place"),
        ({"place_level": "ward"}, "place level"),
        ({}, "either places"),
    ],
)
def test_place_money_refuses_bad_places(kwargs, message):
    with pytest.raises(DevocareError, match=message):
        place_money("2025/26", "QOP", **kwargs)
