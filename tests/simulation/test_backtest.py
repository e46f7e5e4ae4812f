"""Back-test of the demand side against NHS England's emergency admissions by ICB."""

from __future__ import annotations

import json

import numpy as np
import pytest

from devocare.simulation import backtest as B
from devocare.simulation.parameters import resolve

pytestmark = pytest.mark.unit


def test_observed_series_has_complete_years_with_published_totals() -> None:
    obs = B.observed()
    totals = obs.groupby("year")["admissions"].sum()
    assert list(totals.index) == ["2022/23", "2023/24", "2024/25"]  # 2025/26 is incomplete and left out
    assert totals.to_dict() == {"2022/23": 6032680, "2023/24": 6416584, "2024/25": 6571072}
    assert (obs.groupby("year")["icb24cd"].nunique() == 42).all()


def test_flows_send_every_residents_admission_somewhere() -> None:
    icbs, flows = B.flow_matrix()
    assert len(icbs) == 42 and flows.shape == (42, 42)
    np.testing.assert_allclose(flows.sum(axis=1), 1.0)
    assert (flows >= 0).all()
    assert np.diag(flows).mean() > 0.7  # most people are treated in their own ICB


def test_base_year_prediction_conserves_the_national_total() -> None:
    pred = B.predicted()
    base = pred[pred["year"] == B.BASE]
    national = B.observed().query("year == @B.BASE")["admissions"].sum()
    assert base["residence"].sum() == pytest.approx(national, rel=1e-12)
    assert base["provider"].sum() == pytest.approx(national, rel=1e-12)


def test_backtest_reports_bias_and_mape_per_year_and_method() -> None:
    table, summary = B.backtest()
    assert set(summary["method"]) == {"level", "growth"} and set(summary["year"]) == set(B.YEARS)
    assert (summary["icbs"] == 42).all()
    assert (summary["mape"] >= summary["bias"].abs()).all()
    for (method, year), group in table.groupby(["method", "year"]):
        row = summary[(summary["method"] == method) & (summary["year"] == year)].iloc[0]
        assert row["mape"] == pytest.approx(np.abs(group["error"]).mean())
        assert row["bias"] == pytest.approx(group["error"].mean())
    # anchoring each ICB at its own 2022/23 count leaves only the growth error, which is smaller
    assert (
        summary.set_index(["method", "year"]).loc["growth", "mape"]
        < summary.set_index(["method", "year"]).loc["level", "mape"]
    ).all()


def test_more_non_demographic_growth_predicts_more_admissions() -> None:
    low = B.predicted(resolve({"demand.non_demographic_growth.nhs": 0.0}))
    high = B.predicted(resolve({"demand.non_demographic_growth.nhs": 0.04}))
    later = low["year"] != B.BASE
    assert (high.loc[later, "provider"].to_numpy() > low.loc[later, "provider"].to_numpy()).all()


@pytest.mark.e2e
def test_cli_json_and_bad_input(cli_in_process) -> None:
    out = cli_in_process("backtest", "--format", "json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"summary", "by_icb"}
    assert {"method", "year", "icbs", "bias", "mape"} <= set(payload["summary"][0])
    assert len(payload["by_icb"]) == 2 * 2 * 42
    bad = cli_in_process("backtest", "--set", "demand.non_demographic_growth.nhs=99")
    assert bad.returncode == 2 and "valid range" in bad.stderr
