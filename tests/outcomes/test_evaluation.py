"""Evaluation: synthetic control recovers an injected effect; the real design is honest and complete."""

from __future__ import annotations

import numpy as np
import pytest

from devocare.errors import DevocareError
from devocare.outcomes import evaluation as ev


def _factor_panel(seed: int, n_donors: int = 40, periods: int = 20):
    """Donors from a two-factor model; the treated unit is a convex mix of five donors plus small noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    factors = np.stack([np.ones(periods), t / periods, np.sin(t / 3)], axis=1)
    loadings = rng.normal([50, -5, 1], [5, 3, 1], size=(n_donors, 3))
    donors = factors @ loadings.T + rng.normal(0, 0.3, size=(periods, n_donors))
    mix = np.zeros(n_donors)
    mix[:5] = [0.3, 0.25, 0.2, 0.15, 0.1]
    treated = donors @ mix + rng.normal(0, 0.05, size=periods)
    return treated, donors


@pytest.mark.unit
def test_weights_are_a_convex_combination_and_recover_the_mix():
    treated, donors = _factor_panel(1)
    w = ev.synth_weights(treated[:14], donors[:14])
    assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-9)
    fitted = donors[:14] @ w
    assert np.sqrt(np.mean((fitted - treated[:14]) ** 2)) < 0.3


@pytest.mark.unit
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_injected_effect_is_recovered_and_ranked_first(seed):
    treated, donors = _factor_panel(seed)
    pre, post = np.arange(20) < 14, np.arange(20) >= 14
    effect = 3.0
    fit = ev.synthetic_control(treated + effect * post, donors, pre, post)
    assert fit["mean_post_gap"] == pytest.approx(effect, abs=0.5)
    placebos = ev.placebo_ratios(donors, pre, post)
    rank = int((placebos["ratio"] >= fit["ratio"]).sum()) + 1
    assert rank == 1  # p = 1/41, the smallest attainable


@pytest.mark.unit
def test_no_effect_gives_a_small_gap():
    treated, donors = _factor_panel(4)
    pre, post = np.arange(20) < 14, np.arange(20) >= 14
    fit = ev.synthetic_control(treated, donors, pre, post)
    assert abs(fit["mean_post_gap"]) < 0.5


@pytest.mark.unit
def test_demeaned_fit_allows_a_level_difference():
    treated, donors = _factor_panel(5)
    pre, post = np.arange(20) < 14, np.arange(20) >= 14
    shifted = treated + 100.0  # outside the donors' range: the plain fit cannot match it
    plain = ev.synthetic_control(shifted, donors, pre, post)
    demeaned = ev.synthetic_control(shifted + 2.0 * post, donors, pre, post, demean=True)
    assert plain["pre_rmspe"] > 10
    assert demeaned["mean_post_gap"] == pytest.approx(2.0, abs=0.5)


@pytest.fixture(scope="module")
def gm():
    """Greater Manchester on preventable CVD mortality, default design (deal date, clean pool, to 2019)."""
    return ev.evaluate("E47000001", None, "u75_preventable_cvd_mortality", robust_indicators=("hle_male",))


@pytest.mark.integration
def test_greater_manchester_reports_fit_effect_and_rank(gm):
    r = gm
    assert r["area_name"] == "Greater Manchester"
    assert r["start"] == 2015 and r["start_event"] == "agreement" and r["start_date"] == "2014-11"
    assert r["n_pre"] >= 5 and r["n_post"] >= 2 and r["n_donors"] > 50
    assert r["path"]["period"].iloc[-1] == "2017-19"  # the post-period stops before COVID-19 by default
    assert 1 <= r["placebo_rank"] <= r["n_donors"] + 1
    assert r["placebo_p_value"] == pytest.approx(r["placebo_rank"] / (r["n_donors"] + 1))
    assert np.isfinite(r["pre_rmspe"]) and np.isfinite(r["effect_mean_post_gap"])
    path = r["path"]
    assert set(path["phase"]) <= {"pre", "transition", "post"}
    assert not r["weights"]["code"].isin(["E08000003", "E08000001"]).any()
    assert r["weights"]["weight"].sum() == pytest.approx(1, abs=1e-3)
    gap_post = path.loc[path["phase"] == "post", "gap"].mean()
    assert gap_post == pytest.approx(r["effect_mean_post_gap"])


@pytest.mark.integration
def test_default_pool_leaves_out_london_and_other_deal_areas(gm):
    donors = set(gm["placebos"]["code"])
    assert not donors & {"E09000033", "E09000019", "E08000012", "E08000025", "E06000023"}  # Westminster,
    # Islington, Liverpool, Birmingham, Bristol
    assert gm["excluded_units"]["London"] >= 33 and "Liverpool City Region" in gm["excluded_units"]


@pytest.mark.integration
def test_at_least_two_methods_with_intervals_and_pre_fit(gm):
    m = gm["methods"]
    assert set(m["method"]) == {"synthetic_control", "generalised_synthetic_control", "difference_in_differences"}
    bounded = m[np.isfinite(m["lower"]) & np.isfinite(m["upper"])]
    assert len(bounded) >= 2 and (bounded["lower"] <= bounded["upper"]).all()
    assert (m["pre_rmspe"] >= 0).all() and (m["level"] == 0.9).all()
    assert m.loc[m["method"] == "synthetic_control", "estimate"].item() == pytest.approx(gm["effect_mean_post_gap"])


@pytest.mark.integration
def test_robustness_has_leave_one_out_in_time_pools_start_and_indicators(gm):
    rob = gm["robustness"]
    assert {"leave-one-out", "in-time placebo", "donor pool", "start", "indicator"} <= set(rob["check"])
    loo = rob[rob["check"] == "leave-one-out"]
    assert (loo["n_donors"] == gm["n_donors"] - 1).all()
    in_time = rob[rob["check"] == "in-time placebo"]
    assert (in_time["n_donors"] == gm["n_donors"]).all()  # same donors, data truncated before the start
    assert in_time["variant"].str.startswith("fake start 2010").all()
    assert set(rob.loc[rob["check"] == "donor pool", "variant"]) == {"no-london", "no-deals", "all"}
    assert "health 2016-04 (2016)" in set(rob.loc[rob["check"] == "start", "variant"])
    assert rob.loc[rob["check"] == "indicator", "note"].str.startswith("not run: too short").all()


@pytest.mark.integration
def test_verdict_never_claims_an_effect_an_interval_does_not_support(gm):
    m = gm["methods"]
    agree = (m["lower"] > 0).all() or (m["upper"] < 0).all()
    assert gm["verdict"].startswith(("effect of", "suggestive only")) == agree
    assert gm["verdict"].startswith(("effect of", "suggestive only", "no detectable effect", "cannot conclude"))


@pytest.mark.integration
def test_health_event_starts_in_2016_and_non_overlapping_periods_tile_the_years():
    r = ev.evaluate(
        "E47000001",
        None,
        "u75_preventable_cvd_mortality",
        event="health",
        periods="non-overlapping",
        min_pre=3,
        robustness=False,
    )
    assert r["start"] == 2016
    years = r["path"]["year"].to_numpy()
    assert (np.diff(years) == 3).all() and 2016 in years


@pytest.mark.integration
def test_all_deals_evaluates_each_area_and_pools_them():
    from devocare.outcomes.staggered import all_deals

    res = all_deals("u75_preventable_cvd_mortality", draws=199)
    per = res["per_area"]
    done = per[per["status"] == "evaluated"]
    assert {"Greater Manchester", "Liverpool City Region", "West Midlands"} <= set(done["name"])
    assert per.loc[per["name"] == "West Yorkshire", "status"].str.startswith("not evaluable").all()
    pooled = res["pooled"]
    assert pooled["n_areas"] == len(done) and pooled["lower"] <= pooled["estimate"] <= pooled["upper"]
    assert (res["event_study"]["event_time"] < 0).any()  # the pre-trend check is there


@pytest.mark.integration
def test_short_pre_period_is_refused():
    with pytest.raises(DevocareError, match="too short a pre-period"):
        ev.evaluate("E47000001", 2016, "hle_female", robustness=False)


@pytest.mark.integration
def test_no_donors_is_refused():
    with pytest.raises(DevocareError, match="donor"):
        ev.evaluate("E92000001", 2016, "u75_preventable_cvd_mortality", unit_level="utla", robustness=False)


@pytest.mark.integration
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pool": "everyone"}, "unknown donor pool"),
        ({"event": "mayor"}, "unknown deal event"),
        ({"periods": "some"}, "unknown periods choice"),
        ({"end": 2010}, "before the start"),
        ({"level": 1.5}, "interval level"),
    ],
)
def test_bad_design_choices_are_refused(kwargs, message):
    with pytest.raises(DevocareError, match=message):
        ev.evaluate("E47000001", None, "u75_preventable_cvd_mortality", robustness=False, **kwargs)


@pytest.mark.integration
def test_area_without_a_deal_needs_a_start():
    with pytest.raises(DevocareError, match="no devolution deal recorded"):
        ev.evaluate("E06000018", None, "u75_preventable_cvd_mortality", robustness=False)
