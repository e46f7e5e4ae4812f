"""Attribution of a reform's paired difference to mechanism groups: the contributions add up to the
difference in every draw, nothing is left with every group off for spend, unmet need and admissions, a
group that cannot act in an architecture really does nothing there, and the CLI's records keep their keys."""

from __future__ import annotations

import json
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest

from devocare.errors import DevocareError
from devocare.simulation.attribution import (
    DEFICIT_SUPPORT,
    MECHANISMS_OFF,
    STRUCTURE,
    attribute,
    attribution_table,
    describe,
    mechanisms,
    shapley_values,
)
from devocare.simulation.paired import paired_differences
from devocare.simulation.parameters import load_scenario
from devocare.simulation.runner import simulate

BASELINE = "status-quo-2023"
REFORMS = ("reform-aco-2024", "reform-split-2024")  # the ACO has input caps, the split model co-financing
OPTS = {"years": 5, "draws": 3, "seed": 5}  # the reforms start in 2027/28: two years of their own
ZERO_WITH_EVERYTHING_OFF = ("spent_gbp_bn", "unmet_need_gbp_bn", "admissions_per_1000", "acute_share")


@pytest.fixture(scope="module")
def attribution():
    return attribute([BASELINE, *REFORMS], BASELINE, **OPTS)


@pytest.mark.unit
def test_every_parameter_of_the_mechanisms_off_scenario_belongs_to_one_group():
    groups = mechanisms()
    owned = [p for m in groups if m is not DEFICIT_SUPPORT for p in m.off]
    assert sorted(owned) == sorted(load_scenario(MECHANISMS_OFF))
    assert len(owned) == len(set(owned))
    assert groups[-1].off == {"behaviour.deficit_support_limit": 0}
    with pytest.raises(DevocareError, match="no mechanism group"):
        mechanisms({"parameters": {"prevention.effect": 0}})


@pytest.mark.unit
def test_shapley_values_match_the_permutation_definition_and_add_up():
    rng = np.random.default_rng(0)
    players = ("a", "b", "c", "d")
    table = {frozenset(s): rng.normal(size=3) for k in range(5) for s in combinations(players, k)}
    phi = shapley_values(players, lambda s: table[s])
    np.testing.assert_allclose(sum(phi.values()), table[frozenset(players)] - table[frozenset()], atol=1e-12)
    for p in players:  # the definition over coalitions without p, weighted by |S|! (n − |S| − 1)! / n!
        others = [x for x in players if x != p]
        expected = sum(
            factorial(k) * factorial(3 - k) / factorial(4) * (table[frozenset(s) | {p}] - table[frozenset(s)])
            for k in range(4)
            for s in combinations(others, k)
        )
        np.testing.assert_allclose(phi[p], expected, atol=1e-12)


@pytest.mark.integration
def test_contributions_add_up_to_the_paired_difference_in_every_draw(attribution):
    diffs = paired_differences(attribution.results, BASELINE)
    for arch in REFORMS:
        for measure, parts in attribution.contributions[arch].items():
            total = sum(parts.values())
            np.testing.assert_allclose(total, attribution.differences[arch][measure], rtol=0, atol=1e-9)
            row = diffs[(diffs["architecture"] == arch) & (diffs["measure"] == measure)].iloc[0]
            assert attribution.differences[arch][measure][0] == pytest.approx(row["diff_central"], abs=1e-9)
    # the runs with every group on are the plain runs: the difference is what compare reports
    spent = attribution.differences["reform-aco-2024"]["spent_gbp_bn"]
    assert np.abs(spent).max() > 1e-3  # and it is not empty


@pytest.mark.integration
def test_with_every_group_off_spend_unmet_need_and_admissions_do_not_differ(attribution):
    for arch in REFORMS:
        for measure in ZERO_WITH_EVERYTHING_OFF:
            left = attribution.contributions[arch][measure][STRUCTURE]
            np.testing.assert_allclose(left, 0, atol=1e-9, err_msg=f"{arch} {measure}")


