"""Shared test helpers."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _own_data_folder(tmp_path_factory: pytest.TempPathFactory):
    """Saved work that tests make without naming a database goes to a temporary per-user data folder (and
    commands the tests start inherit it), never to the real user's."""
    import os

    if "DEVOCARE_DATA_DIR" in os.environ:
        yield
        return
    os.environ["DEVOCARE_DATA_DIR"] = str(tmp_path_factory.mktemp("user-data"))
    yield
    os.environ.pop("DEVOCARE_DATA_DIR", None)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``devocare`` console entry point in a subprocess (real exit codes, real stdout/stderr)."""
    return subprocess.run(
        [sys.executable, "-c", "from devocare.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture
def cli():
    """The :func:`run_cli` helper as a fixture."""
    return run_cli


class CliResult(NamedTuple):
    """What a command did: unpacks as ``(code, out, err)`` or reads like ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """Run the console entry point in process: its real exit code (2 on bad input), stdout and stderr,
    without paying an interpreter start and data load per call."""
    from devocare.cli import main

    monkeypatch.setattr(sys, "argv", ["devocare", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli_in_process(monkeypatch, capsys):
    """The :func:`run_main` helper as a fixture: ``cli_in_process("simulate", ...)``."""
    return partial(run_main, monkeypatch, capsys)


@pytest.fixture
def arch_file(tmp_path: Path):
    """Writes a test architecture that extends a built-in one and returns its path:
    ``arch_file("reform-split-2024", "money:\n  co_financing: ...")``. The header (id and name from
    ``name``, ``extends``, an assumption source) is the same for every such test; ``body`` is the YAML
    after it."""

    def write(extends: str, body: str, name: str = "test-arch") -> Path:
        path = tmp_path / f"{name}.yaml"
        header = f"id: {name}\nname: {name}\nextends: {extends}\nsources: ['assumption: test']\n"
        path.write_text(header + body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def matches_reference():
    """Asserts that a block the engine ran (``run_block``) equals the per-atom reference, draw by draw, on
    every reference measure and the national admissions and spend by line."""
    import numpy as np

    from devocare.simulation.reference import MEASURES, reference_run

    def check(inputs, rules, fixed, values, result, years: int, draws: list[int], label: str = "") -> None:
        for i, d in enumerate(draws):
            ref = reference_run(
                inputs,
                rules,
                fixed,
                {k: v[i] for k, v in values.scalars.items()},
                values.shocks[i],
                values.criteria_noise[i],
                d == 0,
                years,
            )
            for m in MEASURES:
                np.testing.assert_allclose(
                    result.budget[m][i], ref[m], rtol=1e-9, atol=1e-3, err_msg=f"{label} {m} draw {d}"
                )
            np.testing.assert_allclose(result.national["admissions"][i], ref["national_admissions"], rtol=1e-9)
            np.testing.assert_allclose(result.national["spent_by_line"][i], ref["national_spent_by_line"], rtol=1e-9)

    return check


#: What a skipped test needs, recognised from its skip reason, and the one command that provides it.
_ENABLE = (
    (
        ("chromium", "chrome"),
        "browser and PDF tests need Chromium",
        "sudo apt-get install chromium   (or: sudo bash .ci/system-packages)",
    ),
    (
        ("postgresql",),
        "PostgreSQL storage tests need a server",
        'sudo bash .ci/system-packages && export DEVOCARE_TEST_POSTGRES_URL="$(sudo bash .ci/start-postgres)"',
    ),
    (
        ("playwright", "schemathesis", "jax", "numba", "hypothesis"),
        "tests need the development extras",
        ".venv/bin/pip install -e '.[dev]'",
    ),
    (
        ("source data folder",),
        "data-refresh tests need the source data folder beside the checkout",
        "check out the shared/ data folder next to the repository",
    ),
)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: D103 - pytest hook
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    counts: dict[int, int] = {}
    other = 0
    for report in skipped:
        reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr).lower()
        hit = next((i for i, (keys, _, _) in enumerate(_ENABLE) if any(k in reason for k in keys)), None)
        if hit is None:
            other += 1
        else:
            counts[hit] = counts.get(hit, 0) + 1
    terminalreporter.section("skipped suites and how to enable them")
    for i, n in sorted(counts.items()):
        _, what, command = _ENABLE[i]
        terminalreporter.write_line(f"{n} skipped: {what}. Enable with: {command}")
    if other:
        terminalreporter.write_line(f"{other} skipped for other reasons (see the short summary above).")
