"""Membership products add each output's terms in a fixed order (no BLAS), and pickles carry them exactly."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from devocare.simulation import membership
from devocare.simulation.backend import HeldLines, RunMatrix

pytestmark = pytest.mark.unit


def _membership(rng: np.random.Generator, atoms: int, areas: int) -> np.ndarray:
    H = np.zeros((atoms, areas))
    H[np.arange(atoms), rng.integers(0, areas, atoms)] = 1.0
    split = rng.choice(atoms, atoms // 10, replace=False)  # some atoms shared between two areas
    H[split] *= 0.6
    H[split, rng.integers(0, areas, len(split))] += 0.4
    return H


def test_products_add_atoms_one_after_another_in_atom_order() -> None:
    rng = np.random.default_rng(3)
    H, x = _membership(rng, 500, 7), rng.standard_normal((500, 3)) * 1e9
    got = membership.to_areas(H, x)
    want = np.zeros((7, 3))
    for a in range(500):  # the order the docstring promises, from zero
        for b in np.flatnonzero(H[a]):
            want[b] = want[b] + H[a, b] * x[a]
    assert got.tobytes() == want.tobytes()
    y = rng.standard_normal((7, 2))
    spread = membership.to_atoms(H, y)
    np.testing.assert_allclose(spread, H @ y, rtol=1e-12)


def test_pack_and_unpack_give_back_every_value() -> None:
    rng = np.random.default_rng(4)
    H = _membership(rng, 1000, 40)
    packed = membership.pack(H)
    assert membership.unpack(packed).tobytes() == H.tobytes()
    assert len(pickle.dumps(packed)) < H.nbytes / 10
    assert membership.pack(None) is None and membership.unpack(None) is None


def test_run_matrix_sums_do_not_depend_on_how_many_draws_share_the_array() -> None:
    rng = np.random.default_rng(5)
    M = _membership(rng, 60, 25)
    M = M[:, M.sum(axis=0) > 0]
    runs = RunMatrix(np, M)
    x = rng.standard_normal((8, 13, 60))
    whole = runs.to_budgets(x)
    assert whole[3:4].tobytes() == runs.to_budgets(x[3:4]).tobytes()
    np.testing.assert_allclose(whole, x @ M, rtol=1e-12, atol=1e-12)
    y = rng.standard_normal((8, 13, M.shape[1]))
    assert runs.to_runs(y)[5:].tobytes() == runs.to_runs(y[5:]).tobytes()
    np.testing.assert_allclose(runs.to_runs(y), y @ M.T, rtol=1e-12, atol=1e-12)


def test_held_lines_give_the_same_bits_as_the_full_line_by_budget_array() -> None:
    # pairs' values are to_budgets' at the held pairs; a budget's total adds its held lines in line order
    # from zero, as the masked sum over lines did (one budget holds all 11 lines: longer than NumPy's
    # unrolled blocks, so a pairwise sum would differ in the last bits)
    rng = np.random.default_rng(6)
    M = _membership(rng, 40, 9)
    M = M[:, M.sum(axis=0) > 0]
    holds = (rng.random((11, M.shape[1])) < 0.4).astype(float)
    holds[:, 0], holds[:, -1] = 1.0, 0.0  # a budget holding every line, one holding none
    runs, held = RunMatrix(np, M), HeldLines(np, M, holds)
    x = rng.standard_normal((6, 11, 40)) * 1e9
    full = runs.to_budgets(x)
    assert held.pairs(x).tobytes() == held.take(full).tobytes()
    assert held.total(held.pairs(x)).tobytes() == np.sum(full * holds[None], axis=1).tobytes()
    up = holds * (rng.random(holds.shape) < 0.5)
    assert held.total(held.pairs(x), up).tobytes() == np.sum(full * up[None], axis=1).tobytes()
    assert np.array_equal(held.line(held.pairs(x), 3), full[:, 3, :] * holds[3])  # a zero for a -0 where not held
    y = rng.standard_normal((6, M.shape[1]))
    assert runs.spread(y, holds).tobytes() == runs.to_runs(y[:, None, :] * holds[None]).tobytes()


def test_segment_sums_equal_numpys_reduceat_bit_for_bit() -> None:
    # the Numba loop must add each run as add.reduceat does: short runs one by one, long ones pairwise
    from devocare.simulation import fused
    from devocare.simulation.backend import segment_sum

    if not fused.AVAILABLE:
        pytest.skip("Numba is not installed: segment sums are add.reduceat itself")
    rng = np.random.default_rng(7)
    for longest in (2, 9, 12, 40, 300):
        lengths = rng.integers(1, longest + 1, size=50)
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        x = rng.standard_normal((3, 4, int(lengths.sum()))) * 10.0 ** rng.integers(0, 12, (3, 4, int(lengths.sum())))
        x[0, 0, :3] = -0.0
        assert segment_sum(np, x, starts).tobytes() == np.add.reduceat(x, starts, axis=-1).tobytes()
