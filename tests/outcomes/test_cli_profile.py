"""``devocare outcomes profile`` and ``define``: the area profile and an indicator's definition from the CLI."""

from __future__ import annotations

import json
from functools import partial

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(cli_in_process):
    return partial(cli_in_process, "outcomes")


def test_profile_json_is_an_array_of_records_per_indicator(run):
    from devocare.outcomes.benchmark import area_profile

    code, out, _ = run("profile", "E08000006", "--level", "utla", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and isinstance(rows, list)
    want = area_profile("E08000006", "utla")
    assert [r["indicator"] for r in rows] == list(want["indicator"])
    hle = next(r for r in rows if r["indicator"] == "hle_female")
    assert hle["value"] == 58.2 and hle["comparison"] == "similar" and hle["comparison_label"] == "Similar to England"


def test_profile_table_says_labels_and_publishable_numbers(run):
    code, out, _ = run("profile", "Salford", "--level", "utla")
    assert code == 0 and "Worse than England (95% confidence)" in out
    assert "220.7" in out and "220.700000" not in out and "e+" not in out
    assert "not_compared" not in out and "higher_is_better" not in out


def test_profile_bad_area_exits_2(run):
    code, _, err = run("profile", "Atlantis")
    assert code == 2 and "Atlantis" in err


def test_define_reads_unit_direction_and_provenance(run):
    code, out, _ = run("define", "cancer_early_stage", "--format", "json")
    d = json.loads(out)
    assert code == 0 and d["unit"] == "% of cancers with known stage" and d["polarity_label"] == "Higher is better"
    code, out, _ = run("define", "cancer_early_stage")
    assert code == 0 and "Higher is better" in out and "93671" in out and "higher_is_better" not in out
    code, _, err = run("define", "nope")
    assert code == 2 and "hle_female" in err
