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
@given(
    base=st.lists(st.integers(10**6, 10**9), min_size=2, max_size=30),
    raw=st.lists(st.floats(0.01, 1.0), min_size=30, max_size=30),
    growth=st.floats(0.0, 0.08),
    floor=st.floats(0.0, 0.03),
    extra=st.floats(0.0, 0.2),
)
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
@pytest.mark.parametrize(
    "year, line, mean_abs, worst",
    [
        ("2023/24", "core", 0.0020, 0.008),
        ("2024/25", "core", 0.0020, 0.008),
        ("2025/26", "core", 0.0006, 0.002),
        ("2025/26", "pmc", 0.02, 0.09),
    ],
)
def test_practice_target_shares_match_published_fair_shares(year, line, mean_abs, worst):
    t = target_shares(year, line)
    assert len(t) == 42
    assert t["practice_share"].sum() == pytest.approx(1.0) and t["published_share"].sum() == pytest.approx(1.0)
    assert np.corrcoef(t["practice_share"], t["published_share"])[0, 1] > 0.999
    assert t["residual_relative"].abs().mean() < mean_abs
    assert t["residual_relative"].abs().max() < worst
    assert t["residual"].sum() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.integration
@pytest.mark.parametrize(
    "year, line, column",
    [
        ("2023/24", "core", "2022/23 Distance from target (%)"),
        ("2025/26", "core", "2024/25 Distance from target (%)"),
        ("2024/25", "pmc", "2023/24 Distance from target (%)"),
        ("2025/26", "pmc", "2024/25 Distance from target (%)"),
    ],
)
def test_published_distance_from_target_is_reproduced(year, line, column):
    from devocare import data
    from devocare.allocation.convergence import published_baselines
    from devocare.allocation.money import SOURCES, published_targets

    base = published_baselines(year, line)
    target = published_targets(year, line).set_index("icb_code").loc[base["icb_code"], "target_gbp_k"]
    mine = distance_from_target(base["baseline_gbp_k"].to_numpy(), target.to_numpy(), normalise=False)
    sheet = data.load(SOURCES[(year, line)][0])
    theirs = sheet[sheet["level"] == "ICB"].set_index("icb_code").loc[base["icb_code"], column].to_numpy()
    assert np.abs(mine - theirs).max() < 1e-4  # the workbook's percentages are rounded


@pytest.mark.integration
def test_icb_convergence_from_published_baselines():
    from devocare.allocation.convergence import icb_convergence

    path = icb_convergence("2025/26", "core", years=5, growth=0.03, floor=0.02, ceiling=0.06)
    assert set(path["year"]) == set(range(6)) and path.groupby("year").size().eq(42).all()
    worst = path.groupby("year")["distance_from_target"].agg(lambda s: s.abs().max())
    assert (np.diff(worst.to_numpy()) < 0).all()
    totals = path.groupby("year")["pence"].sum().to_numpy()
    assert all(totals[t] == int(np.floor(totals[t - 1] * 1.03 + 0.5)) for t in range(1, 6))
