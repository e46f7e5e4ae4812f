"""Paired comparison and the budget holder's view: invariants checked on real runs, the CLI contracts
(JSON keys, files read back, exit 2 on bad input) and readable tables."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from devocare.errors import DevocareError
from devocare.simulation import simulate
from devocare.simulation.budget import budget_view
from devocare.simulation.paired import paired_area_differences, paired_differences, plain_summary

pytestmark = pytest.mark.integration
SCI = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z])")  # not inside hashes
OPTS = {"years": 5, "draws": 8, "seed": 3, "waterfall": False}  # the ACO starts in 2027/28: year 4


@pytest.fixture(scope="module")
def runs():
    return [simulate("status-quo-2023", **OPTS), simulate("reform-aco-2024", **OPTS)]


def test_an_architecture_against_itself_differs_by_nothing(runs):
    again = simulate("status-quo-2023", **OPTS)
    diffs = paired_differences(
        [runs[0], again.__class__(**{**again.__dict__, "architecture": "copy"})], "status-quo-2023"
    )
    assert np.allclose(diffs[["diff_p5", "diff_p50", "diff_p95", "diff_central"]].to_numpy(), 0)
    assert (diffs["prob_lower"] == 0).all() and (diffs["prob_higher"] == 0).all()


def test_paired_quantiles_are_the_quantiles_of_the_per_draw_differences(runs):
    diffs = paired_differences(runs, "status-quo-2023")
    assert set(diffs["architecture"]) == {"reform-aco-2024"}
    row = diffs[diffs["measure"] == "spent_gbp_bn"].iloc[0]
    per_draw = runs[1].summary_draws["spent_gbp_bn"][1:] - runs[0].summary_draws["spent_gbp_bn"][1:]
    assert row["diff_p50"] == pytest.approx(np.median(per_draw))
    assert row["prob_lower"] == pytest.approx(np.mean(per_draw < 0))
    assert row["prob_lower"] + row["prob_higher"] <= 1
    assert row["diff_p5"] <= row["diff_p50"] <= row["diff_p95"]
    assert all(s.startswith("reform-aco-2024:") for s in plain_summary(diffs))


def test_area_differences_add_up_and_name_areas(runs):
    areas = paired_area_differences(runs, "status-quo-2023")
    spent = areas[areas["measure"] == "spent"]
    assert len(spent) == len(runs[0].atoms) and spent["area_name"].str.len().gt(0).all()
    national = runs[1].central_atoms["spent"][-1].sum() - runs[0].central_atoms["spent"][-1].sum()
    assert spent["diff_central"].sum() == pytest.approx(national, rel=1e-9)
    assert "Manchester" in set(spent["area_name"])


def test_runs_with_different_seeds_are_refused(runs):
    other = simulate("reform-aco-2024", **{**OPTS, "seed": 4})
    with pytest.raises(DevocareError, match="same seed"):
        paired_differences([runs[0], other], "status-quo-2023")
    with pytest.raises(DevocareError, match="baseline"):
        paired_differences(runs, "ten-year-plan-2025")


def test_budget_view_probabilities_and_reasons(runs):
    view = budget_view("reform-aco-2024", "Greater Manchester", result=runs[1])
    t = view.table
    assert view.body == "combined_authority:E47000001" and view.name == "Greater Manchester"
    assert list(t["year"]) == runs[1].years
    for col in ("prob_overspend", "prob_intervention", "prob_reserves_negative", "prob_below_minimum_service"):
        assert t[col].between(0, 1).all()
    # intervention happens exactly when one of its two reasons does (a deficit, or floors breached for years)
    reasons = t[["prob_intervention_deficit", "prob_intervention_floor"]]
    assert (t["prob_intervention"] >= reasons.max(axis=1)).all()
    assert (t["prob_intervention"] <= reasons.sum(axis=1) + 1e-12).all()
    assert (t["reserves_p5"] <= t["reserves_p95"]).all()
    b = int(runs[1].budgets.loc[runs[1].budgets["body"] == view.body, "budget"].iloc[0])
    reserves = runs[1].draws["reserves"][1:, :, b]
    assert t["prob_reserves_negative"].tolist() == pytest.approx((reserves < 0).mean(axis=0).tolist())


def test_budget_view_refuses_unknown_or_ambiguous_bodies(runs):
    with pytest.raises(DevocareError, match="no budget"):
        budget_view("reform-aco-2024", "Atlantis", result=runs[1])
    with pytest.raises(DevocareError, match="several budgets"):
        budget_view("reform-aco-2024", "E92000001", result=runs[1])  # DHSC and NHSE both hold England budgets


@pytest.fixture
def cli(cli_in_process):
    return cli_in_process


def test_compare_baseline_json_records_and_files(cli, tmp_path):
    areas = tmp_path / "areas.csv"
    r = cli(
        "compare",
        "status-quo-2023",
        "reform-aco-2024",
        "reform-split-2024",
        "--years",
        "2",
        "--draws",
        "4",
        "--baseline",
        "status-quo-2023",
        "--areas-out",
        str(areas),
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {"architecture", "measure", "diff_p5", "diff_p50", "diff_p95", "prob_lower", "prob_higher"} <= set(rows[0])
    assert {row["architecture"] for row in rows} == {"reform-aco-2024", "reform-split-2024"}
    table = pd.read_csv(areas)
    assert set(table["measure"]) == {"spent", "spent_per_need", "admissions"} and table["area_name"].notna().all()


def test_compare_and_budget_workbooks_read_back(cli, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "compare.xlsx"
    r = cli(
        "compare",
        "status-quo-2023",
        "reform-aco-2024",
        "--years",
        "2",
        "--draws",
        "3",
        "--baseline",
        "status-quo-2023",
        "--format",
        "xlsx",
        "--out",
        str(book),
    )
    assert r.returncode == 0, r.stderr
    wb = load_workbook(book)
    assert {"summaries", "paired differences", "areas", "run record", "parameters"} <= set(wb.sheetnames)
    sheet = wb["paired differences"]
    assert sheet["A1"].value == "Architecture" and sheet["A2"].value == "architecture"
    record = [row[0].value for row in wb["run record"].iter_rows()]
    assert "seed" in record and "Data source" in record
    params = wb["parameters"]
    assert params["F1"].value == "Source or assumption" and params.max_row > 20
    budget = tmp_path / "budget.xlsx"
    r = cli(
        "budget",
        "reform-aco-2024",
        "--body",
        "E47000001",
        "--years",
        "2",
        "--draws",
        "3",
        "--format",
        "xlsx",
        "--out",
        str(budget),
    )
    assert r.returncode == 0, r.stderr
    ws = load_workbook(budget)["budget by year"]
    headers = [c.value for c in ws[2]]
    assert "prob_overspend" in headers and ws.max_row == 4  # label row, key row, two years


def test_budget_json_is_an_array_of_per_year_records(cli):
    r = cli(
        "budget", "reform-aco-2024", "--body", "Greater Manchester", "--years", "2", "--draws", "3", "--format", "json"
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert isinstance(rows, list) and len(rows) == 2
    assert {
        "year",
        "prob_overspend",
        "prob_intervention",
        "income_central",
        "reserves_p5",
        "reserves_p95",
        "spent_p50",
        "need_central",
    } <= set(rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["budget", "reform-aco-2024", "--body", "Atlantis", "--draws", "0", "--years", "1"], "no budget"),
        (["budget", "reform-aco-2024", "--body", "E47000001", "--format", "xlsx"], "--out"),
        (["compare", "status-quo-2023", "reform-aco-2024", "--baseline", "ten-year-plan-2025"], "--baseline"),
        (["compare", "status-quo-2023", "--areas-out", "x.csv"], "--baseline"),
        (["allocate", "targets", "--format", "xlsx", "--out", "t.csv"], ".xlsx"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args, message):
    r = cli(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and r.stderr.strip().count("\n") == 0


def _scan(text: str) -> None:
    """No scientific notation, money to at most four significant digits, no internal keys shown (the
    provenance line's hex hashes can look like 2e6, so they are left out of the scan)."""
    text = re.sub(r"\b[0-9a-f]{12}\b", "", text)
    assert not SCI.search(text), SCI.search(text)
    for money in re.findall(r"£[\d,]+(?:\.\d+)?", text):
        digits = money[1:].replace(",", "")
        whole, _, frac = digits.partition(".")
        sig = (whole.lstrip("0") + frac) if frac else whole.lstrip("0").rstrip("0")
        assert len(sig.lstrip("0")) <= 4, money
    for key in ("acute_share", "funding_per_need_cv", "bodies_in_intervention", "prob_overspend", "spent_gbp_bn"):
        assert key not in text, key


def test_cli_tables_are_readable(cli):
    outputs = [
        cli("compare", "status-quo-2023", "reform-aco-2024", "--years", "2", "--draws", "3"),
        cli(
            "compare",
            "status-quo-2023",
            "reform-aco-2024",
            "--years",
            "2",
            "--draws",
            "3",
            "--baseline",
            "status-quo-2023",
        ),
        cli("simulate", "reform-split-2024", "--years", "2", "--draws", "3"),
        cli("budget", "reform-aco-2024", "--body", "E47000001", "--years", "2", "--draws", "3"),
        cli("allocate", "money", "--year", "2025/26", "--level", "ca", "--lines", "core"),
    ]
    for r in outputs:
        assert r.returncode == 0, r.stderr
        _scan(r.stdout)
    assert "Chance of overspend" in outputs[3].stdout and "Return on prevention" in outputs[3].stdout


def test_grants_grow_like_the_simulator_and_label_each_year(cli):
    from io import StringIO

    r = cli("allocate", "grants", "--arch", "reform-aco-2024", "--years", "3", "--format", "csv")
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(StringIO(r.stdout))
    totals = table.groupby("grant_year")["gbp"].sum()
    assert list(totals.index) == ["2024/25", "2025/26", "2026/27"]
    assert totals.iloc[1] / totals.iloc[0] == pytest.approx(1.03, rel=1e-6)  # funding.real_growth, not flat
