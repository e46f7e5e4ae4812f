"""The array-API path the GPU backends take, run on the CPU through JAX: the same numbers as NumPy.

CuPy and JAX share every line of the engine that NumPy does not specialise (segment sums as differenced
cumulative sums, run expansion as a gather, immutable line updates), so JAX on the CPU checks that path
on any machine; a GPU only changes where it runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from devocare.simulation import simulate
from devocare.simulation.backend import RunMatrix, is_numpy, namespace, segment_sum, set_line, to_numpy

pytestmark = pytest.mark.integration


def test_set_line_updates_one_line_on_mutable_and_immutable_arrays() -> None:
    x = np.zeros((2, 3, 4))
    assert set_line(np, x, 1, np.ones((2, 4))) is x and x[:, 1].sum() == 8 and x.sum() == 8
    pytest.importorskip("jax")
    jnp = namespace("jax")
    y = set_line(jnp, jnp.zeros((2, 3, 4)), 1, jnp.ones((2, 4)))
    assert to_numpy(y)[:, 1].sum() == 8 and to_numpy(y).sum() == 8


def test_only_numpys_namespace_takes_the_numpy_paths() -> None:
    from types import SimpleNamespace

    import array_api_compat.numpy as wrapped

    assert is_numpy(np) and is_numpy(wrapped)
    # JAX's namespace is named jax.numpy; CuPy's, plain or wrapped, is not NumPy either
    for name in ("jax.numpy", "cupy", "array_api_compat.cupy", "numpy_like"):
        assert not is_numpy(SimpleNamespace(__name__=name)), name


def test_jax_arrays_go_the_array_api_way() -> None:
    pytest.importorskip("jax")
    jnp = namespace("jax")
    assert not is_numpy(jnp)
    rng = np.random.default_rng(3)
    M = (rng.random((6, 4)) < 0.5) * rng.random((6, 4))  # runs × budgets
    x = rng.random((2, 3, 6))
    matrix = RunMatrix(jnp, M)
    assert not hasattr(matrix, "_fwd_csr")  # a gather plan, not SciPy's sparse product on host arrays
    got = matrix.to_budgets(jnp.asarray(x))
    assert not isinstance(got, np.ndarray)  # stays on the backend
    np.testing.assert_allclose(to_numpy(got), x @ M, rtol=1e-12)
    starts = np.array([0, 2, 5])
    sums = segment_sum(jnp, jnp.asarray(x), starts)
    assert not isinstance(sums, np.ndarray)
    np.testing.assert_allclose(to_numpy(sums), np.add.reduceat(x, starts, axis=-1), rtol=1e-12)


@pytest.mark.parametrize("arch_id", ["reform-aco-2024", "reform-split-2024"])
def test_jax_backend_gives_numpys_numbers(arch_id: str) -> None:
    pytest.importorskip("jax")
    kwargs = {"years": 4, "draws": 2, "seed": 5, "atoms": "lad", "waterfall": False}
    ref = simulate(arch_id, **kwargs)
    got = simulate(arch_id, backend="jax", **kwargs)
    assert got.run_record["backend"] == "jax"
    a, b = ref.table, got.table
    keys = ["architecture", "draw", "statistic", "year", "body", "atom", "line", "measure"]
    assert a[keys].equals(b[keys])
    # within a tenth of a penny: the balance settles some budgets to zero, where only absolute error means much
    np.testing.assert_allclose(b["value"].to_numpy(float), a["value"].to_numpy(float), rtol=1e-9, atol=1e-3)
    assert got.run_record["conservation_max_gap"] <= 1e-9
