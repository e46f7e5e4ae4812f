"""Every built-in's 10-year central LAD results against the committed golden snapshots.

A change that moves results must regenerate them on purpose (``python tests/simulation/golden/regenerate.py``)
so the diff of ``tests/simulation/golden/*.json`` shows what it changed.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
RTOL = 1e-9

_spec = importlib.util.spec_from_file_location("golden_regenerate", GOLDEN / "regenerate.py")
assert _spec is not None and _spec.loader is not None
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)

pytestmark = pytest.mark.integration


def _close(actual: object, expected: object) -> bool:
    if isinstance(expected, str) or expected is None:
        return actual == expected
    a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape or not np.isfinite(a).all():
        return False
    scale = max(float(np.abs(e).max(initial=0.0)), 1.0)
    return bool(np.allclose(a, e, rtol=RTOL, atol=RTOL * scale))


def test_every_builtin_has_a_snapshot():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == regenerate.builtin_ids()


@pytest.mark.parametrize("arch_id", regenerate.builtin_ids())
def test_results_match_golden_snapshot(arch_id):
    golden = json.loads((GOLDEN / f"{arch_id}.json").read_text())
    current = json.loads(json.dumps(regenerate.snapshot(arch_id), default=regenerate._plain))
    assert current["years"] == golden["years"]
    assert set(current["summary"]) == set(golden["summary"])
    moved = [k for k, v in golden["summary"].items() if not _close(current["summary"][k], v)]
    assert not moved, {k: (golden["summary"][k], current["summary"][k]) for k in moved}
    assert set(current["by_year"]) == set(golden["by_year"])
    moved = [k for k, v in golden["by_year"].items() if not _close(current["by_year"][k], v)]
    assert not moved, f"per-year national totals moved: {moved}"
    steps = [(r["measure"], r["step"]) for r in golden["waterfall"]]
    assert [(r["measure"], r["step"]) for r in current["waterfall"]] == steps
    moved = [
        (g["measure"], g["step"], g["value"], c["value"])
        for g, c in zip(golden["waterfall"], current["waterfall"], strict=True)
        if not _close(c["value"], g["value"])
    ]
    assert not moved, moved
