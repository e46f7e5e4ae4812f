"""The tornado: re-drawn parameters are the ones the run used, so the parameter that sets a result ranks first."""

from __future__ import annotations

import json

import pytest
from scipy.stats import spearmanr

from devocare.errors import DevocareError
from devocare.simulation import simulate
from devocare.simulation.sensitivity import describe, parameter_draws, tornado

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run():
    return simulate("status-quo-2023", years=3, draws=30, seed=5, waterfall=False)


def test_the_parameter_that_sets_a_result_ranks_first(run):
    table = tornado(run, "admissions_per_1000", top=5)
    # the base year is observed (the same in every draw); after it, NHS demand growth drives admissions
    assert table.iloc[0]["parameter"] == "demand.non_demographic_growth.nhs"
    assert table.iloc[0]["rank_correlation"] > 0.9
    assert table.iloc[0]["high_mean"] > table.iloc[0]["low_mean"]
    assert "Non-demographic growth of NHS demand" in describe(table)


def test_rank_correlations_are_spearmans(run):
    table = tornado(run, "spent_gbp_bn", top=3)
    x = parameter_draws(run)
    y = run.summary_draws["spent_gbp_bn"][1:]
    for row in table.itertuples():
        assert row.rank_correlation == pytest.approx(spearmanr(x[row.parameter], y).statistic)
    assert table["rank_correlation"].abs().is_monotonic_decreasing


def test_a_fixed_parameter_does_not_move_anything():
    r = simulate(
        "status-quo-2023", years=1, draws=12, seed=5, waterfall=False, overrides={"admissions.count": 6_400_000}
    )
    assert "admissions.count" not in parameter_draws(r).columns or parameter_draws(r)["admissions.count"].nunique() == 1


def test_too_few_draws_and_unknown_measures_are_refused(run):
    with pytest.raises(DevocareError, match="at least 10"):
        tornado(simulate("status-quo-2023", years=1, draws=3, waterfall=False))
    with pytest.raises(DevocareError, match="unknown measure"):
        tornado(run, "happiness")


def test_cli_json_records(cli_in_process):
    r = cli_in_process(
        "sensitivity",
        "reform-aco-2024",
        "--baseline",
        "status-quo-2023",
        "--years",
        "2",
        "--draws",
        "12",
        "--top",
        "4",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 4 and {"parameter", "label", "rank_correlation", "low_mean", "high_mean"} <= set(rows[0])
    bad = cli_in_process("sensitivity", "reform-aco-2024", "--draws", "5")
    assert bad.returncode == 2 and "at least 10" in bad.stderr


def test_report_shows_a_tornado_per_reform():
    import re
    from html import unescape

    from devocare.reports import compare_report

    html = compare_report(["status-quo-2023", "reform-aco-2024"], years=2, draws=10, seed=1)
    section = unescape(html.split('id="simulation"')[1].split("</section>")[0])
    assert "What the differences depend on" in section and "reform-aco-2024 minus status-quo-2023" in section
    assert re.search(r"moves money spent most: rank correlation [+-]\d\.\d\d", section)
