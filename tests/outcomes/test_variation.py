"""Variation figures recomputed by hand from the raw shipped files, independently of the loaders."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from devocare import data, geography
from devocare.outcomes.variation import (
    area_slopes,
    coefficient_of_variation,
    deprivation_association,
    gini,
    imd_score,
    spread,
    variation,
)


def _gini_by_definition(x):
    n, mean = len(x), sum(x) / len(x)
    return sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)


def _percentile_linear(x, q):
    s = sorted(x)
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _check_spread_by_hand(values, names, polarity):
    got = spread(np.array(values), names, names, polarity)
    assert got["max"] == max(values) and got["min"] == min(values)
    assert got["ratio_max_min"] == pytest.approx(max(values) / min(values))
    assert got["gap"] == pytest.approx(max(values) - min(values))
    assert got["iqr"] == pytest.approx(_percentile_linear(values, 0.75) - _percentile_linear(values, 0.25))
    assert got["cv"] == pytest.approx(statistics.stdev(values) / statistics.mean(values))
    assert got["gini"] == pytest.approx(_gini_by_definition(values))
    best = min if polarity == "lower_is_better" else max
    assert got["best"]["value"] == best(values)
    return got


@pytest.mark.unit
def test_gini_and_cv_on_textbook_values():
    assert gini(np.array([1.0, 1.0, 1.0])) == pytest.approx(0.0)
    # x = 1,2,3,4: sum|xi-xj| = 2*(1+2+3+1+2+1) = 20; 20 / (2*16*2.5) = 0.25
    assert gini(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(0.25)
    # sd(1,2,3,4) = sqrt(5/3); mean 2.5
    assert coefficient_of_variation(np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(np.sqrt(5 / 3) / 2.5)


@pytest.mark.integration
def test_healthy_life_expectancy_london_subset_by_hand():
    """Female HLE 2022-24 for six London boroughs, read from the raw ELS file (the paper's Wandsworth vs
    Tower Hamlets comparison is one pair of them)."""
    raw = data.load("els_ons_healthy_life_expectancy_at_birth")
    raw = raw[(raw["indicator"] == "Female healthy life expectancy") & (raw["period"] == "2022-01-01/P3Y")]
    codes = ["E09000030", "E09000032", "E09000027", "E09000002", "E09000007", "E09000012"]
    sub = raw[raw["areacd"].isin(codes)]
    assert len(sub) == 6
    got = _check_spread_by_hand(list(sub["observation"]), list(sub["areanm"]), "higher_is_better")
    wandsworth = sub.loc[sub["areacd"] == "E09000032", "observation"].item()
    tower_hamlets = sub.loc[sub["areacd"] == "E09000030", "observation"].item()
    assert wandsworth - tower_hamlets == pytest.approx(4.6, abs=0.05)
    assert got["n_areas"] == 6


@pytest.mark.integration
def test_preventable_mortality_north_west_subset_by_hand():
    """Under-75 preventable mortality 2024 (persons): Blackpool vs Cheshire East and neighbours."""
    raw = data.load("ohid_fingertips_u75_mortality_preventable_lad")
    raw = raw[(raw["sex"] == "Persons") & (raw["period"] == 2024)]
    codes = ["E06000009", "E06000049", "E06000050", "E06000008", "E08000003", "E06000007"]
    sub = raw[raw["area_code"].isin(codes)].dropna(subset=["value"])
    got = _check_spread_by_hand(list(sub["value"]), list(sub["area_name"]), "lower_is_better")
    assert got["worst"]["name"] == "Blackpool"
    blackpool = sub.loc[sub["area_code"] == "E06000009", "value"].item()
    cheshire_east = sub.loc[sub["area_code"] == "E06000049", "value"].item()
    assert blackpool / cheshire_east == pytest.approx(283.3 / 139.5)


@pytest.mark.integration
def test_cancer_stage_subset_by_hand():
    """Cancers diagnosed at stage 1 or 2 in 2022 for the paper's West Suffolk and Slough plus four more."""
    raw = data.load("els_cancer_diagnosed_stage_1_2")
    raw = raw[raw["period_start"] == "2022-01-01"]
    codes = ["E07000245", "E06000039", "E06000036", "E06000038", "E06000040", "E06000041"]
    sub = raw[raw["areacd"].isin(codes)].dropna(subset=["observation"])
    assert len(sub) >= 5
    _check_spread_by_hand(list(sub["observation"]), list(sub["areanm"]), "higher_is_better")


@pytest.mark.integration
def test_whole_level_variation_matches_an_independent_computation():
    """All districts, preventable mortality 2024, straight from the Fingertips file vs the monitor."""
    raw = data.load("ohid_fingertips_u75_mortality_preventable_lad")
    raw = raw[(raw["sex"] == "Persons") & (raw["period"] == 2024) & (raw["area_type"] != "Country")]
    raw = raw.dropna(subset=["value"])
    values = raw["value"].to_numpy()
    got = variation("u75_preventable_mortality", "lad", "2024")
    assert got["n_areas"] == len(values)
    assert got["ratio_max_min"] == pytest.approx(values.max() / values.min())
    assert got["cv"] == pytest.approx(values.std(ddof=1) / values.mean())
    assert got["gini"] == pytest.approx(_gini_by_definition(list(values)))
    q1, q3 = np.percentile(values, [25, 75])
    assert got["iqr"] == pytest.approx(q3 - q1)
    # deprivation share: R² of a straight-line fit on IMD 2025 scores, recomputed with numpy.polyfit
    imd = raw["area_code"].map(lambda c: imd_score("lad")[geography.canonical_code(c)]).to_numpy()
    slope, intercept = np.polyfit(imd, values, 1)
    r2 = 1 - np.sum((values - (intercept + slope * imd)) ** 2) / np.sum((values - values.mean()) ** 2)
    assert got["deprivation"]["share_deprivation"] == pytest.approx(r2)
    assert got["deprivation"]["share_residual"] == pytest.approx(1 - r2)
    assert 0.3 < r2 < 0.95  # deprivation is strongly, not wholly, associated with preventable mortality


@pytest.mark.integration
def test_imd_scores_match_the_published_district_summary():
    published = data.load("imd2025_lad24_summary").set_index("ltla24_code")["imd_average_score"]
    ours = imd_score("lad").reindex(published.index)
    assert (ours - published).abs().max() < 0.5  # Census 2021 vs IoD's mid-2022 population weights


@pytest.mark.unit
def test_deprivation_association_on_an_exact_line():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    dep = deprivation_association(2 * x + 1, x)
    assert dep["slope_per_imd_point"] == pytest.approx(2) and dep["intercept"] == pytest.approx(1)
    assert dep["share_deprivation"] == pytest.approx(1)


@pytest.mark.unit
def test_area_slopes_by_hand():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "code": ["A"] * 3 + ["B"] * 3,
            "name": ["a"] * 3 + ["b"] * 3,
            "year": [2000, 2001, 2002] * 2,
            "value": [1.0, 2.0, 3.0, 5.0, 5.0, 2.0],
        }
    )
    s = area_slopes(frame).set_index("code")
    assert s.loc["A", "slope_per_year"] == pytest.approx(1.0)
    assert s.loc["B", "slope_per_year"] == pytest.approx(-1.5)  # cov = -3, var = 2
    assert s.loc["B", "change"] == pytest.approx(-3.0)
