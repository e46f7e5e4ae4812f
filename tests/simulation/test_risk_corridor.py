"""The risk-sharing corridor end to end: YAML → rules → simulate → summary and CLI, with money conserved and
the centre's share equal, budget by budget and year by year, to the rule's share of what lies beyond the
corridor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from devocare import architecture
from devocare.errors import DevocareError
from devocare.simulation import simulate
from devocare.simulation.phases import phased_rules
from devocare.simulation.rules import build_rules

YAML = Path(__file__).resolve().parent / "data" / "aco-risk-corridor.yaml"
NO_REINVEST = {"behaviour.reinvest_share": 0.0}  # so a budget's surplus is read off its outputs exactly
#: headroom kept, not spent: the ACO plans every year to balance, so only unspent money leaves its corridor
UNSPENT = NO_REINVEST | {"behaviour.headroom_spend_share": 0.0}

pytestmark = pytest.mark.integration


def _gap(d: dict[str, np.ndarray]) -> float:
    money_in = d["allocated"] - d["incentive_fund"] + d["incentive_paid"] + d["transfers_in"] + d["deficit_support"]
    out = d["spent"] + d["transition_cost"] + d["transfers_out"] + d["reserve_change"] + d["returned"]
    return float((np.abs(money_in - out) / np.maximum(np.abs(money_in), 1.0)).max())


def test_the_corridor_reaches_the_aco_budgets_only() -> None:
    rules = build_rules(architecture.load(str(YAML)), "lad")
    with_corridor = {g.holder: g.corridor for g in rules.groups}
    assert with_corridor["combined_authority"] == (0.02, 0.5)
    assert all(c is None for holder, c in with_corridor.items() if holder != "combined_authority")


def test_centre_shares_exactly_what_lies_beyond_the_corridor() -> None:
    result = simulate(str(YAML), years=10, draws=0, overrides=UNSPENT, waterfall=False)
    d = {m: v[0] for m, v in result.draws.items()}  # (years, budgets)
    assert _gap(result.draws) <= 1e-9
    aco = result.budgets["pots"].str.contains("aco_single").to_numpy()
    # the ACO keeps savings and bears overspends: what it does not keep is the centre's share
    surplus = d["reserve_change"] + d["returned"] - d["deficit_support"]
    band = 0.02 * np.abs(d["allocated"])
    beyond = surplus - np.clip(surplus, -band, band)
    shared = d["returned"] - d["deficit_support"]
    # its first year (2027/28) also receives the balances of the bodies it replaces, outside its result
    start = phased_rules(architecture.load(str(YAML))).switch
    surplus[start] -= d["transfers_in"][start] - d["transfers_out"][start]
    beyond = surplus - np.clip(surplus, -band, band)
    np.testing.assert_allclose(shared[:, aco], 0.5 * beyond[:, aco], rtol=1e-9, atol=1e-3)
    assert np.abs(beyond[:, aco]).max() > 1e6  # some ACO result does leave the corridor, so the check bites

    plain = simulate("reform-aco-2024", years=10, draws=0, overrides=UNSPENT, waterfall=False)
    p = {m: v[0] for m, v in plain.draws.items()}
    assert np.abs(p["returned"][:, aco]).max() == 0.0 and np.abs(p["deficit_support"][:, aco]).max() == 0.0
    centre = ("returned_gbp_bn", "deficit_support_gbp_bn")
    assert [result.summary[k] for k in centre] != [plain.summary[k] for k in centre]  # the summary shows it


def test_cli_runs_a_yaml_with_a_corridor(cli_in_process) -> None:
    code, out, err = cli_in_process("simulate", str(YAML), "--years", "3", "--draws", "0", "--format", "json")
    assert code == 0, err
    summary = json.loads(out)["summary"]
    assert summary["architecture"] == "aco-risk-corridor"
    assert summary["conservation_max_gap"] <= 1e-9


def test_pooled_pots_must_agree_on_their_corridor(tmp_path) -> None:
    split = (
        "  pots:\n    - {id: split_out, holder: combined_authority, lines: [prescribing], tier: regional,"
        " sources: ['assumption: test']}\n    - id: aco_single\n      lines: [specialised_delegated,"
        " specialised_national, acute_elective, acute_non_elective, mental_health, community_health, primary_medical,"
        " adult_social_care, public_health, wider_determinants]\n"
    )
    text = YAML.read_text().replace("  pots:\n", split, 1)
    path = tmp_path / "disagree.yaml"
    path.write_text(text)
    with pytest.raises(DevocareError, match="same risk_corridor"):
        build_rules(architecture.load(str(path)), "lad")
