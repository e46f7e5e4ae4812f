"""Per-area bands of paired differences: each area's P5/P50/P95 of reform − baseline, draw by draw, kept in
bounded memory (horizon year, draws × areas) and written by ``compare --baseline --areas-out``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.simulation import simulate
from devocare.simulation.paired import AREA_COLUMNS, paired_area_differences, paired_differences

pytestmark = pytest.mark.integration
OPTS = {"years": 6, "draws": 40, "seed": 11, "waterfall": False}  # the reform is in force from 2027/28


@pytest.fixture(scope="module")
def runs():
    return [simulate("status-quo-2023", **OPTS), simulate("reform-aco-2024", **OPTS)]


def test_each_run_keeps_only_the_horizon_draws_per_area(runs):
    for r in runs:
        for m in ("spent", "admissions"):
            kept = r.atom_horizon_draws[m]
            assert kept.shape == (OPTS["draws"], len(r.atoms))  # bounded: no years, no lines
            assert np.allclose(kept.mean(axis=0), r.atom_statistics[m]["mean"][-1])
            assert np.allclose(np.percentile(kept, 95, axis=0), r.atom_statistics[m]["p95"][-1])


def test_area_bands_are_ordered_and_sum_to_the_national_paired_difference(runs):
    areas = paired_area_differences(runs, "status-quo-2023")
    assert list(areas.columns) == list(AREA_COLUMNS)
    for m in ("spent", "spent_per_need", "admissions"):
        part = areas[areas["measure"] == m]
        assert part[["diff_p5", "diff_p50", "diff_p95"]].notna().all().all()
        p5, p50, p95, mean = (part[c] for c in ("diff_p5", "diff_p50", "diff_p95", "diff_mean"))
        assert (p5 <= p50 + 1e-9).all() and (p50 <= p95 + 1e-9).all()
        if m != "spent_per_need":  # the mean difference is the mean of the very draws the bands come from
            base, reform = (r.atom_horizon_draws[m] for r in runs)
            assert mean.to_numpy() == pytest.approx((reform - base).mean(axis=0), rel=1e-9, abs=1e-6)
        assert (p95 - p5).gt(0).any()  # the draws do differ (areas a reform leaves alone may not)
    spent = areas[areas["measure"] == "spent"]
    national = paired_differences(runs, "status-quo-2023").set_index("measure")
    assert spent["diff_mean"].sum() / 1e9 == pytest.approx(national.loc["spent_gbp_bn", "diff_mean"], rel=1e-6)


def test_area_bands_pair_draws_rather_than_compare_marginals(runs):
    """Draw d of the reform is set against draw d of the baseline: per area, the paired differences are the
    quantiles of that per-draw difference, and pairing leaves a narrower band than shuffled draws would."""
    base, reform = (r.atom_horizon_draws["spent"] for r in runs)
    areas = paired_area_differences(runs, "status-quo-2023")
    spent = areas[areas["measure"] == "spent"].reset_index(drop=True)
    assert spent["diff_p5"].to_numpy() == pytest.approx(np.percentile(reform - base, 5, axis=0))
    shuffled = reform[np.random.default_rng(0).permutation(len(reform))] - base
    paired_width = (spent["diff_p95"] - spent["diff_p5"]).to_numpy()
    unpaired_width = np.percentile(shuffled, 95, axis=0) - np.percentile(shuffled, 5, axis=0)
    assert np.median(paired_width) < 0.5 * np.median(unpaired_width)


def test_compare_writes_area_bands_to_csv_and_parquet(tmp_path, cli_in_process):
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"areas.{suffix}"
        code, _, err = cli_in_process(
            "compare",
            "status-quo-2023",
            "reform-aco-2024",
            "--years",
            "2",
            "--draws",
            "12",
            "--seed",
            "2",
            "--baseline",
            "status-quo-2023",
            "--areas-out",
            str(out),
            "--format",
            "json",
        )
        assert code == 0, err
        table = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
        assert list(table.columns) == list(AREA_COLUMNS) and len(table) == 296 * 3
        assert table[["diff_p5", "diff_p95"]].notna().all().all()
        assert (table["diff_p5"] <= table["diff_p95"]).all()


def test_without_draws_the_bands_are_empty_not_invented():
    central = [simulate(a, years=2, draws=0, seed=1, waterfall=False) for a in ("status-quo-2023", "reform-aco-2024")]
    areas = paired_area_differences(central, "status-quo-2023")
    assert areas[["diff_p5", "diff_p50", "diff_p95"]].isna().all().all()
    assert areas["diff_central"].notna().all()
