"""Funnel limits against Spiegelhalter (2005) formulae, with values worked by hand."""

from __future__ import annotations

from math import comb, exp, factorial, sqrt

import numpy as np
import pytest

from devocare.errors import DevocareError
from devocare.outcomes.funnel import classify, funnel, overdispersion, proportion_limits, ratio_limits, se_limits, z_for

pytestmark = pytest.mark.unit


def test_z_values_are_the_papers():
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_normal_proportion_limits_by_hand():
    # θ0 = 0.1, n = 100: sqrt(0.1 × 0.9 / 100) = 0.03
    lo, hi = proportion_limits(0.1, 100, 0.95, "normal")
    assert (lo, hi) == (pytest.approx(0.1 - 1.959964 * 0.03), pytest.approx(0.1 + 1.959964 * 0.03))
    lo, hi = proportion_limits(0.1, 100, 0.998, "normal")
    assert (lo, hi) == (pytest.approx(0.1 - 3.090232 * 0.03, abs=1e-7), pytest.approx(0.1 + 3.090232 * 0.03, abs=1e-7))


def _binom_cdf(k, n, p):
    return sum(comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def test_exact_binomial_limit_uses_the_papers_interpolation():
    """Upper 97.5% limit for n = 100, θ0 = 0.1: r_p = 16 (F(15) < 0.975 ≤ F(16)),
    α = (F(16) − 0.975) / (F(16) − F(15)), limit = (16 − α) / 100."""
    f15, f16 = _binom_cdf(15, 100, 0.1), _binom_cdf(16, 100, 0.1)
    assert f15 < 0.975 <= f16
    expected = (16 - (f16 - 0.975) / (f16 - f15)) / 100
    _, hi = proportion_limits(0.1, 100, 0.95, "exact")
    assert hi == pytest.approx(expected, rel=1e-9)
    assert hi == pytest.approx(0.1577, abs=5e-4)


def _pois_cdf(k, mu):
    return sum(exp(-mu) * mu**i / factorial(i) for i in range(k + 1))


def test_standardised_ratio_limits_by_hand():
    # normal: 1 ± 1.96 / sqrt(50)
    lo, hi = ratio_limits(1.0, 50, 0.95, "normal")
    assert hi - 1 == pytest.approx(1.959964 / sqrt(50))
    # exact Poisson, E = 50, upper 99.9%: r_p the smallest r with F(r) ≥ 0.999
    r = next(k for k in range(200) if _pois_cdf(k, 50) >= 0.999)
    f_r, f_rm1 = _pois_cdf(r, 50), _pois_cdf(r - 1, 50)
    expected = (r - (f_r - 0.999) / (f_r - f_rm1)) / 50
    _, hi = ratio_limits(1.0, 50, 0.998, "exact")
    assert hi == pytest.approx(expected, rel=1e-9)


def test_limits_from_a_standard_error_and_their_funnel_shape():
    se = np.array([0.5, 1.0, 2.0])
    lo, hi = se_limits(60.0, se, 0.95)
    assert hi == pytest.approx(60 + 1.959964 * se)
    assert np.all(np.diff(hi) > 0)  # wider where precision (1/se²) is lower
    lo2, hi2 = se_limits(60.0, se, 0.95, tau2=1.0)
    assert hi2 == pytest.approx(60 + 1.959964 * np.sqrt(se**2 + 1))


def test_overdispersion_is_zero_when_areas_sit_on_the_target():
    out = overdispersion(np.full(20, 5.0) + np.linspace(-0.01, 0.01, 20), np.ones(20), 5.0)
    assert out["tau2"] == 0.0 and not out["over_dispersed"]


def test_overdispersion_recovers_a_known_between_area_variance():
    rng = np.random.default_rng(0)
    se = np.full(4000, 1.0)
    values = 10 + rng.normal(0, np.sqrt(1 + 4.0), 4000)  # within-area variance 1, between-area τ² = 4
    out = overdispersion(values, se, 10.0, winsor=0.0)
    assert out["tau2"] == pytest.approx(4.0, rel=0.1)


def test_classify_reads_polarity():
    lims = {"95": (np.array([-1.0]), np.array([1.0])), "99.8": (np.array([-2.0]), np.array([2.0]))}
    assert classify(np.array([3.0]), lims, "lower_is_better")[0] == "worse_998"
    assert classify(np.array([1.5]), lims, "higher_is_better")[0] == "better_95"
    assert classify(np.array([0.0]), lims, "higher_is_better")[0] == "within"
    assert classify(np.array([-3.0]), lims, "neither")[0] == "low_998"


@pytest.mark.integration
def test_funnel_on_shipped_data_uses_published_intervals():
    r = funnel("cancer_early_stage", "utla", "2022")
    areas = r["areas"]
    assert r["target_source"].startswith("England value")
    assert areas["se"].to_numpy() == pytest.approx(
        ((areas["uci"] - areas["lci"]) / (2 * 1.959964)).to_numpy(), rel=1e-5
    )
    inside = (areas["value"] >= areas["lower_95"]) & (areas["value"] <= areas["upper_95"])
    assert (areas.loc[inside, "position"] == "within").all()
    assert sum(r["positions"].values()) == len(areas)


@pytest.mark.integration
def test_funnel_refuses_indicators_without_intervals():
    with pytest.raises(DevocareError, match="no published confidence intervals"):
        funnel("le_male", "lad")


def test_funnel_from_counts_uses_exact_binomial_limits(monkeypatch):
    """An indicator published with counts: precision is the denominator and limits are exact binomial."""
    import importlib

    import pandas as pd

    from devocare.outcomes.catalogue import Indicator

    funnel_module = importlib.import_module("devocare.outcomes.funnel")  # the package exports the function

    ind = Indicator(
        "screening",
        "Screening coverage",
        "none",
        "%",
        "higher_is_better",
        "annual",
        counts=True,
        count_model="binomial",
        scale=100.0,
    )
    n = np.array([100.0, 400.0, 1600.0, 200.0])
    count = np.array([5.0, 60.0, 160.0, 50.0])
    rows = pd.DataFrame(
        {
            "code": list("ABCD"),
            "name": list("abcd"),
            "value": count / n * 100,
            "lci": np.nan,
            "uci": np.nan,
            "count": count,
            "denominator": n,
            "approximate": False,
        }
    )
    england = pd.DataFrame({"value": [10.0]})
    monkeypatch.setattr(funnel_module, "indicator", lambda _id: ind)
    monkeypatch.setattr(funnel_module, "source_level", lambda _id, level: level)
    monkeypatch.setattr(funnel_module, "select_period", lambda _id, period, level: "2024")
    monkeypatch.setattr(funnel_module, "published_levels", lambda _id: ["utla", "england"])
    monkeypatch.setattr(
        funnel_module, "at_level", lambda _id, level, period, vintage=2024: england if level == "england" else rows
    )
    result = funnel_module.funnel("screening", "utla")
    areas = result["areas"]
    lo, hi = proportion_limits(0.1, n, 0.95, "exact")
    assert areas["lower_95"].to_numpy() == pytest.approx(lo * 100)
    assert areas["upper_95"].to_numpy() == pytest.approx(hi * 100)
    assert list(areas["precision"]) == list(n)
    # A: 5% of 100 is inside 95% limits; D: 25% of 200 is far above; C: 10% of 1600 sits on target
    assert areas["position"].iloc[0] == "within" and areas["position"].iloc[3] == "better_998"
    assert areas["position"].iloc[2] == "within"
    assert "denominators" in result["precision_from"]
