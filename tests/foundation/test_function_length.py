"""No function in the simulator is longer than about a screen, so each one can be read and checked whole.

Long functions hide several jobs; the simulator's are split into small named helpers. The one exception is
named below with its reason."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SIMULATION = Path(__file__).resolve().parents[2] / "src" / "devocare" / "simulation"
MAX_LINES = 120

# function → why it may be longer
ALLOWED: dict[str, str] = {
    "fused.py::atom_year": (
        "the fused Numba kernel (about 126 lines): its body is one loop over draws and runs that calls an @njit "
        "helper per step; about 60 of its lines are its argument list, one argument a line, because a Numba "
        "kernel takes plain arrays, not objects, and its helpers' calls pass them on the same way"
    ),
}


def _lengths() -> dict[str, int]:
    """Lines of every function and method (nested ones included) in src/devocare/simulation/*.py."""
    out: dict[str, int] = {}
    for path in sorted(SIMULATION.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                out[f"{path.name}::{node.name}"] = max(
                    out.get(f"{path.name}::{node.name}", 0), node.end_lineno - start + 1
                )
    return out


def test_the_simulator_is_there() -> None:
    """The check reads real files: a wrong path would pass vacuously."""
    lengths = _lengths()
    assert len(lengths) > 50
    assert "engine.py::prepare" in lengths


def test_no_simulation_function_is_longer_than_the_limit() -> None:
    too_long = {name: n for name, n in _lengths().items() if n > MAX_LINES and name not in ALLOWED}
    assert not too_long, f"split these into helpers with one job each (limit {MAX_LINES} lines): {too_long}"


def test_the_allow_list_names_only_functions_still_too_long() -> None:
    """An exception that is no longer needed is removed, so the list cannot grow stale."""
    lengths = _lengths()
    stale = [name for name in ALLOWED if lengths.get(name, 0) <= MAX_LINES]
    assert not stale, f"remove from ALLOWED, now within {MAX_LINES} lines: {stale}"
