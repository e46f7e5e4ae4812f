"""A reform's clocks count from its start: its efficiency ramp and its settlement cycle start in 2027/28, not
2024/25, and the array engine and the per-atom reference agree on both (the step arithmetic itself is checked
on a synthetic block in ``test_steps.py``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from devocare import architecture
from devocare.service_lines import index
from devocare.simulation import montecarlo, phases, simulate, steps
from devocare.simulation.backend import namespace
from devocare.simulation.engine import FACTORS, budget_since, prepared, run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.state import Flows

pytestmark = pytest.mark.integration
YEARS = 6  # 2024/25 to 2029/30: the split model starts in 2027/28; two-year settlements rebase first in 2029/30


def _split_with_two_year_settlements() -> object:
    arch = architecture.load("reform-split-2024")
    return arch.model_copy(update={"money": arch.money.model_copy(update={"settlement_years": 2})})


def _engine_matches_reference(matches_reference, arch, rules, years: int):
    """Two draws and the central run of ``rules`` (a two-year efficiency ramp, full prevention effect) through
    the engine, checked against the per-atom reference; the engine's result, fixed values, parameters and
    inputs."""
    params = resolve({"behaviour.efficiency_ramp_years": 2, "prevention.effect": 1.0})
    fixed = montecarlo.central_values(params, years)
    inputs = load_inputs("lad")
    draws = [0, 1]
    values = montecarlo.draw_values(params, np.array(draws), 7, years, len(inputs.lads), rules.n_budgets)
    result = run_block(namespace("numpy"), inputs, rules, fixed, values, years)
    matches_reference(inputs, rules, fixed, values, result, years, draws, arch.id)
    return result, fixed, params, inputs


def test_engine_and_reference_agree_on_a_reforms_clocks(matches_reference) -> None:
    arch = _split_with_two_year_settlements()
    rules = phases.phased_rules(arch, "lad")
    assert rules.switch == 3
    # each budget's clocks (what the engine's efficiency ramp and settlements count from): the reform's own
    # budgets from its start, those of the architecture it replaces (and its uncovered areas) from the base year
    since = budget_since(rules)
    own = np.array([g.architecture == "reform-split-2024" for g in rules.groups for _ in range(g.n)])
    assert own.any() and (since[own] == 3).all() and (since[~own] == 0).all()
    assert not own[rules.active(2)].any() and all(own[rules.active(t)].any() for t in (3, 4, 5))
    assert any(rs.startswith("reform-split-2024") for rs in rules.rebasing)  # its rebasing runs from 2029/30
    _engine_matches_reference(matches_reference, arch, rules, YEARS)


def _with_a_dated_national_pot(arch, on: dt.date):
    """``arch`` with its DHSC specialised pot split on ``on``: one pot until the day before, one from it. The
    date opens a phase, but changes no budget but the DHSC's (the same holder, lines and areas either side)."""
    pots = []
    for pot in arch.money.pots:
        if pot.id == "dhsc_specialised":
            pots.append(pot.model_copy(update={"end": on - dt.timedelta(days=1)}))
            pots.append(pot.model_copy(update={"id": "dhsc_specialised_later", "start": on}))
        else:
            pots.append(pot)
    return arch.model_copy(update={"money": arch.money.model_copy(update={"pots": pots})})


def _hwb_allocations(result) -> np.ndarray:
    hwb = (result.budgets["holder"] == "hwb").to_numpy()
    return result.draws["allocated"][0][:, hwb]


def test_a_held_rebase_runs_on_through_an_unrelated_pot_date() -> None:
    # the split model rebases first in 2032/33 (five-year settlements from 2027/28); a pot date in 2033/34 that
    # changes only the DHSC's budget leaves every health and wellbeing board's allocation as it was
    arch = architecture.load("reform-split-2024")
    dated = _with_a_dated_national_pot(arch, dt.date(2033, 4, 1))
    assert phases.phased_rules(dated).starts[-2:] == (3, 9)  # the reform starts, then the pot date
    plain, split = (simulate(a, years=11, draws=1, seed=3, waterfall=False) for a in (arch, dated))
    before, after = _hwb_allocations(plain), _hwb_allocations(split)
    assert (before[9:] != before[7]).any()  # the rebase moved money: the comparison can fail
    np.testing.assert_allclose(after, before, rtol=1e-12)


