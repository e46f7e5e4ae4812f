"""Membership matrices (atoms × areas, under 4% non-zero at LSOA level) as sparse products and compact pickles.

Why: a dense ``H.T @ X`` goes to BLAS, whose summation order depends on how many threads it runs, so a run
on a Dask worker (one BLAS thread) differed in the last bits from the same run in process. A CSR product
adds each output's terms one after another in atom order on one thread, so its bits depend only on the
data. And a dense 0/1 matrix is mostly zeros: pickled as CSR, the model a worker receives shrinks from
about 177 MB to about 6 MB at LSOA level (``docs/guides/scale-out.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def csr(matrix: np.ndarray) -> Any:
    """``matrix`` as a SciPy CSR array (exact values; zeros dropped)."""
    from scipy import sparse

    return sparse.csr_array(np.asarray(matrix, dtype=np.float64))


def to_areas(H: Any, x: np.ndarray) -> np.ndarray:
    """``H.T @ x``: (atoms, areas) × (atoms, k) → (areas, k), each area's atoms added in atom order."""
    return np.asarray(_sparse(H).T @ x)


def to_atoms(H: Any, y: np.ndarray) -> np.ndarray:
    """``H @ y``: (atoms, areas) × (areas, k) → (atoms, k), each atom's areas added in area order."""
    return np.asarray(_sparse(H) @ y)


def _sparse(H: Any) -> Any:
    from scipy import sparse

    return H if sparse.issparse(H) else csr(H)


def pack(matrix: np.ndarray | None) -> tuple[Any, ...] | None:
    """A dense matrix as (shape, row pointers, column indices, values): what pickling ships."""
    if matrix is None:
        return None
    rows, cols = np.nonzero(matrix)
    index = np.int32 if max(matrix.shape) < 2**31 else np.int64
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=matrix.shape[0]))].astype(index)
    return (matrix.shape, indptr, cols.astype(index), np.ascontiguousarray(matrix[rows, cols], dtype=np.float64))


def unpack(packed: tuple[Any, ...] | None) -> np.ndarray | None:
    """The dense matrix :func:`pack` took apart, value for value."""
    if packed is None:
        return None
    shape, indptr, cols, values = packed
    out = np.zeros(shape)
    rows = np.repeat(np.arange(shape[0]), np.diff(indptr))
    out[rows, cols] = values
    return out
