"""The benchmarks' NumPy baseline (``bench/numpy_status_quo.py``) computes what the engine computes.

The baseline is an independent plain-NumPy implementation of the status quo's year; a speed ratio against
it is only honest if it does the same work and gets the same answer. These tests run both on the same
inputs and draws and hold every per-budget flow and the national series to 1e-9."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from devocare import architecture
from devocare.simulation import montecarlo
from devocare.simulation.backend import namespace
from devocare.simulation.engine import FACTORS, prepared, run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import defaults, with_overrides
from devocare.simulation.phases import phased_rules
from devocare.simulation.rules import build_rules

ROOT = Path(__file__).resolve().parents[2]
ARCH = "status-quo-2023"
TOLERANCE = 1e-9


def _baseline_module():
    spec = importlib.util.spec_from_file_location("numpy_status_quo", ROOT / "bench" / "numpy_status_quo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


sq = _baseline_module()


def _both(level: str, draws: list[int], years: int, overrides: dict | None = None, baseline_fixed: dict | None = None):
    """The engine's block result and the baseline's outputs for the same inputs, grants and draws."""
    params = with_overrides(defaults(), overrides or {})
    fixed = montecarlo.central_values(params, years)
    inputs = load_inputs(level)
    rules = build_rules(architecture.load(ARCH), level)
    values = montecarlo.draw_values(params, np.array(draws), 7, years, len(inputs.lads), rules.n_budgets)
    engine = run_block(namespace("numpy"), inputs, rules, fixed, values, years, keep_atoms=False)
    grants = prepared(inputs, rules, fixed, years, frozenset(FACTORS)).alloc_b
    model = sq.build(inputs, rules, grants, fixed | (baseline_fixed or {}))
    return engine, sq.run(model, values, years)


def _relative_gap(ours: np.ndarray, theirs: np.ndarray, scale: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(scale), 1.0)))


def _assert_agree(engine, ours) -> None:
    allocated = engine.budget["allocated"]
    for name in ("need", "spent"):
        assert _relative_gap(ours[name], engine.budget[name], engine.budget[name]) < TOLERANCE, name
    for name in ("unmet_need", "reserves", "deficit_support"):  # near zero for many budgets: relative to money
        assert _relative_gap(ours[name], engine.budget[name], allocated) < TOLERANCE, name
    national = {
        "national_need": engine.national["need_by_line"].sum(axis=-1),
        "national_spent": engine.national["spent_by_line"].sum(axis=-1),
        "admissions": engine.national["admissions"],
    }
    for name, theirs in national.items():
        assert _relative_gap(ours[name], theirs, theirs) < TOLERANCE, name


@pytest.mark.integration
@pytest.mark.parametrize(
    "overrides",
    [{}, {"funding.real_growth": 0.0}, {"funding.real_growth": 0.04, "prevention.effect": 1.0}],
    ids=["defaults", "no-real-growth", "growth-and-prevention"],
)
def test_baseline_equals_engine_at_lad(overrides):
    engine, ours = _both("lad", [0, 1, 2, 3], 10, overrides)
    _assert_agree(engine, ours)
    # every status-quo mechanism acts in these runs, so agreement is not agreement on zeros
    assert (engine.budget["unmet_need"] > 0).any()  # cuts
    assert (engine.budget["deficit_support"] > 0).any()  # the centre meets NHS deficits
    assert (engine.budget["reserves"] != 0).any()  # councils carry reserves or deficits
    assert (engine.national["avoided_admissions"][:, -1] > 0).all()  # spending beyond need prevents admissions
    assert not np.allclose(ours["national_need"][1], ours["national_need"][2])  # area shocks differ by draw
    assert (engine.budget["transfers_in"] > 0).any()  # the Better Care Fund moves money


@pytest.mark.integration
def test_a_different_rule_is_detected():
    """The comparison can fail: the baseline with a different largest cut share disagrees with the engine."""
    engine, ours = _both("lad", [0, 1], 6, baseline_fixed={"behaviour.max_cut_share": 0.0})
    assert _relative_gap(ours["spent"], engine.budget["spent"], engine.budget["spent"]) > 1e-4


@pytest.mark.integration
def test_baseline_refuses_mechanics_it_does_not_model():
    params = defaults()
    fixed = montecarlo.central_values(params, 3)
    inputs = load_inputs("lad")
    rules = build_rules(architecture.load("reform-split-2024"), "lad")
    with pytest.raises(ValueError, match="status quo only"):
        sq.build(inputs, rules, np.zeros((3, rules.n_budgets)), fixed)
    # the status quo as simulate runs it switches the delegated specialised line in 2025/26: a phase it refuses
    phased = phased_rules(architecture.load("status-quo-2023"), "lad")
    with pytest.raises(ValueError, match="a pot date within the run"):
        sq.build(inputs, phased, np.zeros((3, phased.n_budgets)), fixed)


@pytest.mark.integration
def test_baseline_equals_engine_at_lsoa():
    """At LSOA level (33,755 atoms, the engine's fused kernels): about ten seconds, most of it loading."""
    engine, ours = _both("lsoa", [0, 1], 5)
    _assert_agree(engine, ours)


@pytest.mark.unit
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
@pytest.mark.parametrize("nested", [False, True])
def test_segment_sums_equal_the_membership_products(nested, sparse):
    """The baseline's membership sums equal the dense products, with an empty budget and an atom outside
    every budget (partial shares), or with every atom wholly in one budget (the gather-only path), from a
    dense or a sparse membership matrix."""
    rng = np.random.default_rng(3)
    A, n = 40, 6
    if nested:
        H = np.zeros((A, n))
        H[np.arange(A), rng.integers(0, n, A)] = 1.0
    else:
        H = rng.random((A, n)) * (rng.random((A, n)) < 0.3)
        H[:, 2] = 0.0  # a budget with no atoms
        H[5] = 0.0  # an atom in no budget
    seg = sq.Segments.of(csr_matrix(H) if sparse else H)
    x, y = rng.random((3, 2, A)), rng.random((3, 2, n))
    np.testing.assert_allclose(seg.to_budgets(x), x @ H, rtol=1e-13)
    np.testing.assert_allclose(seg.to_atoms(y), y @ H.T, rtol=1e-13, atol=1e-15)
