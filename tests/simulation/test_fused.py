"""The fused Numba kernels (NumPy backend) give bit-identical results to the array-API path they replace."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import fused, montecarlo
from devocare.simulation.backend import namespace
from devocare.simulation.engine import FACTORS, BlockResult, run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.rules import build_rules

pytest.importorskip("numba")
pytestmark = pytest.mark.integration


def _run(
    monkeypatch,
    use_fused,
    arch_id: str,
    atoms: str,
    draws: list[int],
    years: int,
    factors,
    overrides=None,
    per_atom=None,
):
    monkeypatch.setenv("DEVOCARE_FUSED", "1" if use_fused else "0")
    params = resolve(overrides)
    fixed = {k: p.value for k, p in params.params.items()}
    rules = build_rules(architecture.load(arch_id), atoms)
    inputs = load_inputs(atoms)
    values = montecarlo.draw_values(params, np.array(draws), 5, years, len(inputs.lads), rules.n_budgets)
    atom_draws = atoms == "lad" if per_atom is None else per_atom
    return run_block(namespace("numpy"), inputs, rules, fixed, values, years, factors, atom_draws=atom_draws)


def _assert_identical(a: BlockResult, b: BlockResult, label: str) -> None:
    for part in ("budget", "national", "atoms", "atom_draws"):
        x, y = getattr(a, part), getattr(b, part)
        assert x.keys() == y.keys()
        for k in x:
            np.testing.assert_array_equal(x[k], y[k], err_msg=f"{label} {part} {k}")
            assert np.array_equal(np.signbit(x[k]), np.signbit(y[k])), f"signed zeros differ: {label} {part} {k}"


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_fused_equals_array_api_path(monkeypatch, arch_id: str) -> None:
    """Every built-in architecture, the central run and Monte Carlo draws, with each factor switched off in
    turn as the waterfall does (caps, left shift, reinvestment, prevention, co-financing, rebasing)."""
    for off in (None, *FACTORS):
        factors = frozenset(FACTORS) - {off}
        generic = _run(monkeypatch, False, arch_id, "lad", [0, 3, 4], 10, factors)
        fast = _run(monkeypatch, True, arch_id, "lad", [0, 3, 4], 10, factors)
        _assert_identical(generic, fast, f"{arch_id} without {off}")


@pytest.mark.parametrize("arch_id", ["reform-aco-2024", "reform-split-2024"])
def test_fused_equals_array_api_path_at_lsoa_level(monkeypatch, arch_id: str) -> None:
    """LSOA atoms (runs of hundreds of atoms, so the pairwise run sums split), hospital caps in the ACO; with
    the central run (atom detail kept) and without (need and spend rows only of one run at a time)."""
    for draws in ([0, 7], [7, 8]):
        generic = _run(monkeypatch, False, arch_id, "lsoa", draws, 4, frozenset(FACTORS))
        fast = _run(monkeypatch, True, arch_id, "lsoa", draws, 4, frozenset(FACTORS))
        _assert_identical(generic, fast, f"{arch_id} draws {draws}")


def test_fused_equals_array_api_path_with_strong_behaviour(monkeypatch) -> None:
    """Strong left shift and caps so that elective floors, cuts and capped activity all bite."""
    overrides = {"behaviour.left_shift_rate": 0.05, "prevention.effect": 1.2, "behaviour.overspend_response": 1.0}
    for arch_id in ("reform-aco-2024", "deloitte-2016"):
        for draws, per_atom in (([0, 1, 2], True), ([1, 2], False)):
            generic = _run(monkeypatch, False, arch_id, "lad", draws, 8, frozenset(FACTORS), overrides, per_atom)
            fast = _run(monkeypatch, True, arch_id, "lad", draws, 8, frozenset(FACTORS), overrides, per_atom)
            _assert_identical(generic, fast, f"{arch_id} draws {draws}")


def test_run_sums_match_numpy_reduceat() -> None:
    """The kernels' run sums add in NumPy's pairwise order, for runs of every length class."""
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=5000) * 1e6
    starts = np.r_[0, 1, 3, 10, 17, 150, 151, 400, 1400, 1401, 3000]
    expected = np.add.reduceat(x, starts)
    bounds = np.r_[starts, len(x)]
    got = np.array([fused._run_total(x[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)])
    np.testing.assert_array_equal(got, expected)


def test_the_budget_kernels_take_maxima_and_minima_as_numpy_does() -> None:
    """Signed zeros and NaNs included (a surplus of exactly zero settles to a support of 0.0 or -0.0): the
    kernels' maximum and minimum agree with NumPy's on whole arrays, sign bits too."""
    from devocare.simulation import fused_budgets

    nan, inf = float("nan"), float("inf")
    pairs = [(-0.0, 0.0), (0.0, -0.0), (nan, 1.0), (1.0, nan), (2.0, 1.0), (1.0, 2.0), (inf, -inf), (-1.0, -1.0)]
    a = np.array([x for x, _ in pairs] * 8)  # long enough for NumPy's vectorised loops
    b = np.array([y for _, y in pairs] * 8)
    for ours, theirs in ((fused_budgets._max, np.maximum), (fused_budgets._min, np.minimum)):
        got, want = np.array([ours(x, y) for x, y in zip(a, b, strict=True)]), theirs(a, b)
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want)), ours.__name__