@pytest.mark.integration
def test_groups_that_cannot_act_in_either_architecture_contribute_nothing(attribution):
    assert "cofinancing" not in attribution.acting["reform-aco-2024"]
    assert "input_caps" not in attribution.acting["reform-split-2024"]
    assert {"left_shift", "transition", "input_caps", "cofinancing"}.isdisjoint(attribution.acting[BASELINE])
    for arch, idle in (("reform-aco-2024", "cofinancing"), ("reform-split-2024", "input_caps")):
        for parts in attribution.contributions[arch].values():
            assert not parts[idle].any()
    table = attribution_table(attribution)
    shares = table.dropna(subset=["share_of_variance"]).groupby(["architecture", "measure"])["share_of_variance"]
    np.testing.assert_allclose(shares.sum().to_numpy(), 1.0, atol=1e-9)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("arch", "group"), [(BASELINE, "left_shift"), (BASELINE, "transition"), (REFORMS[0], "cofinancing")]
)
def test_a_group_declared_idle_changes_nothing_when_switched_off(arch, group):
    """The dummy axiom the runs rely on: switching off a group that cannot act leaves every draw unchanged."""
    off = next(m for m in mechanisms() if m.key == group).off
    on = simulate(arch, waterfall=False, **OPTS).summary_draws
    without = simulate(arch, waterfall=False, overrides=off, **OPTS).summary_draws
    for measure, values in on.items():
        np.testing.assert_array_equal(without[measure], values, err_msg=measure)


@pytest.mark.integration
def test_user_overrides_apply_in_every_run_and_a_group_switch_wins_for_its_own_parameters():
    got = attribute(
        [BASELINE, "reform-aco-2024"],
        BASELINE,
        years=5,
        draws=0,
        seed=5,
        overrides={"behaviour.efficiency_saving": 0.03, "funding.real_growth": 0.01},
    )
    plain = [
        simulate(a, years=5, seed=5, overrides={"behaviour.efficiency_saving": 0.03, "funding.real_growth": 0.01})
        for a in (BASELINE, "reform-aco-2024")
    ]
    want = plain[1].summary_draws["spent_gbp_bn"] - plain[0].summary_draws["spent_gbp_bn"]
    np.testing.assert_allclose(got.differences["reform-aco-2024"]["spent_gbp_bn"], want, atol=1e-12)
    np.testing.assert_allclose(got.contributions["reform-aco-2024"]["spent_gbp_bn"][STRUCTURE], 0, atol=1e-9)


@pytest.mark.integration
def test_cli_attribute_records_and_bad_input(cli, tmp_path):
    r = cli(
        "compare",
        BASELINE,
        "reform-aco-2024",
        "--baseline",
        BASELINE,
        "--attribute",
        "--years",
        "4",
        "--draws",
        "2",
        "--format",
        "json",
        "--areas-out",
        str(tmp_path / "areas.csv"),
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "areas.csv").stat().st_size > 0
    rows = json.loads(r.stdout)
    assert {
        "architecture",
        "measure",
        "mechanism",
        "contribution_p5",
        "contribution_p50",
        "contribution_p95",
        "share_of_variance",
    } <= set(rows[0])
    spent = [x for x in rows if x["measure"] == "spent_gbp_bn"]
    assert {x["mechanism"] for x in spent} >= {"left_shift", "money_responses", "deficit_support", STRUCTURE}
    same = ("--years", "4", "--draws", "2")
    shown = cli("compare", BASELINE, "reform-aco-2024", "--baseline", BASELINE, "--attribute", *same)
    assert shown.returncode == 0, shown.stderr
    records = pd.DataFrame(rows).astype({"share_of_variance": float})
    assert f"- {describe(records, 'reform-aco-2024')}" in shown.stdout  # the sentence from the same numbers
    bad = cli("compare", BASELINE, "reform-aco-2024", "--attribute")
    assert bad.returncode == 2 and "--attribute needs --baseline" in bad.stderr
    out = tmp_path / "runs.parquet"
    bad = cli("compare", BASELINE, "reform-aco-2024", "--baseline", BASELINE, "--attribute", "--out", str(out))
    assert bad.returncode == 2 and "--format xlsx" in bad.stderr and not out.exists()


