"""The simulate and compare commands: output shapes, files, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli(cli_in_process):
    """The console entry point in process: simulation runs are too slow to start an interpreter for each."""
    return cli_in_process


def test_simulate_json_is_an_object_with_summary_waterfall_and_run_record(cli, tmp_path) -> None:
    out = tmp_path / "run.parquet"
    r = cli(
        "simulate",
        "reform-split-2024",
        "--years",
        "3",
        "--draws",
        "2",
        "--seed",
        "5",
        "--out",
        str(out),
        "--format",
        "json",
        "--set",
        "prevention.effect=0.5",
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["summary"]["architecture"] == "reform-split-2024"
    assert doc["summary"]["draws"] == 2
    assert doc["run_record"]["seed"] == 5 and doc["run_record"]["overrides"] == {"prevention.effect": 0.5}
    assert {row["step"] for row in doc["waterfall"]} >= {"base", "demography", "prevention", "interaction", "horizon"}
    by_year = doc["by_year"]  # one record per year, national totals of the central run
    assert [row["year"] for row in by_year] == ["2024/25", "2025/26", "2026/27"]
    last = by_year[-1]
    assert last["spent"] / 1e9 == pytest.approx(doc["summary"]["spent_gbp_bn"], rel=1e-12)
    assert sum(row["deficit_support"] for row in by_year) / 1e9 == pytest.approx(
        doc["summary"]["deficit_support_gbp_bn"], rel=1e-12
    )
    assert all(row["unmet_need"] >= 0 and row["bodies_in_intervention"] >= 0 for row in by_year)
    assert set(last) == {
        "year",
        "allocated",
        "spent",
        "need",
        "unmet_need",
        "admissions",
        "reserves",
        "deficit_support",
        "returned",
        "incentive_paid",
        "transfers",
        "bodies_in_intervention",
    }
    table = pq.read_table(out)
    record = json.loads(table.schema.metadata[b"devocare.run_record"])
    assert record["parameter_hash"] == doc["run_record"]["parameter_hash"]
    assert {"draw", "statistic", "year", "body", "atom", "line", "measure", "value"} <= set(table.column_names)


def test_compare_json_is_an_array_of_summaries(cli) -> None:
    r = cli("compare", "status-quo-2023", "reform-aco-2024", "--years", "2", "--draws", "0", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["architecture"] for row in rows] == ["status-quo-2023", "reform-aco-2024"]


def test_compare_table_prints_architectures_side_by_side(cli) -> None:
    r = cli("compare", "status-quo-2023", "reform-aco-2024", "--years", "2", "--draws", "0")
    assert r.returncode == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert "status-quo-2023" in header and "reform-aco-2024" in header
    assert "Hospital (acute) share of spend" in r.stdout and "run records:" in r.stdout
    assert "acute_share" not in r.stdout  # labels, not keys


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "reform-acco-2024"], "reform-aco-2024"),
        (["simulate", "status-quo-2023", "--set", "prevention.efect=0.5"], "prevention.effect"),
        (["simulate", "status-quo-2023", "--set", "prevention.effect=40%"], "percentage"),
        (["simulate", "status-quo-2023", "--set", "prevention.effect"], "path.to.param=value"),
        (["simulate", "status-quo-2023", "--atoms", "msoa"], "atoms"),
        (["simulate", "status-quo-2023", "--backend", "torch"], "backend"),
        (["simulate", "status-quo-2023", "--years", "0"], "years"),
        (["simulate", "status-quo-2023", "--scenario", "missing.yaml"], "missing.yaml"),
        (["simulate", "status-quo-2023", "--draws", "900000", "--years", "30"], "GiB"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args, message) -> None:
    r = cli(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert r.stderr.strip().count("\n") == 0 and r.stderr.startswith("error:")


def test_bad_out_path_writes_nothing(cli, tmp_path) -> None:
    out = tmp_path / "run.csv"
    r = cli("simulate", "status-quo-2023", "--draws", "0", "--years", "2", "--out", str(out))
    assert r.returncode == 2 and ".parquet" in r.stderr
    assert not out.exists()


def test_architecture_that_fails_validation_exits_2(cli, tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nextends: status-quo-2023\nname: Broken\nmoney:\n  settlement_years: 0\n")
    out = tmp_path / "run.parquet"
    r = cli("simulate", str(broken), "--draws", "0", "--out", str(out))
    assert r.returncode == 2 and r.stderr.startswith("error:")
    assert "settlement_years" in r.stderr
    assert not out.exists()
