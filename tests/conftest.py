"""Shared test helpers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