@pytest.mark.integration
@pytest.mark.parametrize("arch", [BASELINE, *REFORMS])
def test_a_light_run_gives_the_same_national_and_budget_results_to_the_bit(arch):
    """A light run (no atom detail) is what the coalition runs use: everything the game reads is identical."""
    whole = simulate(arch, waterfall=False, **OPTS)
    light = simulate(arch, waterfall=False, atom_detail=False, **OPTS)
    for measure, values in whole.summary_draws.items():
        np.testing.assert_array_equal(light.summary_draws[measure], values, err_msg=measure)
    for measure, values in whole.draws.items():
        np.testing.assert_array_equal(light.draws[measure], values, err_msg=measure)
    assert whole.central_atoms and whole.atom_statistics and whole.atom_horizon_draws
    assert not light.central_atoms and not light.atom_statistics and not light.atom_horizon_draws
    assert light.run_record["atom_detail"] is False and "atom_detail" not in whole.run_record
    assert np.isnan(light.summary["funding_per_need_cv"]) and np.isfinite(whole.summary["funding_per_need_cv"])


@pytest.mark.integration
def test_light_coalition_runs_leave_the_attribution_bit_identical(monkeypatch):
    from devocare.simulation import runner

    groups = [m for m in mechanisms() if m.key in ("left_shift", "money_responses", "deficit_support")]
    opts = {"years": 4, "draws": 2, "seed": 3, "groups": groups}
    archs = [BASELINE, "reform-aco-2024"]
    detail: list[bool] = []
    real = runner.simulate

    def counting(*args, **kwargs):
        detail.append(kwargs["atom_detail"])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "simulate", counting)
    light = attribute(archs, BASELINE, **opts)
    assert sorted(detail) == [False] * (light.runs - 2) + [True, True]  # only the two plain runs are whole
    whole = attribute(archs, BASELINE, light=False, **opts)
    assert detail[light.runs :] == [True] * whole.runs
    for arch, per_measure in whole.contributions.items():
        for measure, parts in per_measure.items():
            for key, values in parts.items():
                np.testing.assert_array_equal(light.contributions[arch][measure][key], values, err_msg=key)
    assert all(r.central_atoms and r.atom_horizon_draws for r in light.results)  # area differences still work


def _table(central, shares, draws=100, measure="spent_gbp_bn"):
    labels = {"a": "Left shift and acute capture", "b": "Hospital input caps", STRUCTURE: "Who holds which budget"}
    return pd.DataFrame(
        [
            {
                "architecture": "reform",
                "baseline": "base",
                "measure": measure,
                "mechanism": k,
                "label": labels[k],
                "contribution_central": c,
                "share_of_variance": s,
                "draws": draws,
            }
            for (k, c), s in zip(central.items(), shares, strict=True)
        ]
    )


@pytest.mark.unit
def test_the_sentence_says_the_size_sign_and_largest_contributor_from_the_numbers():
    said = describe(_table({"a": -0.3, "b": 0.5, STRUCTURE: 0.0}, [0.2, 0.9, -0.1]), "reform")
    assert said.startswith("reform: money spent is £200m higher than under base in the central run")
    assert "the largest contribution is hospital input caps, which raises it by £500m" in said
    assert "offset" not in said and "hospital input caps accounts for the largest share of its variance (90%)" in said
    said = describe(_table({"a": -0.8, "b": 0.9, STRUCTURE: 0.0}, [np.nan] * 3, draws=0), "reform")
    assert "£100m higher" in said and "hospital input caps, which raises it by £900m" in said
    assert "no Monte Carlo draws" in said
    said = describe(_table({"a": 0.3, "b": -0.5, STRUCTURE: 0.0}, [np.nan] * 3, draws=0), "reform")
    assert "£200m lower" in said and "lowers it by £500m" in said and "offset" not in said
    said = describe(_table({"a": 0.7, "b": -0.5, STRUCTURE: 0.0}, [np.nan] * 3, draws=20), "reform")
    assert "which raises it by £700m" in said and "does not vary over the 20 draws" in said
    said = describe(_table({"a": -0.9, "b": 0.6, STRUCTURE: 0.6}, [np.nan] * 3, draws=0), "reform")
    assert "£300m higher" in said and "left shift and acute capture, which lowers it by £900m (other" in said
    said = describe(_table({"a": 0.0, "b": 0.0, STRUCTURE: 0.0}, [np.nan] * 3), "reform")
    assert said == "reform: money spent is no different from base in the central run, and no mechanism moves it."
    with pytest.raises(DevocareError, match="no attribution of 'spent_gbp_bn' for 'other'"):
        describe(_table({"a": 1.0, "b": 0.0, STRUCTURE: 0.0}, [np.nan] * 3), "other")
