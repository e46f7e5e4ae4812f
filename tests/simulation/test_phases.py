"""Reforms on their start dates, and parameters read year by year.

A reform whose bodies start on 2027-04-01 runs the architecture it replaces in 2024/25–2026/27 and its own
rules from 2027/28; money is conserved across the switch; a dated override changes only the years it names,
in the array path, the fused path and the per-atom reference alike.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from devocare import architecture
from devocare.errors import DevocareError
from devocare.service_lines import POPULATION_LINE, index
from devocare.simulation import montecarlo, phases, simulate
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve

pytestmark = pytest.mark.integration

POP = index(POPULATION_LINE)
YEARS = 5  # 2024/25 to 2028/29: three years before the 2027 start, two after


@pytest.fixture(scope="module")
def aco_and_status_quo():
    aco = simulate("reform-aco-2024", years=YEARS, draws=2, seed=4, waterfall=False)
    sq = simulate("status-quo-2023", years=YEARS, draws=2, seed=4, waterfall=False)
    return aco, sq


def test_the_start_year_is_the_financial_year_containing_the_start_date() -> None:
    assert phases.start_index(dt.date(2027, 4, 1)) == 3
    assert phases.start_index(dt.date(2027, 3, 31)) == 2
    rules = phases.phased_rules(architecture.load("reform-aco-2024"))
    assert rules.switch == 3
    assert {rs for rs, k in rules.phase.items() if k == 0} == {"status-quo-2023@before"}
    assert phases.predecessor(architecture.load("reform-split-2024")) == "status-quo-2023"
    plain = phases.phased_rules(architecture.load("status-quo-2023"))
    assert plain.switch is None and plain.starts == (1,)  # no reform; its pots change on 2025-04-01
    assert plain.phase == {"status-quo-2023": 0, "status-quo-2023@2025": 1}
    assert rules.starts == (1, 3)  # the status quo's pots switch in 2025/26 before the reform starts


def test_a_2027_reform_equals_the_status_quo_per_area_before_its_start_and_differs_after(aco_and_status_quo) -> None:
    aco, sq = aco_and_status_quo
    before, after = slice(0, 3), slice(3, YEARS)
    for measure in ("spent", "need", "allocated"):
        a, s = aco.central_atoms[measure], sq.central_atoms[measure]  # (years, atoms, lines)
        np.testing.assert_allclose(a[before], s[before], rtol=1e-9, atol=1e-3, err_msg=measure)
    np.testing.assert_allclose(
        aco.central_atoms["admissions"][before], sq.central_atoms["admissions"][before], rtol=1e-9
    )
    # every Monte Carlo draw too (common random numbers): national spend and admissions
    spent_a, spent_s = aco.national["spent_by_line"], sq.national["spent_by_line"]
    np.testing.assert_allclose(spent_a[:, before], spent_s[:, before], rtol=1e-9)
    np.testing.assert_allclose(aco.national["admissions"][:, before], sq.national["admissions"][:, before], rtol=1e-9)
    spent_a = aco.central_atoms["spent"][after].sum(axis=2)
    spent_s = sq.central_atoms["spent"][after].sum(axis=2)
    assert np.abs(spent_a - spent_s).max() > 1e6  # the reform's rules act from 2027/28
    # no transition cost before the start; it lands from the start year
    paid = aco.draws["transition_cost"][0].sum(axis=1)
    assert (paid[before] == 0).all() and (paid[after] != 0).all()


def test_budgets_exist_only_in_their_phase(aco_and_status_quo) -> None:
    aco, _ = aco_and_status_quo
    rules = phases.phased_rules(architecture.load("reform-aco-2024"))
    live = np.array([rules.active(t) for t in range(YEARS)])  # (years, B)
    for measure in ("allocated", "spent", "need", "admissions", "intervention"):
        x = aco.draws[measure]  # (draws, years, B)
        assert not x[:, ~live].any() if x.ndim == 3 else True, measure
    assert (aco.draws["allocated"][0][live] != 0).any()


def test_money_is_conserved_across_the_switch(aco_and_status_quo) -> None:
    aco, _ = aco_and_status_quo
    assert aco.run_record["conservation_max_gap"] <= 1e-9
    rules = phases.phased_rules(architecture.load("reform-aco-2024"))
    S, to_centre = phases.handover_matrix(rules, load_inputs("lad").weighted_heads[0][:, POP])
    assert np.allclose(S.sum(axis=1)[S.sum(axis=1) > 0], 1.0) and not to_centre.any()  # every body has successors
    d = aco.draws
    s = rules.switch
    ceasing = phases.ceasing_years(rules) == s  # the predecessor's budgets of its last phase
    held = d["reserves"][:, s - 1]  # (draws, B): balances at the end of the last year before the start
    assert np.abs(held[:, ceasing]).sum() > 0  # something is handed over (councils keep reserves)
    np.testing.assert_array_equal(d["reserves"][:, s:, ceasing], 0.0)  # nothing stays with a ceasing body
    # what ceasing bodies held = what successors received + what went to the centre
    passed = d["transfers_out"][:, s, ceasing].sum(axis=1)
    centre = d["returned"][:, s, ceasing].sum(axis=1) - d["deficit_support"][:, s, ceasing].sum(axis=1)
    np.testing.assert_allclose(passed + centre, held[:, ceasing].sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose((held[:, ceasing] @ S[ceasing]).sum(axis=1), passed, rtol=1e-12)
    # transfers still net to zero nationally in the start year
    np.testing.assert_allclose(d["transfers_in"][:, s].sum(axis=1), d["transfers_out"][:, s].sum(axis=1), rtol=1e-12)


def _block(arch_id: str, draws: list[int], years: int, overrides=None, fused: bool | None = None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setenv("DEVOCARE_FUSED", "1" if fused else "0")
    params = resolve(overrides)
    fixed = montecarlo.central_values(params, years)
    rules = phases.phased_rules(architecture.load(arch_id), "lad")
    inputs = load_inputs("lad")
    values = montecarlo.draw_values(params, np.array(draws), 11, years, len(inputs.lads), rules.n_budgets)
    return params, fixed, rules, inputs, values, run_block(namespace("numpy"), inputs, rules, fixed, values, years)


@pytest.mark.parametrize(
    "overrides",
    [None, {"prevention.effect@2026": 0.9, "demand.non_demographic_growth.nhs@2025/26": 0.04}],
    ids=["undated", "dated"],
)
def test_engine_matches_the_reference_across_the_switch(overrides, matches_reference) -> None:
    draws = [0, 3]
    _, fixed, rules, inputs, values, result = _block("reform-split-2024", draws, YEARS, overrides)
    matches_reference(inputs, rules, fixed, values, result, YEARS, draws, "reform-split-2024")


def test_fused_path_is_bit_identical_across_the_switch_and_dated_values(monkeypatch) -> None:
    pytest.importorskip("numba")
    overrides = {"prevention.effect@2026": 0.9, "behaviour.left_shift_rate@2028": 0.01}
    runs = [_block("reform-aco-2024", [0, 2], 6, overrides, fused, monkeypatch)[-1] for fused in (False, True)]
    for part in ("budget", "national", "atoms"):
        x, y = getattr(runs[0], part), getattr(runs[1], part)
        for k in x:
            np.testing.assert_array_equal(x[k], y[k], err_msg=f"{part} {k}")


def test_a_dated_override_changes_only_the_years_it_names() -> None:
    base = simulate("status-quo-2023", years=6, draws=2, seed=9, waterfall=False)
    dated = simulate(
        "status-quo-2023", years=6, draws=2, seed=9, waterfall=False, overrides={"funding.real_growth@2027": "0%"}
    )
    a, b = base.national["allocated_by_line"].sum(axis=2), dated.national["allocated_by_line"].sum(axis=2)
    np.testing.assert_array_equal(a[:, :3], b[:, :3])  # 2024/25–2026/27 untouched
    assert (b[:, 3:] < a[:, 3:]).all()  # no growth from 2027/28: less money every later year
    np.testing.assert_allclose(b[0, 3], b[0, 2], rtol=1e-9)  # flat in real terms after the date
    np.testing.assert_array_equal(base.national["spent_by_line"][:, :3], dated.national["spent_by_line"][:, :3])
    # a dated demand rate compounds from its year only
    grown = simulate(
        "status-quo-2023",
        years=6,
        draws=0,
        waterfall=False,
        overrides={"demand.non_demographic_growth.nhs@2027": 0.05},
    )
    need_a = base.national["need_by_line"][0].sum(axis=1)
    need_b = grown.national["need_by_line"][0].sum(axis=1)
    np.testing.assert_allclose(need_a[:3], need_b[:3], rtol=1e-12)
    assert (need_b[3:] > need_a[3:]).all()


def test_a_dated_override_reads_year_by_year() -> None:
    params = resolve({"funding.growth.nhs@2027/28": 0.01})
    assert params.by_year(5)["funding.growth.nhs@years"] == [0.03, 0.03, 0.03, 0.01, 0.01]
    assert "funding.growth.nhs@years" not in resolve({"funding.growth.nhs@2040": 0.01}).by_year(5)  # beyond it
    assert "funding.growth.nhs@years" not in resolve().by_year(30)  # undated: the base-year value throughout


@pytest.mark.parametrize("key", ["funding.real_growth@20x7", "funding.real_growth@2027-13-01", "funding.real_growth@"])
def test_a_bad_dated_override_is_refused(key: str) -> None:
    with pytest.raises(DevocareError, match="financial year|date"):
        resolve({key: 0.01})


def test_a_replaced_architecture_must_be_a_built_in() -> None:
    arch = architecture.load("reform-aco-2024")
    bad = arch.model_copy(update={"money": arch.money.model_copy(update={"replaces": "no-such-architecture"})})
    with pytest.raises(DevocareError, match="replaces"):
        phases.phased_rules(bad)


def test_a_scenario_file_dates_an_override_as_set_does(tmp_path) -> None:
    scenario = tmp_path / "dated.yaml"
    scenario.write_text(
        "name: flat from 2027\nparameters:\n  funding.real_growth: {from: 2027, value: 0%}\n"
        "  prevention:\n    effect: {2028-04-01: 0.5}\n"
    )
    from_file = resolve(scenario=scenario)
    from_set = resolve({"funding.real_growth@2027": "0%", "prevention.effect@2028/29": 0.5})
    assert from_file.digest() == from_set.digest()
    assert from_file.value_for_year("funding.real_growth", 2026) == pytest.approx(0.03)
    assert from_file.value_for_year("funding.real_growth", "2027/28") == 0.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nparameters:\n  funding.real_growth: {from: next year, value: 0.01}\n")
    with pytest.raises(DevocareError, match="financial year"):
        resolve(scenario=bad)


def test_the_cli_refuses_a_bad_dated_override_with_exit_2(cli_in_process) -> None:
    code, out, err = cli_in_process(
        "simulate", "status-quo-2023", "--years", "2", "--draws", "0", "--set", "funding.real_growth@20x7=0.01"
    )
    assert code == 2 and out == ""
    assert "financial year" in err and "20x7" in err


def test_a_reforms_left_shift_ramps_from_its_start_year() -> None:
    from devocare.simulation.engine import _since

    rules = phases.phased_rules(architecture.load("reform-aco-2024"))
    assert _since(rules, "reform-aco-2024") == 3 and _since(rules, "status-quo-2023@before") == 0
    assert _since(phases.phased_rules(architecture.load("status-quo-2023")), "status-quo-2023") == 0
    # the fallback its uncovered areas run is the status quo going on: its clock starts in the base year
    assert _since(rules, "status-quo-2023") == 0


def test_each_rule_set_continues_the_one_of_its_architecture_in_the_phase_before() -> None:
    # status quo: the 2025 pot date renames its rule set; in the ACO reform the fallback goes on from the
    # predecessor's last phase, and the reform's own rule set continues none (it starts at the switch)
    status_quo = phases.phased_rules(architecture.load("status-quo-2023"))
    assert phases.continues(status_quo) == {"status-quo-2023@2025": "status-quo-2023"}
    aco = phases.continues(phases.phased_rules(architecture.load("reform-aco-2024")))
    assert aco == {
        "status-quo-2023": "status-quo-2023@before@2025",
        "status-quo-2023@before@2025": "status-quo-2023@before",
    }
    assert phases.architecture_of("status-quo-2023@before@2025") == "status-quo-2023"
    assert phases.architecture_of("reform-aco-2024") == "reform-aco-2024"


def test_a_body_named_before_and_after_the_start_means_the_reforms_unless_marked(aco_and_status_quo) -> None:
    from devocare.simulation.budget import find_body

    budgets = aco_and_status_quo[0].budgets
    after, before = find_body(budgets, "icb:E54000008"), find_body(budgets, "icb:E54000008@before")
    assert after != before
    assert budgets.loc[budgets["budget"] == after, "architecture"].item() == "status-quo-2023"  # outside the deal
    # the ICB budget of the predecessor's latest phase (from 2025/26, when it holds the delegated specialised line)
    assert budgets.loc[budgets["budget"] == before, "architecture"].item() == "status-quo-2023@before@2025"


def test_successors_tied_on_lines_in_common_share_a_balance_equally() -> None:
    from types import SimpleNamespace

    def group(arch: str, lines: list[bool], offset: int) -> SimpleNamespace:
        return SimpleNamespace(
            architecture=arch, holder="council", area_codes=["E1"], lines=np.array(lines), offset=offset, n=1
        )

    old = group("before", [True, True, False], 0)
    new = [group("after", [True, False, False], 1), group("after", [False, True, False], 2)]
    # one phase start (year 2): the old group exists in phase 0, the new ones in phase 1
    phases_of = [frozenset({0}), frozenset({1}), frozenset({1})]
    rules = SimpleNamespace(n_budgets=3, starts=(2,), atoms=[0], groups=[old, *new], group_phases=phases_of)
    S, to_centre = phases.handover_matrix(rules)
    assert S[0].tolist() == [0.0, 0.5, 0.5] and not to_centre.any()
    rules.groups = [old, *new[::-1]]  # whatever their order
    new[1].offset, new[0].offset = 1, 2
    assert phases.handover_matrix(rules)[0][0].tolist() == [0.0, 0.5, 0.5]


def test_a_dated_override_keeps_draws_within_the_parameters_range() -> None:
    # the draws move by the change in the central value (0.005 → 0) and stop at the range's floor (0)
    from devocare.simulation.engine import _dated
    from devocare.simulation.parameters import YEARS_SUFFIX

    path = "behaviour.left_shift_rate"
    fixed = {path: 0.005, path + YEARS_SUFFIX: [0.005, 0.0]}
    by_year = _dated(np, fixed, {path: np.array([0.001, 0.009])}, 2)[path]
    assert by_year[0].tolist() == pytest.approx([0.001, 0.009])
    assert by_year[1].tolist() == pytest.approx([0.0, 0.004])
