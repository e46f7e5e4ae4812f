"""Every validation rule has a file in invalid/ that breaks it; each problem names the file, the path and the fix."""

from datetime import date
from pathlib import Path

import pytest

from devocare import architecture as A
from devocare.architecture import validate

HERE = Path(__file__).parent
INVALID = HERE / "invalid"

# file → (path of one expected problem, fragment of its message)
CASES = {
    "unknown_key.yaml": ("bodies[4].leadershp", "did you mean 'leadership'"),
    "bad_choice.yaml": ("bodies[4].leadership", "did you mean 'elected'"),
    "missing_key.yaml": ("bodies[5].tier", "required key is missing"),
    "duplicate_id.yaml": ("bodies[4].id", "duplicate id 'ministry'"),
    "duplicate_key.yaml": ("line 6, column 1", "duplicate key 'as_of'"),
    "unknown_holder.yaml": ("functions[6].holder", "did you mean 'nhse'"),
    "holder_not_alive.yaml": ("functions[1]", "held by 'nhse' outside its lifetime"),
    "flow_unaccountable.yaml": ("flows[2].to", "no accountability path to an electorate or Parliament"),
    "accountability_cycle.yaml": ("accountability[30]", "accountability cycle"),
    "line_shares_sum.yaml": ("flows[0].line_shares", "shares sum to 0.9; expected 1"),
    "source_shares_exceed.yaml": ("flows[0].share", "sum to 1.16"),
    "icb_board_minimum.yaml": ("bodies[21].board.minimum.partner_member", "at least 3 partner member"),
    "coverage_gap.yaml": ("functions[15]", "of residents not covered"),
    "coverage_twice.yaml": ("functions[15]", "covered more than once"),
    "missing_commissioning.yaml": ("functions", "no holder for commissioning.prescribing"),
    "bad_area_code.yaml": ("money.coverage.devolved[1]", "no ca area 'E47000099'"),
    "pot_line_twice.yaml": ("money.pots[3].lines", "acute_elective is already in money.pots[0]"),
    "pot_line_missing.yaml": ("money.pots", "service lines in no pot: wider_determinants"),
    "pot_line_shares_sum.yaml": (
        "money.pots[3].line_shares",
        "shares of specialised_national sum to 0.9, not 1, on 2024-04-01 in every area these money rules run",
    ),
    "pot_line_share_zero.yaml": ("money.pots[0].line_shares.specialised_national", "greater than 0"),
    "pot_line_share_nan.yaml": ("money.pots[0].line_shares.specialised_national", "finite number"),
    "pot_line_share_not_held.yaml": ("money.pots[2]", "line_shares names line(s) public_health the pot does not hold"),
    "pots_overlap.yaml": ("money.pots[3].lines", "acute_elective is already in money.pots[0] on a date both pots"),
    "pots_dated_gap.yaml": ("money.pots", "service lines in no pot: public_health on 2026-04-01"),
    "pot_holder_gone.yaml": ("money.pots[1].holder", "which does not exist on 2027-04-01"),
    "bad_sources.yaml": ("bodies[3].sources[0]", "no seed file '009'"),
    "unknown_dataset_amount.yaml": (
        "flows[2].amount_data.dataset",
        "did you mean 'nhse_icb_allocations_2023_25_icb_core_allocations_2023_24'",
    ),
    "extends_unknown.yaml": ("extends", "did you mean 'status-quo-2023'"),
    "extends_cycle_a.yaml": ("extends", "extends cycle"),
    "alias_bomb.yaml": ("line 2, column 4", "anchors (&a) are not accepted"),
    "coverage_otherwise_unknown.yaml": ("money.coverage.otherwise", "did you mean 'status-quo-2023'"),
    "replaces_unknown.yaml": ("money.replaces", "did you mean 'status-quo-2023'"),
    "replaces_a_reform.yaml": (
        "money.replaces",
        "'reform-split-2024' runs before this architecture's start but itself starts on 2027-04-01",
    ),
    "electorate_answers.yaml": ("accountability[3].from", "answers to no one"),
    "function_domain.yaml": ("functions[10]", "did you mean 'commissioning'"),
}


def problems_of(path: Path) -> list[A.Problem]:
    with pytest.raises(A.ArchitectureError) as info:
        A.load(str(path))
    return info.value.problems


