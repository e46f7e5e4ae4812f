"""Conformal, factor (generalised SC / DiD) and verdict: known cases and injected effects on synthetic panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.outcomes.conformal import conformal_interval, conformal_p_value
from devocare.outcomes.factor import choose_factors, factor_fit, placebo_effects, placebo_interval
from devocare.outcomes.verdict import verdict


def _panel(seed: int, n_donors: int = 30, periods: int = 24, noise: float = 0.3):
    """Donors from a three-factor model; the treated unit is a convex mix of five donors plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    factors = np.stack([np.ones(periods), t / periods, np.sin(t / 3)], axis=1)
    loadings = rng.normal([50, -5, 1], [5, 3, 1], size=(n_donors, 3))
    donors = factors @ loadings.T + rng.normal(0, noise, size=(periods, n_donors))
    mix = np.zeros(n_donors)
    mix[:5] = [0.3, 0.25, 0.2, 0.15, 0.1]
    treated = donors @ mix + rng.normal(0, noise / 3, size=periods)
    pre, post = t < 18, t >= 18
    return treated, donors, pre, post


@pytest.mark.unit
@pytest.mark.parametrize("seed", [1, 2])
def test_conformal_interval_covers_an_injected_effect_and_excludes_zero(seed):
    treated, donors, pre, post = _panel(seed)
    res = conformal_interval(treated + 4.0 * post, donors, pre, post, level=0.9)
    assert res["lower"] <= 4.0 <= res["upper"]
    assert res["lower"] > 0  # zero is rejected
    assert res["p_value"] <= 0.1


@pytest.mark.unit
def test_conformal_interval_includes_zero_without_an_effect():
    treated, donors, pre, post = _panel(3)
    res = conformal_interval(treated, donors, pre, post, level=0.9)
    assert res["lower"] <= 0 <= res["upper"]
    assert conformal_p_value(0.0, treated, donors, post) > 0.1


@pytest.mark.unit
def test_conformal_interval_is_unbounded_when_periods_are_too_few():
    treated, donors, pre, post = _panel(4, periods=8)
    pre, post = np.arange(8) < 6, np.arange(8) >= 6
    res = conformal_interval(treated, donors, pre, post, level=0.9)
    assert res["lower"] == -np.inf and res["upper"] == np.inf and "1/8" in res["note"]


@pytest.mark.unit
def test_zero_factors_is_difference_in_differences_by_hand():
    rng = np.random.default_rng(5)
    donors = rng.normal(10, 1, size=(10, 6))
    treated = rng.normal(12, 1, size=10)
    pre, post = np.arange(10) < 7, np.arange(10) >= 7
    by_hand = (treated[post].mean() - treated[pre].mean()) - (donors[post].mean() - donors[pre].mean())
    assert factor_fit(treated, donors, pre, post, 0)["mean_post_gap"] == pytest.approx(by_hand)


@pytest.mark.unit
def test_factor_model_recovers_an_effect_that_trends_bias_in_did():
    rng = np.random.default_rng(6)
    periods, n = 20, 40
    t = np.arange(periods)
    f = np.stack([t / periods * 10, np.cos(t / 2)], axis=1)
    load = rng.normal(0, 1, size=(n + 1, 2))
    y = 50 + f @ load.T + rng.normal(0, 0.05, size=(periods, n + 1))
    load_t = np.array([2.5, 0.5])  # the treated unit trends more steeply than any donor's average
    treated = 50 + f @ load_t + 2.0 * (t >= 15)
    pre, post = t < 15, t >= 15
    r = choose_factors(treated, y, pre)
    assert r >= 1
    assert factor_fit(treated, y, pre, post, r)["mean_post_gap"] == pytest.approx(2.0, abs=0.3)
    assert abs(factor_fit(treated, y, pre, post, 0)["mean_post_gap"] - 2.0) > 1.0


@pytest.mark.unit
def test_placebo_interval_is_estimate_minus_placebo_quantiles():
    placebo = np.arange(-50, 51, dtype=float) / 10  # −5 … 5
    ci = placebo_interval(7.0, placebo, level=0.9)
    assert ci["lower"] == pytest.approx(7.0 - np.quantile(placebo, 0.95))
    assert ci["upper"] == pytest.approx(7.0 - np.quantile(placebo, 0.05))
    assert ci["p_value"] == pytest.approx(1 / 102)


@pytest.mark.unit
def test_placebo_effects_are_centred_on_zero_without_an_effect():
    _, donors, pre, post = _panel(7)
    errs = placebo_effects(donors, pre, post, 1)
    assert abs(np.median(errs)) < 0.5 and len(errs) == donors.shape[1]


def _methods(rows):
    return pd.DataFrame(rows, columns=["method", "estimate", "lower", "upper", "level"])


@pytest.mark.unit
def test_verdict_says_no_detectable_effect_when_any_interval_includes_zero():
    m = _methods([("synthetic_control", -2.0, -3.0, -1.0, 0.9), ("difference_in_differences", -1.0, -2.5, 0.5, 0.9)])
    text = verdict(m, None, "years", "higher_is_better", [])
    assert text.startswith("no detectable effect") and "not evidence of no effect" in text


@pytest.mark.unit
def test_verdict_reports_an_effect_only_when_every_interval_agrees():
    m = _methods([("synthetic_control", 0.4, 0.1, 0.7, 0.9), ("difference_in_differences", 0.3, 0.05, 0.6, 0.9)])
    text = verdict(m, None, "years", "higher_is_better", [])
    assert text.startswith("effect of +0.35 years (better)")
    robust = pd.DataFrame(
        {
            "check": ["in-time placebo"],
            "method": ["synthetic_control"],
            "estimate": [0.5],
            "lower": [0.2],
            "upper": [0.8],
        }
    )
    assert verdict(m, robust, "years", "higher_is_better", []).startswith("suggestive only")
    assert verdict(m, None, "years", "higher_is_better", ["poor fit"]).startswith("cannot conclude")
