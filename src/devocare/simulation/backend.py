"""Array backends (NumPy, CuPy, JAX through the array API standard) and membership matrices as sparse
matrix products, so aggregating 33,755 LSOAs to a few hundred bodies costs one pass over the atoms."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from devocare.errors import DevocareError, UnknownChoiceError

BACKENDS = ("numpy", "cupy", "jax")


def namespace(name: str) -> Any:
    """The array-API namespace for a backend name (a clear error when it is not installed)."""
    if name not in BACKENDS:
        raise UnknownChoiceError("backend", name, BACKENDS)
    from array_api_compat import array_namespace

    if name == "numpy":
        return array_namespace(np.zeros(1))
    try:
        if name == "cupy":
            import cupy

            return array_namespace(cupy.zeros(1))
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        return array_namespace(jnp.zeros(1))
    except ImportError as exc:
        raise DevocareError(f"backend {name!r} is not installed ({exc}); use --backend numpy") from None


def is_numpy(xp: Any) -> bool:
    """True for the NumPy namespace (sparse products then use SciPy)."""
    return "numpy" in xp.__name__


def asarray(xp: Any, values: Any) -> Any:
    """A float64 array of the backend from host values."""
    return xp.asarray(np.asarray(values, dtype=np.float64))


def to_numpy(x: Any) -> np.ndarray:
    """Copy an array of any backend to host NumPy."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "get"):
        return x.get()
    return np.asarray(x)


class Membership:
    """A membership matrix H (atoms × areas) that aggregates (x @ H) and distributes (H @ x) along the
    last axis. Sparse on every backend, so each output element sums its atoms in a fixed order and a draw's
    result does not depend on how many other draws share the array."""

    def __init__(self, xp: Any, H: np.ndarray) -> None:
        self.xp = xp
        self.shape = H.shape
        csr = sp.csr_matrix(H)
        self._name = xp.__name__
        if is_numpy(xp):
            self._HT, self._H = csr.T.tocsr(), csr
        elif "cupy" in self._name:
            import cupyx.scipy.sparse as csp

            self._HT, self._H = csp.csr_matrix(csr.T.tocsr()), csp.csr_matrix(csr)
        else:
            from jax.experimental import sparse as jsp

            self._HT, self._H = jsp.BCSR.from_scipy_sparse(csr.T.tocsr()), jsp.BCSR.from_scipy_sparse(csr)
        self.row_sum = asarray(xp, np.asarray(H.sum(axis=1)).ravel())

    def aggregate(self, x: Any) -> Any:
        """(..., atoms) → (..., areas)."""
        lead = x.shape[:-1]
        flat = self.xp.reshape(x, (-1, self.shape[0]))
        out = self._HT @ flat.T
        return self.xp.reshape(self.xp.asarray(out).T, (*lead, self.shape[1]))

    def distribute(self, x: Any) -> Any:
        """(..., areas) → (..., atoms): each atom gets its share-weighted sum of its areas' values."""
        lead = x.shape[:-1]
        flat = self.xp.reshape(x, (-1, self.shape[1]))
        out = self._H @ flat.T
        return self.xp.reshape(self.xp.asarray(out).T, (*lead, self.shape[0]))
