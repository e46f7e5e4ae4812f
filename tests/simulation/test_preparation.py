"""A run's preparation is built once and shared without changing a bit: the waterfall's factor sets share the
pieces that read only some factors, and atoms are grouped into runs from the sparse membership."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from devocare.simulation import engine
from devocare.simulation.inputs import load_inputs
from devocare.simulation.montecarlo import central_values
from devocare.simulation.parameters import resolve
from devocare.simulation.phases import phased_rules
from devocare.simulation.runner import _load_arch


def _same(a: object, b: object) -> None:
    """Equal values, bit for bit, through nested dataclasses, lists, tuples and dicts."""
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.name not in ("run_matrix", "held_lines", "memo"):  # built on use
                _same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, dict):
        assert a.keys() == b.keys()  # type: ignore[attr-defined]
        for k in a:
            _same(a[k], b[k])  # type: ignore[index]
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)  # type: ignore[arg-type]
        for x, y in zip(a, b, strict=True):  # type: ignore[call-overload]
            _same(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    else:
        assert a == b or (a is None and b is None)


@pytest.mark.parametrize(("arch", "atoms"), [("reform-split-2024", "lad"), ("reform-aco-2024", "lad")])
def test_every_factor_set_prepared_from_shared_pieces_equals_one_prepared_alone(arch: str, atoms: str) -> None:
    rules = phased_rules(_load_arch(arch), atoms)
    inputs = load_inputs(atoms)
    fixed = central_values(resolve(None, None), 6)
    sets = [frozenset(c) for k in range(len(engine.FACTORS) + 1) for c in itertools.combinations(engine.FACTORS, k)]
    shared = [engine.prepare(inputs, rules, fixed, 6, s) for s in sets]  # later sets reuse earlier sets' pieces
    assert len(engine._shared(inputs, rules, fixed, 6).memo) > 1
    for s, prep in zip(sets, shared, strict=True):
        engine._SHARED.clear()  # a fresh run: nothing built yet
        _same(prep, engine.prepare(inputs, rules, fixed, 6, s))


@pytest.mark.parametrize(
    ("arch", "atoms"),
    [
        ("status-quo-2023", "lad"),
        ("reform-split-2024", "lad"),
        ("ten-year-plan-2025", "lad"),
        pytest.param("reform-split-2024", "lsoa", marks=pytest.mark.integration),
    ],
)
def test_runs_from_sparse_membership_equal_runs_from_sorting_dense_rows(arch: str, atoms: str) -> None:
    rules = phased_rules(_load_arch(arch), atoms)
    sparse = engine._runs_sparse(rules)
    assert sparse is not None
    _same(sparse, engine._runs(np.hstack([g.H for g in rules.groups])))
    perm, starts, run_of, rows = sparse
    assert len(starts) == len(rows) < len(perm) and np.array_equal(np.sort(perm), np.arange(len(perm)))


def test_a_negative_zero_in_membership_falls_back_to_sorting_dense_rows() -> None:
    """The CSR parts drop a negative zero, which the dense rows' bytes keep apart from a zero: not exact."""
    rules = phased_rules(_load_arch("status-quo-2023"), "lad")
    group = dataclasses.replace(rules.groups[0], H=rules.groups[0].H.copy())
    group.H[group.H == 0] = -0.0
    assert engine._runs_sparse(dataclasses.replace(rules, groups=[group, *rules.groups[1:]])) is None
