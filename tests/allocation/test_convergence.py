"""Target shares, distance from target, pace of change."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devocare.allocation.convergence import convergence_path, distance_from_target, pace_of_change, target_shares
from devocare.errors import DevocareError


@pytest.mark.unit
def test_pace_of_change_hand_example():
    # baselines 100/200/300, targets 30/30/40 %, envelope 630: A (far under target) is held to the 10 %
    # ceiling, C (over target) to the 1 % floor, and B takes the rest.
    out = pace_of_change(np.array([10000, 20000, 30000]), np.array([0.3, 0.3, 0.4]), 63000, 0.01, 0.10)
    assert out.tolist() == [11000, 21700, 30300]


@pytest.mark.unit
@settings(max_examples=150, deadline=None)
@given(base=st.lists(st.integers(10**6, 10**9), min_size=2, max_size=30),
       raw=st.lists(st.floats(0.01, 1.0), min_size=30, max_size=30),
       growth=st.floats(0.0, 0.08), floor=st.floats(0.0, 0.03), extra=st.floats(0.0, 0.2))
def test_pace_of_change_spends_the_envelope_within_floor_and_ceiling(base, raw, growth, floor, extra):
    b = np.array(base, dtype=np.int64)
    share = np.array(raw[: len(b)])
    share = share / share.sum()
    ceiling = floor + extra
    envelope = int(b.sum() * (1 + growth))
    assume(b.sum() * (1 + floor) <= envelope <= b.sum() * (1 + ceiling))
    out = pace_of_change(b, share, envelope, floor, ceiling)
    assert out.sum() == envelope
    assert (out >= np.floor(b * (1 + floor)) - 1).all() and (out <= np.ceil(b * (1 + ceiling)) + 1).all()
    # nobody moves away from target: the most under-target area never loses ground
    before, after = distance_from_target(b, share), distance_from_target(out, share)
    worst = int(np.argmin(before))
    assert after[worst] >= before[worst] - 1e-9


@pytest.mark.unit
def test_convergence_path_closes_the_gap():
    path = convergence_path(np.array([10000, 20000, 30000]), np.array([0.3, 0.3, 0.4]), 5, 0.04, 0.01, 0.10)
    assert path.groupby("year")["pence"].sum().tolist() == [62400, 64896, 67492, 70192, 73000]
    dft = path[path["area"] == 0]["distance_from_target"].to_numpy()
    assert (np.diff(dft) > 0).all() and dft[-1] < 0


@pytest.mark.unit
def test_infeasible_or_bad_inputs():
    with pytest.raises(DevocareError, match="cannot be spent"):
        pace_of_change(np.array([100, 100]), np.array([0.5, 0.5]), 400, 0.0, 0.1)
    with pytest.raises(DevocareError, match="sum to 1"):
        pace_of_change(np.array([100, 100]), np.array([0.5, 0.6]), 200, 0.0, 0.1)
    with pytest.raises(DevocareError, match="below the floor"):
        pace_of_change(np.array([100, 100]), np.array([0.5, 0.5]), 200, 0.1, 0.0)


@pytest.mark.integration
@pytest.mark.parametrize("year, line, mean_abs, worst", [
    ("2023/24", "core", 0.0020, 0.008), ("2024/25", "core", 0.0020, 0.008), ("2025/26", "core", 0.0006, 0.002),
    ("2025/26", "pmc", 0.02, 0.09),
])
def test_practice_target_shares_match_published_fair_shares(year, line, mean_abs, worst):
    t = target_shares(year, line)
    assert len(t) == 42
    assert t["practice_share"].sum() == pytest.approx(1.0) and t["published_share"].sum() == pytest.approx(1.0)
    assert np.corrcoef(t["practice_share"], t["published_share"])[0, 1] > 0.999
    assert t["residual_relative"].abs().mean() < mean_abs
    assert t["residual_relative"].abs().max() < worst
    assert t["residual"].sum() == pytest.approx(0.0, abs=1e-12)
