"""Synthetic control: recovers an injected effect on synthetic data; honest on the real data."""

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


@pytest.mark.integration
def test_greater_manchester_from_2016_reports_fit_effect_and_rank():
    r = ev.evaluate("E47000001", 2016, "u75_preventable_cvd_mortality")
    assert r["area_name"] == "Greater Manchester"
    assert r["n_pre"] >= 5 and r["n_post"] >= 5 and r["n_donors"] > 100
    assert 1 <= r["placebo_rank"] <= r["n_donors"] + 1
    assert r["placebo_p_value"] == pytest.approx(r["placebo_rank"] / (r["n_donors"] + 1))
    assert np.isfinite(r["pre_rmspe"]) and np.isfinite(r["effect_mean_post_gap"])
    path = r["path"]
    assert set(path["phase"]) <= {"pre", "transition", "post"}
    # no Greater Manchester borough is its own donor
    assert not r["weights"]["code"].isin(["E08000003", "E08000001"]).any()
    assert r["weights"]["weight"].sum() == pytest.approx(1, abs=1e-3)
    gap_post = path.loc[path["phase"] == "post", "gap"].mean()
    assert gap_post == pytest.approx(r["effect_mean_post_gap"])


@pytest.mark.integration
def test_short_pre_period_is_refused():
    with pytest.raises(DevocareError, match="too short a pre-period"):
        ev.evaluate("E47000001", 2016, "hle_female")


@pytest.mark.integration
def test_no_donors_is_refused():
    with pytest.raises(DevocareError, match="donor"):
        ev.evaluate("E92000001", 2016, "u75_preventable_cvd_mortality", unit_level="utla")
