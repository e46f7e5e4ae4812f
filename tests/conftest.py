"""Shared test helpers."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``devocare`` console entry point in a subprocess (real exit codes, real stdout/stderr)."""
    return subprocess.run([sys.executable, "-c", "from devocare.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


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
