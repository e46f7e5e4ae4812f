import numpy as np
import pytest

from devocare.allocation import COMPONENT_IDS, practices, weighted_population
from devocare.errors import DevocareError

COLUMNS = ["code", "name", "population", *[f"wp_{c}" for c in COMPONENT_IDS]]


@pytest.mark.integration
@pytest.mark.parametrize("year", ["2022/23", "2024/25", "2026/27", "2028/29"])
@pytest.mark.parametrize("level", ["lad", "utla", "icb", "region", "england"])
def test_area_totals_equal_practice_totals(year, level):
    wp = weighted_population(year, level)
    p = practices(year)
    assert list(wp.columns) == COLUMNS
    assert wp["code"].is_unique
    for col in COLUMNS[2:]:
        assert wp[col].sum() == pytest.approx(p[col].fillna(0).sum(), rel=1e-12)


@pytest.mark.integration
def test_every_lad_gets_patients_and_icb_generations():
    lad = weighted_population("2024/25", "lad")
    assert len(lad) == 296 and (lad["population"] > 0).all()
    assert len(weighted_population("2025/26", "icb")) == 42
    assert len(weighted_population("2026/27", "icb")) == 36
    # a 36-ICB year can still be read on the 42 ICBs of 2024 (through sub-ICB locations)
    old = weighted_population("2026/27", "icb", vintage=2024)
    assert len(old) == 42
    assert old["population"].sum() == pytest.approx(practices("2026/27")["population"].sum(), rel=1e-9)


@pytest.mark.integration
def test_national_need_index_is_one():
    # every WP column sums to the national registered population (PROVENANCE.md)
    eng = weighted_population("2023/24", "england").iloc[0]
    for c in COMPONENT_IDS:
        if c != "maternity":
            assert eng[f"wp_{c}"] / eng["population"] == pytest.approx(1.0, abs=1e-6)
    assert np.isclose(eng["population"], 61_903_547, atol=1)


@pytest.mark.unit
def test_bad_year_suggests():
    with pytest.raises(DevocareError, match="2024/25"):
        weighted_population("2024/52")
