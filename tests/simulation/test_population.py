"""Need growth from population projections by age: rebased to mid-2024, no step, nothing frozen."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import data, geography
from devocare.simulation import population
from devocare.simulation.inputs import PROJECTED, load_inputs

pytestmark = pytest.mark.unit


def _lads() -> list[str]:
    return list(geography.areas("lad")["code"])


def test_base_population_is_the_mid_2024_estimate() -> None:
    base = population.base_population()
    totals = data.load("ons_mye_population_total_england_1991_2024")
    england = totals[(totals["areacd"] == "E92000001") & (totals["year"] == 2024)]["population"].iloc[0]
    assert base.to_numpy().sum() == pytest.approx(england, rel=1e-9)
    assert len(base) == 296


def test_index_starts_at_one_and_grows_without_a_step() -> None:
    index = population.need_index(30, _lads())
    for group, values in index.items():
        assert values.shape == (30, 296)
        np.testing.assert_allclose(values[0], 1.0)
        national = values.mean(axis=1)
        rate = np.diff(national) / national[:-1]
        # year-on-year growth moves smoothly: no change of more than 0.3 points between consecutive years,
        # in particular not in 2025/26 (data source) nor after 2043 (end of the projections)
        assert np.abs(np.diff(rate)).max() < 0.003, group
        assert (rate > 0).all(), group


def test_ageing_is_in_the_index_and_age_structure_keeps_moving() -> None:
    index = population.need_index(30, _lads())
    ratio = index["adult_social_care"].mean(axis=1) / index["population"].mean(axis=1)
    assert ratio[10] > ratio[4] > 1.0  # care need grows faster than heads: the population ages
    assert not np.allclose(ratio[5:], ratio[5])  # nothing frozen after 2028/29


def test_weighted_heads_cover_the_horizon_and_keep_the_base_year() -> None:
    from devocare.allocation.grants import area_weights
    from devocare.simulation.demand import NEED_BASIS

    inputs = load_inputs("lad")
    assert inputs.weighted_heads.shape[0] == len(PROJECTED) == 30
    wp = area_weights("2024/25", "lad").set_index("code").reindex(list(inputs.atoms))
    line = "wider_determinants"
    j = list(NEED_BASIS).index(line)
    np.testing.assert_allclose(inputs.weighted_heads[0, :, j], wp[NEED_BASIS[line]].fillna(0.0).to_numpy())
    pop = inputs.weighted_heads[:, :, j].sum(axis=1)
    assert pop[29] > pop[10] > pop[5] > pop[4]  # the denominator keeps growing after 2028/29


@pytest.mark.integration
def test_funding_grows_per_envelope_and_the_alias_sets_them_all() -> None:
    from devocare.service_lines import LINE_IDS
    from devocare.simulation import simulate

    alias = simulate("status-quo-2023", years=3, waterfall=False, overrides={"funding.real_growth": 0.01})
    lines = simulate(
        "status-quo-2023",
        years=3,
        waterfall=False,
        overrides={
            "funding.real_growth": 0.01,
            "funding.growth.nhs": 0.01,
            "funding.growth.social_care": 0.01,
            "funding.growth.public_health": 0.01,
        },
    )
    np.testing.assert_array_equal(alias.national["allocated_by_line"], lines.national["allocated_by_line"])
    cut = simulate("status-quo-2023", years=3, waterfall=False, overrides={"funding.growth.public_health": -0.02})
    base = simulate("status-quo-2023", years=3, waterfall=False)
    before, after = base.national["allocated_by_line"][0], cut.national["allocated_by_line"][0]
    ph, nhs = LINE_IDS.index("public_health"), LINE_IDS.index("acute_elective")
    assert after[0, ph] == pytest.approx(before[0, ph])  # the base year is the same
    assert after[2, ph] < before[2, ph]  # the public health grant grows more slowly
    assert after[2, nhs] == pytest.approx(before[2, nhs], rel=1e-12)  # NHS lines are untouched


def test_registered_population_has_no_step_when_the_data_source_changes() -> None:
    inputs = load_inputs("lad")
    from devocare.simulation.demand import NEED_BASIS

    j = list(NEED_BASIS).index("wider_determinants")  # plain population
    pop = inputs.weighted_heads[:, :, j].sum(axis=1)
    rate = np.diff(pop) / pop[:-1]
    assert rate[0] < 0.01  # 2025/26: no +2.7% step from NHS England's change of projection files
    assert np.abs(np.diff(rate)).max() < 0.003
