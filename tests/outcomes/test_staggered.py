"""Pooled staggered estimate: ATT(g,t) by hand, heterogeneous effects recovered, interval covers the truth."""

from __future__ import annotations

import numpy as np
import pytest

from devocare.outcomes import staggered as st


@pytest.mark.unit
def test_att_gt_is_the_two_by_two_difference_by_hand():
    y_t = np.array([10.0, 11.0, 15.0])
    y_c = np.array([[5.0, 7.0], [6.0, 8.0], [7.0, 9.0]])
    att = st.att_gt(y_t, y_c, base=1)
    # t = 2 against base 1: (15 − 11) − mean(7 − 6, 9 − 8) = 3; t = 0: (10 − 11) − mean(5 − 6, 7 − 8) = 0
    assert att.tolist() == pytest.approx([0.0, 0.0, 3.0])


def _staggered(seed: int):
    """Parallel trends; cohorts start in periods 8 and 12 with effects growing in time since treatment."""
    rng = np.random.default_rng(seed)
    periods, n_c = 16, 60
    trend = np.cumsum(rng.normal(0.5, 0.2, periods))
    controls = trend[:, None] + rng.normal(0, 3, n_c)[None, :] + rng.normal(0, 0.1, (periods, n_c))
    starts = [8, 8, 12, 12]
    treated = []
    for i, s in enumerate(starts):
        eff = np.where(np.arange(periods) >= s, 1.0 + 0.5 * (np.arange(periods) - s), 0.0)
        treated.append(trend + 2.0 * i + eff + rng.normal(0, 0.1, periods))
    return controls, treated, starts, periods


@pytest.mark.unit
def test_pooled_estimate_recovers_heterogeneous_staggered_effects():
    controls, treated, starts, periods = _staggered(1)
    effects, cohorts, truth = [], [], []
    for y, s in zip(treated, starts, strict=True):
        post = np.arange(periods) >= s
        effects.append(float(st.att_gt(y, controls, s - 1)[post].mean()))
        cohorts.append((s - 1, post))
        truth.append(float(np.mean(1.0 + 0.5 * np.arange(periods - s))))
    est = st.pooled(effects)
    assert est == pytest.approx(np.mean(truth), abs=0.15)
    ci = st.randomisation_interval(est, controls, cohorts, level=0.9, draws=499)
    assert ci["lower"] <= np.mean(truth) <= ci["upper"]
    assert ci["lower"] > 0 and ci["p_value"] < 0.01


@pytest.mark.unit
def test_randomisation_interval_needs_more_comparisons_than_treated():
    controls = np.zeros((5, 3))
    with pytest.raises(Exception, match="comparison areas"):
        st.randomisation_interval(0.0, controls, [(1, np.arange(5) > 2)] * 3)
