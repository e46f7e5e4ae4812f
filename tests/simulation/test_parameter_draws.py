"""A coherent Monte Carlo and dated parameters: per-path streams, centred draws, an observed base year,
derived values, declared correlations, dated values and overrides, aliases."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import devocare.simulation.parameters  # noqa: F401  (the package re-exports a function of the same name)
from devocare.errors import DevocareError
from devocare.simulation import montecarlo, sampling

P = sys.modules["devocare.simulation.parameters"]
pytestmark = pytest.mark.unit
DRAWS = np.arange(1, 4001)


def test_each_parameters_draws_depend_only_on_seed_and_path() -> None:
    base = P.defaults()
    over = P.resolve({"prevention.effect": 0.8, "behaviour.cap_marginal_price": 0.5})
    a, b = base.draw(7, DRAWS[:200]), over.draw(7, DRAWS[:200])
    assert "prevention.effect" not in b and "behaviour.cap_marginal_price" not in b
    for path, values in b.items():
        np.testing.assert_array_equal(values, a[path], err_msg=path)
    # and the area shocks and incentive noise of a block do not move either
    va = montecarlo.draw_values(base, np.array([0, 3, 8]), 7, 3, 296, 5)
    vb = montecarlo.draw_values(over, np.array([0, 3, 8]), 7, 3, 296, 5)
    np.testing.assert_array_equal(va.shocks, vb.shocks)
    np.testing.assert_array_equal(va.criteria_noise, vb.criteria_noise)
    # a different seed gives different draws
    assert not np.array_equal(base.draw(8, DRAWS[:50])["prevention.effect"], a["prevention.effect"][:50])


def test_a_draw_is_the_same_alone_or_in_a_block() -> None:
    params = P.defaults()
    block = params.draw(3, np.array([0, 4, 17]))
    alone = params.draw(3, np.array([17]))
    for path in block:
        assert block[path][2] == alone[path][0]
        assert block[path][0] == params[path]  # draw 0 is the central run


def test_draws_are_centred_on_the_stated_value() -> None:
    params = P.defaults()
    draws = params.draw(11, DRAWS)
    assert "prevention.effect" in draws  # skewed: triangular 0–1.3 around 0.3
    for path, values in draws.items():
        p = params.params[path]
        lo, hi = p.uncertainty["low"], p.uncertainty["high"]
        # the median of 4,000 draws lies within 0.05 of the interval's width of the stated value
        assert abs(np.median(values) - p.value) <= 0.05 * (hi - lo), path
        assert sampling.median_of(float(p.value), p.uncertainty) == pytest.approx(p.value), path
        assert values.min() >= p.valid_range[0] and values.max() <= p.valid_range[1], path


def test_normal_interval_keeps_its_meaning() -> None:
    spec = {"dist": "normal80", "low": 0.005, "high": 0.013}
    u = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(sampling.quantile(u, 0.011, spec), [0.005, 0.011, 0.013], atol=1e-12)


def test_base_year_is_observed_and_never_drawn() -> None:
    params = P.defaults()
    observed = [p for p, v in params.params.items() if v.observed]
    assert {"admissions.count", "admissions.unit_cost", "demand.acute_spend"} <= set(observed)
    assert {f"demand.spend.{x}" for x in ("specialised", "acute_elective", "adult_social_care")} <= set(observed)
    assert not set(observed) & set(params.uncertain())
    values = montecarlo.draw_values(params, np.arange(6), 5, 4, 296, 3)
    assert (values.shocks[:, 0, :] == 0).all()  # no demand shock in the observed base year
    assert (values.shocks[1:, 1:, :] != 0).any()


def test_observed_or_derived_leaf_refuses_uncertainty() -> None:
    leaf = {
        "label": "x",
        "unit": "£bn",
        "values": {"2024-04-01": 1.0},
        "source": "s",
        "observed": True,
        "uncertainty": [0.5, 1.5],
    }
    with pytest.raises(DevocareError, match="cannot carry an uncertainty"):
        P._build("demand.spend.x", leaf)
    leaf = {"label": "x", "unit": "fraction", "values": {"2024-04-01": 0.9}, "source": "s", "uncertainty": [0.0, 0.5]}
    with pytest.raises(DevocareError, match="centred"):
        P._build("a.b", leaf)


def test_elective_spend_is_derived_from_the_acute_total() -> None:
    params = P.defaults()
    emergency = params["admissions.count"] * params["admissions.unit_cost"] / 1e9
    assert params["demand.spend.acute_elective"] == pytest.approx(params["demand.acute_spend"] - emergency)
    assert params.params["demand.spend.acute_elective"].derived
    dearer = P.resolve({"admissions.unit_cost": 4000})
    total = dearer["demand.spend.acute_elective"] + dearer["admissions.count"] * 4000 / 1e9
    assert total == pytest.approx(params["demand.acute_spend"])  # the acute total holds
    explicit = P.resolve({"demand.spend.acute_elective": 40})
    assert explicit["demand.spend.acute_elective"] == 40  # an explicit override wins


def test_declared_correlation_is_applied_and_keeps_marginals() -> None:
    params = P.defaults()
    assert params.correlations
    path, partner, rho = params.correlations[0]
    draws = params.draw(2, DRAWS)
    r = np.corrcoef(draws[path], draws[partner])[0, 1]
    assert r == pytest.approx(rho, abs=0.06)
    # overriding the partner fixes it but leaves the correlated parameter's draws alone
    fixed = P.resolve({partner: 0.02}).draw(2, DRAWS)
    np.testing.assert_array_equal(fixed[path], draws[path])


def test_value_for_year_reads_dated_values() -> None:
    params = P.defaults()
    asc = params.params["demand.spend.adult_social_care"]
    assert len(asc.series) >= 2
    first_date, first_value = asc.series[0]
    assert params.value_for_year("demand.spend.adult_social_care", first_date) == first_value
    assert params.value_for_year("demand.spend.adult_social_care", 2030) == params["demand.spend.adult_social_care"]
    assert params.value_for_year("prevention.effect", "2027/28") == params["prevention.effect"]
    with pytest.raises(DevocareError, match="no value dated"):
        params.value_for_year("demand.acute_spend", 2010)
    with pytest.raises(DevocareError, match="financial year"):
        params.value_for_year("prevention.effect", "next year")


def test_dated_override_holds_from_its_date_only() -> None:
    params = P.resolve({"prevention.effect@2027-04-01": 0.8, "behaviour.left_shift_rate@2026/27": "1%"})
    assert params.series("prevention.effect", 2024, 5) == [0.3, 0.3, 0.3, 0.8, 0.8]
    assert params.value_for_year("behaviour.left_shift_rate", 2026) == pytest.approx(0.01)
    assert params["prevention.effect"] == 0.3  # the base year keeps its value
    assert "prevention.effect" not in params.uncertain()  # an overridden parameter is fixed
    # later dated overrides build on earlier ones; an undated one holds in every year
    both = P.resolve({"prevention.effect@2030": 0.1, "prevention.effect@2026": 0.5})
    assert both.series("prevention.effect", 2025, 6) == [0.3, 0.5, 0.5, 0.5, 0.5, 0.1]
    flat = P.resolve({"prevention.effect": 0.6})
    assert set(flat.series("prevention.effect", 2020, 15)) == {0.6}


def test_dated_override_from_a_scenario_file(tmp_path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parameters:\n  prevention:\n    effect: {2027-04-01: 0.9}\n", encoding="utf-8")
    params = P.resolve(scenario=scenario)
    assert params.value_for_year("prevention.effect", 2027) == 0.9
    assert params.value_for_year("prevention.effect", 2026) == 0.3


def test_dated_override_is_checked_before_anything_applies() -> None:
    with pytest.raises(DevocareError, match="outside its valid range"):
        P.resolve({"prevention.effect@2027": 9})
    with pytest.raises(DevocareError, match="financial year"):
        P.resolve({"prevention.effect@soon": 0.4})


def test_real_growth_alias_sets_every_funding_line() -> None:
    params = P.resolve({"funding.real_growth": "1.5%"})
    for path in P.aliases()["funding.real_growth"]:
        assert params[path] == pytest.approx(0.015)
    assert params["funding.real_growth"] == pytest.approx(0.015)
    one = P.resolve({"funding.growth.public_health": "-1%"})
    assert one["funding.growth.public_health"] == pytest.approx(-0.01) and one["funding.growth.nhs"] == 0.03


def test_transition_costs_are_cited_with_ranges() -> None:
    params = P.defaults()
    for leaf in ("redundancy", "reorganisation", "double_running", "years", "running_cost_saving"):
        p = params.params[f"transition.{leaf}"]
        assert p.source
        assert p.valid_range[0] >= 0
    assert params.params["transition.redundancy"].uncertainty == {"dist": "uniform", "low": 1.0, "high": 1.3}
    assert "nao-2013-transition" in params.params["transition.reorganisation"].source


@pytest.mark.integration
def test_override_without_effect_leaves_status_quo_results_unchanged() -> None:
    """Paired ``--set`` comparisons: the status quo has no hospital input cap, so overriding the cap's
    marginal price must not move any of its results, draw by draw."""
    from devocare.simulation import simulate

    base = simulate("status-quo-2023", years=3, draws=4, seed=9, waterfall=False)
    other = simulate(
        "status-quo-2023", years=3, draws=4, seed=9, waterfall=False, overrides={"behaviour.cap_marginal_price": 0.45}
    )
    for key in ("spent_by_line", "need_by_line", "admissions"):
        np.testing.assert_array_equal(base.national[key], other.national[key], err_msg=key)
    assert not np.array_equal(base.national["spent_by_line"][1], base.national["spent_by_line"][2])


def test_an_explicit_path_wins_over_an_alias_whatever_the_order() -> None:
    for overrides in (
        {"funding.real_growth": 0.01, "funding.growth.nhs": 0.04},
        {"funding.growth.nhs": 0.04, "funding.real_growth": 0.01},
    ):
        params = P.resolve(overrides)
        assert params["funding.growth.nhs"] == 0.04
        assert params["funding.growth.social_care"] == 0.01


@pytest.mark.integration
def test_every_draw_starts_from_the_observed_base_year_and_its_envelope() -> None:
    """The base year is the same in every draw and its spend equals the funding envelope, so no draw
    needs deficit support merely because its base year was drawn away from the envelope."""
    from devocare.simulation import simulate

    r = simulate("status-quo-2023", years=2, draws=6, seed=4, waterfall=False)
    spent = r.national["spent_by_line"][:, 0, :]
    np.testing.assert_array_equal(spent, np.broadcast_to(spent[0], spent.shape))
    assert spent[0].sum() == pytest.approx(r.national["envelope"][0, 0], rel=1e-12)
    support = r.draws["deficit_support"][:, 0, :].sum(axis=1)
    np.testing.assert_allclose(support, support[0], rtol=1e-12)
    assert len(np.unique(r.national["spent_by_line"][1:, 1, :].sum(axis=1))) > 1  # later years do vary
