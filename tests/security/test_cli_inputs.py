"""Command-line input that used to crash, run for minutes or pass silently: each is now one line, exit 2."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from devocare import bounds, safeyaml
from devocare.errors import DevocareError


def _commands() -> list[tuple[str, Any]]:
    """Every command of the CLI as (path, command), walking groups (each module is imported)."""
    import typer

    from devocare.cli import COMMANDS, _load, app

    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: str, ctx: Any) -> None:
        if hasattr(cmd, "list_commands"):  # a group (Typer carries its own copy of click)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None:
                    walk(sub, f"{path} {name}".strip(), sub.context_class(sub, parent=ctx))
        else:
            out.append((path, cmd))

    root = typer.main.get_group(app)
    ctx = root.context_class(root)
    for name in COMMANDS:  # the top level lists stand-ins (nothing imported); walk the real commands
        cmd = _load(name)
        walk(cmd, name, cmd.context_class(cmd, parent=ctx))
    return out


def test_every_command_with_an_out_file_has_force() -> None:
    commands = _commands()
    writers = [
        (path, cmd)
        for path, cmd in commands
        if any(o.endswith("-out") or o == "--out" for p in cmd.params for o in getattr(p, "opts", []))
    ]
    assert len(writers) >= 8, [p for p, _ in commands]
    missing = [path for path, cmd in writers if not any("--force" in getattr(p, "opts", []) for p in cmd.params)]
    assert missing == []


def test_out_refuses_to_overwrite_unless_forced(cli_in_process, tmp_path: Path) -> None:
    chart = tmp_path / "chart.html"
    chart.write_text("earlier result", encoding="utf-8")
    code, _, err = cli_in_process("outcomes", "funnel", "hle_male", "--out", str(chart), "--format", "json")
    assert code == 2 and "already exists; add --force" in err
    assert chart.read_text(encoding="utf-8") == "earlier result"
    code, _, err = cli_in_process("outcomes", "funnel", "hle_male", "--out", str(chart), "--format", "json", "--force")
    assert code == 0, err
    assert "<html>" in chart.read_text(encoding="utf-8")


def test_out_into_a_read_only_folder_is_refused_before_any_work(cli_in_process, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: make the folder read-only as it is for everyone else
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == folder else real(p, mode, **kw))
    try:
        started = time.perf_counter()
        code, _, err = cli_in_process(
            "simulate", "status-quo-2023", "--draws", "0", "--years", "1", "--out", str(folder / "run.parquet")
        )
        elapsed = time.perf_counter() - started
    finally:
        folder.chmod(0o755)
    assert code == 2 and "permission denied" in err and "Traceback" not in err
    assert elapsed < 5 and list(folder.iterdir()) == []


def test_a_write_that_fails_for_permissions_is_one_line(cli_in_process, tmp_path: Path, monkeypatch) -> None:
    from devocare.outcomes import charts

    def refuse(fig, out):
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr(charts, "write", refuse)
    target = tmp_path / "chart.html"
    code, _, err = cli_in_process("outcomes", "funnel", "hle_male", "--out", str(target), "--format", "json")
    assert code == 2 and err.strip() == f"error: {target}: permission denied"


def test_unreadable_scenario_is_one_line(cli_in_process, tmp_path: Path, monkeypatch) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("parameters: {funding.real_growth: 0.02}\n", encoding="utf-8")
    real = Path.read_bytes
    monkeypatch.setattr(
        Path,
        "read_bytes",
        lambda self: (
            (_ for _ in ()).throw(PermissionError(13, "denied", str(self))) if self == scenario else real(self)
        ),
    )
    code, _, err = cli_in_process("simulate", "status-quo-2023", "--scenario", str(scenario), "--draws", "0")
    assert code == 2 and "permission denied" in err


def test_deeply_nested_json_scenario_is_refused(cli_in_process, tmp_path: Path) -> None:
    scenario = tmp_path / "deep.json"
    scenario.write_text('{"parameters": ' + '{"a": ' * 20_000 + "1" + "}" * 20_000 + "}", encoding="utf-8")
    code, _, err = cli_in_process("simulate", "status-quo-2023", "--scenario", str(scenario), "--draws", "0")
    assert code == 2 and "nesting" in err and "RecursionError" not in err


def test_list_override_with_an_impossible_date_is_refused(cli_in_process) -> None:
    code, _, err = cli_in_process(
        "simulate", "status-quo-2023", "--draws", "0", "--set", "prevention.lag=[0, 2024-02-30, 0.5, 0.75, 1]"
    )
    assert code == 2 and "impossible date '2024-02-30'" in err


def test_empty_area_code_is_an_error(cli_in_process) -> None:
    code, out, err = cli_in_process("areas", "show", "")
    assert code == 2 and "give an area code or name" in err and not out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--years", "1000000"), "years must be between 1 and 100"),
        (("--years", "0"), "--years must be at least 1"),
        (("--alpha", "7"), "alpha (fiscal-equalisation rate) must be between 0 and 1"),
        (("--alpha", "nan"), "alpha (fiscal-equalisation rate) must be a finite number"),
        (("--growth", "-2"), "growth must be between -1 and 1"),
        (("--growth", "nan"), "growth must be a finite number"),
        (("--growth", "inf"), "growth must be a finite number"),
    ],
)
def test_grant_arguments_are_bounded(cli_in_process, args, needle) -> None:
    started = time.perf_counter()
    code, out, err = cli_in_process("allocate", "grants", "--arch", "status-quo-2023", *args)
    assert code == 2 and needle in err and not out
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--years", "1000000"), "years must be between 1 and 100"),
        (("--growth", "nan"), "growth must be a finite number"),
        (("--floor", "0.1", "--ceiling", "0.05"), "floor (0.1) must not be above ceiling (0.05)"),
        (("--ceiling", "-3"), "ceiling must be between -1 and 1"),
    ],
)
def test_convergence_arguments_are_bounded(cli_in_process, args, needle) -> None:
    code, out, err = cli_in_process("allocate", "converge", *args)
    assert code == 2 and needle in err and not out


def test_bounds_refuse_non_numbers_non_finite_and_out_of_range() -> None:
    assert bounds.check_number("x", 0.5, 0, 1) == 0.5
    assert bounds.check_int("n", 3, 1, 5) == 3
    for bad in (True, "1", None, float("nan"), float("inf"), -0.1, 1.1):
        with pytest.raises(DevocareError, match="^x must be"):
            bounds.check_number("x", bad, 0, 1)
    for bad in (True, 2.0, 0, 6):
        with pytest.raises(DevocareError, match="^n must be"):
            bounds.check_int("n", bad, 1, 5)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: 2024-02-30\n", "impossible date '2024-02-30'"),
        ("a: 2024-13-01\n", "impossible date '2024-13-01'"),
        ("a: 0000-01-01\n", "impossible date '0000-01-01'"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "nesting deeper than 64 levels"),
        ("a: &x 1\nb: *x\n", "anchors (&x)"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: !!python/name:os.system\n", "YAML tag !!python/name"),
        ("a: !!int x\n", "a value cannot be read"),
        ("a: [\n", "not valid YAML at line"),
    ],
)
def test_safeyaml_names_every_problem(text: str, needle: str) -> None:
    with pytest.raises(DevocareError) as exc:
        safeyaml.loads(text, "test file")
    assert needle in str(exc.value) and str(exc.value).startswith("test file")


def test_safeyaml_reads_ordinary_yaml_and_json() -> None:
    assert safeyaml.loads("a: 2024-02-29\nb: [1, 2.5]\nc: !!str 7\n", "t") == {
        "a": __import__("datetime").date(2024, 2, 29),
        "b": [1, 2.5],
        "c": "7",
    }
    assert safeyaml.loads('{"x": {"y": [1, 2]}}', "t") == {"x": {"y": [1, 2]}}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b'{"acute_elective": ' * 3000 + b"1" + b"}" * 3000, "nesting"),
        (b"acute_elective: 2024-02-30\n", "impossible date '2024-02-30'"),
        (b"acute_elective: .nan\n", "non-negative number"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
    ],
)
def test_hostile_envelope_files_are_one_line(cli_in_process, tmp_path: Path, content: bytes, needle: str) -> None:
    envelope = tmp_path / "envelope.json"
    envelope.write_bytes(content)
    code, out, err = cli_in_process("allocate", "grants", "--arch", "status-quo-2023", "--envelope", str(envelope))
    assert code == 2 and needle in err and not out and "Traceback" not in err


def test_malformed_envelope_csv_is_one_line(cli_in_process, tmp_path: Path) -> None:
    envelope = tmp_path / "envelope.csv"
    envelope.write_bytes(b"")
    code, _, err = cli_in_process("allocate", "grants", "--arch", "status-quo-2023", "--envelope", str(envelope))
    assert code == 2 and "cannot be read" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("simulate", "status-quo-2023", "--draws", "0", "--seed", str(2**64)), "seed must be an integer from 0 to"),
        (("serve", "--workers", "100000"), "--workers must be between 1 and 64"),
    ],
)
def test_other_numeric_arguments_are_bounded(cli_in_process, args, needle) -> None:
    code, _, err = cli_in_process(*args)
    assert code == 2 and needle in err