def test_engine_and_reference_carry_a_rebase_and_incentive_history_through_a_pot_date(matches_reference) -> None:
    # two-year settlements rebase in 2029/30; a pot date in 2030/31 renames every rule set and the reference
    # agrees with the engine that the rebase is held and only the budgets the date begins lose last year's
    # incentive measures
    arch = _with_a_dated_national_pot(_split_with_two_year_settlements(), dt.date(2030, 4, 1))
    rules = phases.phased_rules(arch, "lad")
    years = 8
    assert rules.starts[-2:] == (3, 6) and phases.continues(rules)
    result, fixed, params, inputs = _engine_matches_reference(matches_reference, arch, rules, years)
    # the central run without the date: the boards' allocations and incentive payments are the same (they run
    # on through 2030/31, holding the rebase and their own last year's measures)
    plain_rules = phases.phased_rules(_split_with_two_year_settlements(), "lad")
    central = montecarlo.draw_values(params, np.array([0]), 7, years, len(inputs.lads), plain_rules.n_budgets)
    plain = run_block(namespace("numpy"), inputs, plain_rules, fixed, central, years)
    hwb = [g.offset + j for g in rules.groups if g.holder == "hwb" for j in range(g.n)]
    hwb_plain = [g.offset + j for g in plain_rules.groups if g.holder == "hwb" for j in range(g.n)]
    for measure in ("allocated", "incentive_paid", "reserves"):
        got, want = result.budget[measure][0][:, hwb], plain.budget[measure][0][:, hwb_plain]
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=measure)
    assert (plain.budget["allocated"][0][5, hwb_plain] != plain.budget["allocated"][0][4, hwb_plain]).any()


def _efficiency_kept(arch_id: str, t: int, atom: int) -> np.ndarray:
    """(L,) the share of spend kept after efficiency in year ``t`` at ``atom``, in the central run of
    ``arch_id``: the engine's own step on the phase the engine prepared."""
    rules = phases.phased_rules(architecture.load(arch_id), "lad")
    params = resolve({})
    years = t + 1
    fixed = montecarlo.central_values(params, years)
    prep = prepared(load_inputs("lad"), rules, fixed, years, frozenset(FACTORS))
    block = SimpleNamespace(
        xp=np,
        any_eff=True,
        fused_budgets=False,
        obl_any=False,
        fixed=fixed,
        p={"behaviour.efficiency_saving": np.array([fixed["behaviour.efficiency_saving"]])},
        eff_clocks=prep.phases[rules.phase_at(t)].eff_clocks,
    )
    f = Flows(t=t, ty=t)
    steps.efficiency_and_cuts(block, None, f)
    return f.eff_lr[0][:, prep.run_of[prep.inverse[atom]]]


def test_areas_a_reform_does_not_cover_keep_the_status_quos_efficiency_ramp() -> None:
    # in 2027/28 the ACO reform starts in combined authorities; a council outside every combined authority
    # runs the status quo's rules, and its efficiency ramp (begun in 2024/25) does not restart
    rules = phases.phased_rules(architecture.load("reform-aco-2024"), "lad")
    assert rules.since["status-quo-2023"] == 0 and rules.since["reform-aco-2024"] == 3
    uncovered = np.flatnonzero(rules.weight["status-quo-2023"] == 1.0)
    assert len(uncovered) > 0
    atom = int(uncovered[0])
    reform, status_quo = _efficiency_kept("reform-aco-2024", 3, atom), _efficiency_kept("status-quo-2023", 3, atom)
    asc = index("adult_social_care")
    assert status_quo[asc] < 1.0  # the council saves on adult social care: the comparison can fail
    np.testing.assert_allclose(reform, status_quo, rtol=1e-12)