def test_every_invalid_file_is_covered():
    assert {p.name for p in INVALID.glob("*.yaml")} - set(CASES) == {"extends_cycle_b.yaml", "many_problems.yaml"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_is_enforced(name):
    path, fragment = CASES[name]
    problems = problems_of(INVALID / name)
    assert Path(problems[0].file).resolve().parent == INVALID.resolve()
    hits = [p for p in problems if p.path == path and fragment in p.message]
    assert hits, "\n".join(str(p) for p in problems)


def test_every_problem_at_once():
    problems = problems_of(INVALID / "many_problems.yaml")
    paths = {p.path for p in problems}
    assert {"bodies[4].tier", "functions[8].holder", "flows[0].line_shares"} <= paths
    assert len(problems) == 3


def test_error_text_names_file_path_and_expectation():
    with pytest.raises(A.ArchitectureError) as info:
        A.load(str(INVALID / "bad_choice.yaml"))
    text = str(info.value)
    assert "bad_choice.yaml: bodies[4].leadership" in text
    assert "expected one of elected, appointed, mixed, not_applicable" in text


def test_non_utf8_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\nname: x\n".encode("latin-1"))
    problems = problems_of(path)
    assert "not UTF-8" in problems[0].message


def test_huge_file_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("id: huge\n" + "# padding\n" * 200_000)
    problems = problems_of(path)
    assert "limit is 1,000,000" in problems[0].message


def test_aliases_refused_in_text():
    with pytest.raises(A.ArchitectureError, match="anchors"):
        A.load_text("id: x\nname: &n a\nother: *n\n")
    with pytest.raises(A.ArchitectureError, match="aliases"):
        A.load_text("id: x\nother: *n\n")


def test_top_level_must_be_mapping():
    with pytest.raises(A.ArchitectureError, match="mapping"):
        A.load_text("- just\n- a list\n")


def test_failed_load_leaves_builtins_untouched():
    before = A.load("status-quo-2023").model_dump()
    for name in ("holder_not_alive.yaml", "icb_board_minimum.yaml", "coverage_gap.yaml"):
        problems_of(INVALID / name)
    assert A.load("status-quo-2023").model_dump() == before


def test_loaded_copies_are_independent():
    a = A.load("status-quo-2023")
    a.bodies[0].name = "changed"
    assert A.load("status-quo-2023").bodies[0].name == "Parliament"


def test_unknown_id_suggests_closest_builtin():
    with pytest.raises(A.ArchitectureError.__mro__[1], match="did you mean 'reform-aco-2024'"):
        A.load("reform-aco-2042")


def test_minimal_is_valid():
    arch = A.load(str(HERE / "valid" / "minimal.yaml"))
    assert arch.id == "minimal"


def test_python_tags_refused():
    with pytest.raises(A.ArchitectureError, match="invalid YAML"):
        A.load_text("id: !!python/object/apply:os.system ['true']\n")


def test_a_dated_pot_needs_its_holder_on_the_pots_own_dates() -> None:
    """A pot that starts after ``as_of`` is checked on its dates: a holder gone by then is refused."""
    arch = A.load("status-quo-2023")
    pots = [p.model_copy(update={"holder": "hsib"}) if p.id == "icb_specialised" else p for p in arch.money.pots]
    moved = arch.model_copy(update={"money": arch.money.model_copy(update={"pots": pots})})
    problems = [str(p) for p in validate.validate(moved, "test.yaml")]
    assert any("'icb_specialised' is held by 'hsib', which does not exist on 2025-04-01" in p for p in problems), (
        problems
    )


def test_the_pots_must_cover_every_line_on_the_simulators_first_day() -> None:
    """An architecture whose pots leave a line uncovered on 1 April 2024 (before its ``as_of``) is refused by
    validation, as the simulator would refuse it."""
    arch = A.load("status-quo-2023")
    pots = [p for p in arch.money.pots if p.id != "nhse_specialised_delegated"]
    moved = arch.model_copy(update={"as_of": date(2025, 6, 1), "money": arch.money.model_copy(update={"pots": pots})})
    problems = [str(p) for p in validate.validate(moved, "test.yaml")]
    assert any("specialised_delegated on 2024-04-01" in p for p in problems), problems
