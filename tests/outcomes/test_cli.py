"""``devocare outcomes``: every command, JSON shapes, charts written, and exit code 2 on bad input."""

from __future__ import annotations

import json
from functools import partial

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(cli_in_process):
    """Run ``devocare outcomes ...`` in-process through the console entry point: (exit code, stdout, stderr)."""
    return partial(cli_in_process, "outcomes")


def test_list_is_a_json_array(run):
    code, out, _ = run("list", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list) and {"id", "unit", "polarity", "licence"} <= set(rows[0])


def test_variation_json_object(run):
    code, out, _ = run("variation", "hle_female", "--level", "icb", "--period", "2019", "--format", "json")
    obj = json.loads(out)
    assert code == 0 and obj["period"] == "2019-21" and obj["level"] == "icb" and obj["n_areas"] == 42
    assert obj["approximation"] and 0 <= obj["deprivation"]["share_deprivation"] <= 1


def test_funnel_writes_html(run, tmp_path):
    out_file = tmp_path / "funnel.html"
    code, out, _ = run("funnel", "u75_preventable_cvd_mortality", "--out", str(out_file), "--format", "json")
    assert code == 0 and out_file.stat().st_size > 100_000
    obj = json.loads(out)
    assert obj["areas"] and {"lower_99.8", "upper_99.8", "position"} <= set(obj["areas"][0])


def test_status_table(run):
    code, out, _ = run("status", "--level", "utla", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["status"] for r in rows} <= {"meets", "misses", "overlaps", "no target"}
    cancer = [r for r in rows if r["indicator"] == "cancer_early_stage"]
    assert cancer and all(r["target"] == 75.0 for r in cancer)


def test_evaluate_greater_manchester(run):
    code, out, _ = run(
        "evaluate",
        "--area",
        "E47000001",
        "--start",
        "2016",
        "--indicator",
        "u75_preventable_cvd_mortality",
        "--robust-indicator",
        "le_male",
        "--format",
        "json",
    )
    obj = json.loads(out)
    assert code == 0 and obj["area_name"] == "Greater Manchester"
    assert {"pre_rmspe", "effect_mean_post_gap", "placebo_rank", "placebo_p_value", "conclusion"} <= set(obj)
    assert len(obj["placebos"]) == obj["n_donors"]
    methods = {m["method"]: m for m in obj["methods"]}
    assert len(methods) >= 2
    for m in methods.values():
        assert {"estimate", "lower", "upper", "level", "pre_rmspe", "p_value"} <= set(m)
    checks = {r["check"] for r in obj["robustness"]}
    assert {"leave-one-out", "in-time placebo"} <= checks
    assert obj["verdict"] and obj["pool"] == "clean" and obj["end"] == 2019


def test_evaluate_all_deals_json(run):
    code, out, _ = run("evaluate", "--all-deals", "--indicator", "u75_preventable_cvd_mortality", "--format", "json")
    obj = json.loads(out)
    assert code == 0 and obj["pooled"]["n_areas"] >= 2
    assert {"per_area", "event_study", "pooled_caveats"} <= set(obj)
    assert any(r["name"] == "Greater Manchester" and r["status"] == "evaluated" for r in obj["per_area"])


@pytest.mark.parametrize(
    "args, message",
    [
        (("variation", "hle_femal"), "did you mean 'hle_female'"),
        (("variation", "hle_female", "--period", "1990"), "2011-13"),
        (("variation", "asc_quality_of_life", "--level", "lad"), "published at utla only"),
        (("variation", "hle_female", "--level", "lsoa"), "unknown outcome level"),
        (("funnel", "le_male"), "no published confidence intervals"),
        (("funnel", "hle_male", "--out", "chart.pdf"), "must end in .html or .png"),
        (("evaluate", "--area", "E47000001", "--start", "2016", "--indicator", "hle_male"), "too short a pre-period"),
        (
            ("evaluate", "--area", "E92000001", "--start", "2016", "--indicator", "u75_preventable_cvd_mortality"),
            "donor",
        ),
        (("evaluate", "--area", "Nowhere", "--start", "2016", "--indicator", "hle_male"), "unknown"),
        (("evaluate", "--area", "E47000001", "--indicator", "hle_male", "--end", "soon"), "must be a year"),
        (
            ("evaluate", "--area", "E47000001", "--indicator", "u75_preventable_cvd_mortality", "--pool", "x"),
            "unknown donor pool",
        ),
        (("evaluate", "--indicator", "u75_preventable_cvd_mortality"), "give --area"),
        (
            (
                "evaluate",
                "--area",
                "E47000001",
                "--indicator",
                "u75_preventable_cvd_mortality",
                "--robustness-out",
                "r.pdf",
            ),
            "must end in .html or .png",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(run, monkeypatch, tmp_path, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 2 and message in err and err.startswith("error: ")
    assert not list(tmp_path.iterdir())  # nothing written
