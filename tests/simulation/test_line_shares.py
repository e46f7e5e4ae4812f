"""Pots that split one service line (``money.pots[].line_shares``): each budget holds its share of the line's
grant, need, spend and unmet need, money is conserved, and the per-atom reference agrees with the engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devocare import architecture
from devocare.allocation import block_grants
from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS
from devocare.simulation import montecarlo, simulate
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration

SPLIT = str(Path(__file__).resolve().parent / "data" / "split-line.yaml")
LINE = LINE_IDS.index("specialised_national")
#: spending beyond need off, so a budget's spend is its share of the line's spend and nothing else
NO_EXTRA = {"behaviour.reinvest_share": 0.0, "behaviour.headroom_spend_share": 0.0}


def _gaps(result) -> float:
    d = result.draws
    money_in = d["allocated"] - d["incentive_fund"] + d["incentive_paid"] + d["transfers_in"] + d["deficit_support"]
    out = d["spent"] + d["transition_cost"] + d["transfers_out"] + d["reserve_change"] + d["returned"]
    return float((np.abs(money_in - out) / np.maximum(np.abs(money_in), 1.0)).max())


def test_a_split_line_conserves_money() -> None:
    result = simulate(SPLIT, years=6, draws=3, seed=11, waterfall=False)
    assert _gaps(result) <= 1e-9
    assert result.run_record["conservation_max_gap"] <= 1e-9
    assert np.allclose(result.draws["allocated"].sum(axis=2), result.national["envelope"], rtol=1e-9)
    # every pound spent on an atom's line is some budget's: budgets' spend adds up to the national spend
    np.testing.assert_allclose(
        result.draws["spent"].sum(axis=2), result.national["spent_by_line"].sum(axis=2), rtol=1e-9
    )


def test_two_holders_split_the_line_by_their_shares() -> None:
    result = simulate(SPLIT, years=5, draws=0, waterfall=False, overrides=NO_EXTRA)
    d, budgets = result.draws, result.budgets
    local = budgets["pots"].eq("utla_specialised").to_numpy()
    # NHS England's budget holds the delegated specialised line too until 2025-03-31; from then only its 30%
    national = budgets["pots"].eq("nhse_specialised").to_numpy() & (d["allocated"][0][1:] > 0).any(axis=0)
    for measure, by_line in (
        ("allocated", "allocated_by_line"),
        ("need", "need_by_line"),
        ("spent", "spent_by_line"),
        ("unmet_need", "unmet_need_by_line"),
    ):
        line = result.national[by_line][0][:, LINE]
        np.testing.assert_allclose(d[measure][0][:, local].sum(axis=1), 0.7 * line, rtol=1e-9, atol=1.0)
        np.testing.assert_allclose(d[measure][0][1:, national].sum(axis=1), 0.3 * line[1:], rtol=1e-9, atol=1.0)
    assert d["unmet_need"][0][:, local].sum() > 0  # the councils' cuts bite, so the unmet check is not 0 = 0


def test_the_grant_splits_to_the_penny() -> None:
    grants = block_grants(SPLIT, years=2)
    need = grants[(grants["component"] == "need") & (grants["line"] == "specialised_national")]
    by_pot = need.groupby(["year", "pot"])["pence"].sum().unstack()
    total = grants.attrs["envelope_gbp"]["specialised_national"] * 100
    assert (by_pot.sum(axis=1) == by_pot.sum(axis=1).iloc[0]).all()
    assert abs(int(by_pot.sum(axis=1).iloc[0]) - total) <= 1  # the line's envelope, to the penny
    shares = by_pot.div(by_pot.sum(axis=1), axis=0)
    np.testing.assert_allclose(shares["nhse_specialised"], 0.3, atol=1e-9)
    np.testing.assert_allclose(shares["utla_specialised"], 0.7, atol=1e-9)


def test_engine_matches_the_reference_with_a_split_line(matches_reference) -> None:
    params = resolve({"behaviour.overspend_response": 1.0})  # cuts bite, so each holder's factor is tested
    fixed = {k: p.value for k, p in params.params.items()}
    rules = build_rules(architecture.load(SPLIT), "lad")
    inputs = load_inputs("lad")
    draws = [0, 2]
    values = montecarlo.draw_values(params, np.array(draws), 11, 5, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, 5)
    matches_reference(inputs, rules, fixed, values, result, 5, draws, "split-line")


def test_budgets_without_a_split_keep_their_arrays() -> None:
    """An architecture whose pots split no line builds the same 0/1 rules as before shares existed."""
    rules = build_rules(architecture.load("status-quo-2023"), "lad")
    assert all(g.shares is None for g in rules.groups)
    split = build_rules(architecture.load(SPLIT), "lad")
    shares = {g.pots: g.weights[LINE] for g in split.groups if g.weights[LINE] > 0}
    assert shares == {("nhse_specialised_delegated", "nhse_specialised"): 0.3, ("utla_specialised",): 0.7}


def test_rules_refuse_shares_that_do_not_add_up() -> None:
    data = architecture.load(SPLIT).model_dump(mode="json", by_alias=True)
    for pot in data["money"]["pots"]:
        if pot["id"] == "utla_specialised":
            pot["line_shares"] = {"specialised_national": 0.6}
    with pytest.raises(DevocareError, match="shares of line 'specialised_national' in pots .* sum to 0.9"):
        build_rules(data, "lad")


def test_cli_refuses_shares_that_do_not_add_up(cli) -> None:
    path = Path(__file__).resolve().parents[1] / "architecture" / "invalid" / "pot_line_shares_sum.yaml"
    result = cli("arch", "validate", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert "money.pots[3].line_shares: shares of specialised_national sum to 0.9, not 1" in result.stderr


def test_refused_shares_change_nothing() -> None:
    before = architecture.load("reform-aco-2024").model_dump()
    invalid = Path(__file__).resolve().parents[1] / "architecture" / "invalid"
    for name in ("pot_line_shares_sum", "pot_line_share_zero", "pot_line_share_nan", "pot_line_share_not_held"):
        with pytest.raises(architecture.ArchitectureError):
            architecture.load(str(invalid / f"{name}.yaml"))
    assert architecture.load("reform-aco-2024").model_dump() == before


def test_fused_kernels_equal_the_array_api_path_with_a_split_line(monkeypatch) -> None:
    pytest.importorskip("numba")
    params = resolve({"behaviour.overspend_response": 1.0})
    fixed = {k: p.value for k, p in params.params.items()}
    rules = build_rules(architecture.load(SPLIT), "lad")
    inputs = load_inputs("lad")
    values = montecarlo.draw_values(params, np.array([0, 3]), 5, 6, len(inputs.lads), rules.n_budgets)
    out = []
    for fused in ("0", "1"):
        monkeypatch.setenv("DEVOCARE_FUSED", fused)
        out.append(run_block(namespace("numpy"), inputs, rules, fixed, values, 6, atom_draws=True))
    for part in ("budget", "national", "atoms", "atom_draws"):
        x, y = getattr(out[0], part), getattr(out[1], part)
        assert x.keys() == y.keys()
        for k in x:
            np.testing.assert_array_equal(x[k], y[k], err_msg=f"{part} {k}")
