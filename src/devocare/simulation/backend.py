"""Array backends (NumPy, CuPy, JAX through the array API standard) and the two primitives the engine adds
to it: segment sums over runs of atoms (aggregating 33,755 LSOAs costs one pass) and setting one line."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from devocare.errors import DevocareError, UnknownChoiceError

BACKENDS = ("numpy", "cupy", "jax")


def namespace(name: str) -> Any:
    """The array-API namespace for a backend name (a clear error when it is not installed)."""
    if name not in BACKENDS:
        raise UnknownChoiceError("backend", name, BACKENDS)
    from array_api_compat import array_namespace

    if name == "numpy":
        return np  # NumPy 2 implements the array API standard in its main namespace
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


#: The names of NumPy's namespace, plain and as array_api_compat wraps it (JAX's is ``jax.numpy``: not NumPy).
NUMPY_NAMES = frozenset({"numpy", "array_api_compat.numpy"})


def is_numpy(xp: Any) -> bool:
    """True for the NumPy namespace only (plain or wrapped by array_api_compat): the engine's NumPy-specialised
    paths (SciPy sparse products, Numba kernels, in-place writes) take host NumPy arrays, so JAX's and CuPy's
    arrays must go the array-API way."""
    return getattr(xp, "__name__", None) in NUMPY_NAMES


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


def segment_sum(xp: Any, x: Any, starts: np.ndarray) -> Any:
    """Sums over contiguous runs of the last axis starting at ``starts`` (atoms sorted by run).

    NumPy adds each run in order (``add.reduceat``, or the same sums in one Numba loop where Numba is
    installed), so a draw's sums do not depend on how many draws share the array; other backends difference
    a cumulative sum.
    """
    if is_numpy(xp):
        from devocare.simulation import fused

        bounds = _bounds(starts, x.shape[-1])
        if fused.AVAILABLE and x.dtype == np.float64 and bounds is not None:
            rows = np.ascontiguousarray(np.reshape(x, (-1, x.shape[-1])))
            out = np.empty((rows.shape[0], len(starts)))
            fused.segment_sums(rows, bounds, out)
            return out.reshape(*x.shape[:-1], len(starts))
        return np.add.reduceat(x, starts, axis=-1)
    n = x.shape[-1]
    ends = np.r_[starts[1:], n] - 1
    csum = xp.cumulative_sum(x, axis=-1)
    at_end = xp.take(csum, xp.asarray(ends), axis=-1)
    before = xp.concat([xp.zeros((*x.shape[:-1], 1), dtype=x.dtype), at_end[..., :-1]], axis=-1)
    return at_end - before


_BOUNDS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray | None]] = {}


def _bounds(starts: np.ndarray, n: int) -> np.ndarray | None:
    """The runs' bounds (runs + 1,) for the Numba segment sums, None where a run is empty or there is none;
    remembered per ``starts`` array (a block's, used every year), which is kept alive with its entry."""
    key = (id(starts), n)
    hit = _BOUNDS.get(key)
    if hit is not None and hit[0] is starts:
        return hit[1]
    bounds = np.r_[starts, n].astype(np.int64)
    usable = bounds if len(starts) and bool((np.diff(bounds) > 0).all()) else None
    if len(_BOUNDS) > 64:  # a long-lived process runs many blocks: forget old ones
        _BOUNDS.clear()
    _BOUNDS[key] = (starts, usable)
    return usable


def expand_runs(xp: Any, x: Any, run_of: Any, counts: np.ndarray) -> Any:
    """(..., runs) → (..., atoms): each atom takes its run's value (atoms are sorted by run)."""
    if is_numpy(xp):
        return np.repeat(x, counts, axis=-1)  # contiguous copies: far faster than a gather on NumPy
    return xp.take(x, run_of, axis=-1)


def set_line(xp: Any, x: Any, j: int, value: Any) -> Any:
    """``x`` with ``x[:, j, :] = value`` (in place where the backend allows it, as JAX arrays do not)."""
    from array_api_compat import is_jax_array

    if is_jax_array(x):
        return x.at[:, j, :].set(value)
    x[:, j, :] = value
    return x


class RunMatrix:
    """The run × budget membership matrix, applied along the last axis: ``x @ M`` (runs → budgets) and
    ``x @ M.T`` (budgets → runs), each output summed over its inputs in a fixed order.

    On NumPy, a CSR product over the leading axes flattened: one contiguous multiply-add of every
    (draw, line) value per non-zero entry (SciPy's ``csr_matvecs``, one thread, so the bits do not depend
    on thread counts). That is about five times faster than gathering the non-zero entries along the last
    axis and segment-summing them (``add.reduceat`` over about 350 short segments per row), which was half
    of a LAD block. Other backends gather and segment-sum — a few vectorised calls whatever the backend.
    """

    def __init__(self, xp: Any, M: np.ndarray) -> None:
        self.xp, self.shape = xp, M.shape
        if is_numpy(xp):
            from devocare.simulation.membership import csr

            self._fwd_csr, self._back_csr = csr(np.ascontiguousarray(M.T)), csr(M)
            self._spread: dict[bytes, Any] = {}
            self._spread_by_mask: dict[int, tuple[Any, Any]] = {}
        else:
            self._fwd = self._plan(M)  # runs → budgets: entries grouped by budget
            self._back = self._plan(np.ascontiguousarray(M.T))  # budgets → runs: grouped by run

    def _plan(self, M: np.ndarray) -> tuple[Any, Any, np.ndarray]:
        src, dst = np.nonzero(M)  # M is (inputs × outputs)
        # an output with no input (a budget that does not exist this year) sums one zero-weight entry
        empty = np.setdiff1d(np.arange(M.shape[1]), dst)
        src, dst = np.r_[src, np.zeros(len(empty), dtype=src.dtype)], np.r_[dst, empty]
        order = np.lexsort((src, dst))
        src, dst = src[order], dst[order]
        starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
        return self.xp.asarray(src), asarray(self.xp, M[src, dst]), starts

    def _apply(self, x: Any, plan: tuple[Any, Any, np.ndarray]) -> Any:
        src, weight, starts = plan
        return segment_sum(self.xp, self.xp.take(x, src, axis=-1) * weight, starts)

    @staticmethod
    def _csr_apply(x: np.ndarray, matrix: Any) -> np.ndarray:
        """``x @ matrix.T`` along the last axis: (..., inputs) → (..., outputs), each output's inputs added
        one after another in input order."""
        from devocare.simulation import fused

        lead, n_in = x.shape[:-1], x.shape[-1]
        if fused.AVAILABLE:  # read in place: no transposed copies in or out
            rows = np.reshape(x, (-1, n_in))
            out = np.empty((rows.shape[0], matrix.shape[0]))
            fused.csr_rows(rows, matrix.indptr, matrix.indices, matrix.data, out)
            return out.reshape(*lead, matrix.shape[0])
        flat = np.ascontiguousarray(np.reshape(x, (-1, n_in)).T)  # (inputs, rows): a row per input
        out = matrix @ flat  # (outputs, rows)
        return np.ascontiguousarray(out.T).reshape(*lead, matrix.shape[0])

    def to_budgets(self, x: Any) -> Any:
        """(..., runs) → (..., budgets)."""
        if is_numpy(self.xp):
            return self._csr_apply(np.asarray(x, dtype=np.float64), self._fwd_csr)
        return self._apply(x, self._fwd)

    def to_runs(self, x: Any) -> Any:
        """(..., budgets) → (..., runs)."""
        if is_numpy(self.xp):
            return self._csr_apply(np.asarray(x, dtype=np.float64), self._back_csr)
        return self._apply(x, self._back)

    def spread(self, x: Any, mask: Any) -> Any:
        """(D, budgets) values on the lines of a 0/1 (lines, budgets) ``mask`` → (D, lines, runs): the same
        sums as ``to_runs(x[:, None, :] * mask)``, less the zero terms of lines a budget does not hold.

        On NumPy one product of the (D, budgets) values with a (lines × runs, budgets) matrix cached per mask,
        instead of building the (D, lines, budgets) product and transposing it: at LAD level that array is
        larger than the atoms' own."""
        matrix = self.spread_matrix(mask) if is_numpy(self.xp) else None
        if matrix is None:
            return self.to_runs(x[:, None, :] * mask[None, :, :])
        D = x.shape[0]
        return self._csr_apply(np.asarray(x, dtype=np.float64), matrix).reshape(D, mask.shape[0], self.shape[0])

    def spread_matrix(self, mask: Any) -> Any:
        """The (lines × runs, budgets) CSR matrix :meth:`spread` multiplies by, cached per mask; None off
        NumPy or where ``mask`` is not 0/1."""
        if not is_numpy(self.xp):
            return None
        hit = self._spread_by_mask.get(id(mask))
        if hit is not None and hit[0] is mask:  # the entry keeps its mask alive, so an id is never reused
            return hit[1]
        host = np.asarray(mask, dtype=np.float64)
        key = host.tobytes()
        if key not in self._spread:
            matrix = None  # a mask of line shares (not 0/1) is spread by the dense product
            if np.isin(host, (0.0, 1.0)).all():
                from scipy import sparse

                matrix = sparse.csr_array(sparse.vstack([self._back_csr * row[None, :] for row in host]))
                matrix.eliminate_zeros()  # the product keeps a budget's entry on lines it does not hold, as 0
            self._spread[key] = matrix
        matrix = self._spread[key]
        if len(self._spread_by_mask) > 64:  # a long-lived process runs many blocks: forget old masks
            self._spread_by_mask.clear()
        self._spread_by_mask[id(mask)] = (mask, matrix)
        return matrix


class HeldLines:
    """The (line, budget) pairs a budget holds, and sums over them: what the year's steps read of need and
    spend per line and budget (their totals, the elective line, the floors).

    Why: at LAD level the (draw, line, budget) array of every line of every budget is larger than the atoms'
    own (349 budgets × 11 lines against 296 atoms) though a fifth of it is held; making it, transposing it for
    the sparse product and multiplying it by the held mask was a third of a block. Here the pairs' values come
    straight from the run level (each pair's runs added in run order, the same sums as
    :meth:`RunMatrix.to_budgets`), and a budget's total adds its held lines one after another in line order
    from zero, as the masked sum over lines did, so results are the same bits.
    """

    def __init__(self, xp: Any, M: np.ndarray, holds: Any) -> None:
        share = np.asarray(to_numpy(holds), dtype=np.float64)
        host = share > 0
        self.xp, self.L, self.B, self.R = xp, host.shape[0], host.shape[1], M.shape[0]
        self.budgets, self.lines = np.nonzero(host.T)  # held pairs, by budget then line
        # each pair's share of its line where pots split one (a budget holds that share of the line's sums)
        weight = share[self.lines, self.budgets]
        self._weight = None if bool(np.all(weight == 1.0)) else weight
        self._flat = self.lines * self.B + self.budgets  # each pair's place in a flattened (line, budget)
        self._totals: dict[bytes, RunMatrix] = {}
        self._by_mask: dict[int, tuple[Any, RunMatrix]] = {}  # the same, by the mask object (a year's masks)
        self._line_masks: dict[int, np.ndarray] = {}
        if is_numpy(xp):
            self._pairs = self._pair_matrix(M)
        else:
            self._runs, self._take = RunMatrix(xp, M), xp.asarray(self._flat)

    def _pair_matrix(self, M: np.ndarray) -> Any:
        """(pairs, lines × runs) CSR: pair (l, b) has M[r, b] at column l × runs + r, in run order."""
        from scipy import sparse

        from devocare.simulation.membership import csr

        by_budget = csr(np.ascontiguousarray(M.T))  # (B, runs), each row in run order
        counts = np.diff(by_budget.indptr)[self.budgets]
        indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        first = np.repeat(by_budget.indptr[self.budgets] - indptr[:-1], counts)
        pos = np.arange(indptr[-1]) + first
        columns = by_budget.indices[pos] + np.repeat(self.lines * self.R, counts)
        shape = (len(self.budgets), self.L * self.R)
        data = by_budget.data[pos] if self._weight is None else by_budget.data[pos] * np.repeat(self._weight, counts)
        return sparse.csr_array((data, columns, indptr), shape=shape)

    def pairs(self, x_lr: Any) -> Any:
        """(D, lines, runs) → (D, pairs): each held pair's sum over the runs in its budget."""
        if not is_numpy(self.xp):
            D = x_lr.shape[0]
            out = self.xp.take(self.xp.reshape(self._runs.to_budgets(x_lr), (D, -1)), self._take, axis=1)
            return out if self._weight is None else out * self.xp.asarray(self._weight)[None, :]
        x = np.asarray(x_lr, dtype=np.float64)
        return RunMatrix._csr_apply(np.reshape(x, (x.shape[0], -1)), self._pairs)

    def take(self, x_lb: Any) -> Any:
        """(D, lines, budgets) → (D, pairs): the held pairs' values of a full array."""
        D = x_lb.shape[0]
        flat = self.xp.reshape(x_lb, (D, self.L * self.B))
        return flat[:, self._flat] if is_numpy(self.xp) else self.xp.take(flat, self._take, axis=1)

    def total(self, x_p: Any, mask: Any = None) -> Any:
        """(D, pairs) → (D, budgets): each budget's sum over its held lines (those of the 0/1 (lines, budgets)
        ``mask`` too, where given), added in line order from zero."""
        hit = self._by_mask.get(id(mask))
        if hit is None or hit[0] is not mask:  # the entry keeps its mask alive, so an id is never reused
            keep = np.ones(len(self.lines)) if mask is None else np.asarray(to_numpy(mask))[self.lines, self.budgets]
            keep = (keep != 0).astype(np.float64)  # a mask of shares selects pairs; their shares are in the pairs
            key = keep.tobytes()
            if key not in self._totals:
                S = np.zeros((len(self.lines), self.B))
                S[np.arange(len(self.lines)), self.budgets] = keep
                self._totals[key] = RunMatrix(self.xp, S)
            if len(self._by_mask) > 64:  # a long-lived process runs many blocks: forget old masks
                self._by_mask.clear()
            hit = self._by_mask[id(mask)] = (mask, self._totals[key])
        return hit[1].to_budgets(x_p)

    def line(self, x_p: Any, j: int) -> Any:
        """(D, pairs) → (D, budgets): line ``j``'s values (zero for a budget that does not hold it)."""
        if j not in self._line_masks:
            self._line_masks[j] = np.zeros((self.L, self.B))
            self._line_masks[j][j] = 1.0
        return self.total(x_p, self._line_masks[j])


_YEAR_BUFFERS = threading.local()


def year_buffer(name: str, shape: tuple[int, ...], t: int, dtype: Any = np.float64) -> np.ndarray:
    """A host array for one of a block's yearly outputs (NumPy path), one of two that alternate year by year
    and are kept for the next block run in the same thread: a year's flows and what it carries into the next
    live two years at most, and arrays made afresh each year and block had the allocator return the memory and
    fault it in again every time (a fifth of a LAD block's time). Its contents are undefined: the caller writes
    every element before reading any."""
    pool: dict[tuple[Any, ...], np.ndarray] | None = getattr(_YEAR_BUFFERS, "arrays", None)
    if pool is None:
        pool = _YEAR_BUFFERS.arrays = {}
    key = (name, t % 2, shape, np.dtype(dtype))
    array = pool.get(key)
    if array is None:
        if sum(a.nbytes for a in pool.values()) > YEAR_BUFFER_BYTES:  # blocks of other shapes: forget them
            pool.clear()
        array = pool[key] = np.empty(shape, dtype=dtype)
    return array


#: Most bytes of :func:`year_buffer` arrays a thread keeps (a LAD block of 64 draws uses about 20 MB, an LSOA
#: block of 4 draws about 1 MB), so a long-lived server's worker threads hold a bounded amount.
YEAR_BUFFER_BYTES = 64 * 2**20
