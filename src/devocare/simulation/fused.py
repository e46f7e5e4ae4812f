"""Fused per-atom kernels for the NumPy backend (Numba), so one year of a block of draws costs about one
pass over its (draw, line, atom) values instead of about eight NumPy passes and allocations.

What they compute is exactly what the engine's array-API path computes (``atoms.GenericAtoms``), in the
same floating-point order, so results are bit-identical: need (:func:`demand.need_cost`'s product, in the
engine's order), prevention (:func:`prevention.lagged_spend` and :func:`prevention.avoided_cost`), spend
built atom by atom for capped and invested lines (:func:`behaviour.capped`, :func:`behaviour.left_shift`
with its coefficient computed by the caller), reinvestment spread over upstream need, and segment sums over
runs of atoms that add each run exactly as ``numpy.add.reduceat`` does (the first value plus NumPy's
pairwise sum of the rest). These mechanics are therefore stated twice: a change to one of those functions
must be made here as well. ``tests/simulation/test_fused.py`` checks that the two paths give identical
arrays for every built-in architecture and factor set (LAD atoms with the kernels forced on, and LSOA
atoms), and ``test_reference.py`` checks the array-API path against the per-atom reference.

Numba is optional: without it (or with ``DEVOCARE_FUSED=0``, or at LAD level where runs hold one or two
atoms) the engine runs the array-API path. The per-budget rules of a year have their own kernels in
:mod:`devocare.simulation.fused_budgets`.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from devocare.paths import configure_numba_cache

configure_numba_cache()  # compiled kernels cached per user, not inside site-packages
njit: Any
try:  # Numba comes with the 'fast' extra; without it the engine uses the array-API path
    from numba import njit
except ImportError:  # pragma: no cover
    njit = None

AVAILABLE = njit is not None
#: NumPy's pairwise summation block (``PW_BLOCKSIZE`` in its loops_utils.h).
_PAIRWISE_BLOCK = 128


#: Mean atoms per run from which the kernels beat NumPy's whole-array operations: they work one run of
#: atoms at a time, and at LAD level (296 atoms in about 160 runs) the per-run overhead outweighs the fusion.
MIN_ATOMS_PER_RUN = 32


def enabled(atoms_per_run: float) -> bool:
    """Whether the engine should use the fused kernels on NumPy: Numba importable and runs long enough, or
    forced with ``DEVOCARE_FUSED=1``; ``DEVOCARE_FUSED=0`` always uses the array-API path."""
    setting = os.environ.get("DEVOCARE_FUSED", "auto")
    if not AVAILABLE or setting == "0":
        return False
    return setting == "1" or atoms_per_run >= MIN_ATOMS_PER_RUN


def budget_kernels() -> bool:
    """Whether the engine runs a year's per-budget rules as the kernels of :mod:`fused_budgets`: Numba
    importable and not switched off with ``DEVOCARE_FUSED=0`` (they pay at any atom count)."""
    return AVAILABLE and os.environ.get("DEVOCARE_FUSED", "auto") != "0"


def _jit(fn: Any) -> Any:
    """Compile with Numba at first use, cached on disk; without Numba the kernels are never called.

    ``error_model="numpy"``: a division by zero gives inf or nan as it does in NumPy (no Python exception
    check per division, which also lets loops vectorise); no fastmath, so every operation rounds as NumPy's.
    """
    return njit(cache=True, nogil=True, error_model="numpy")(fn) if njit is not None else fn


@_jit
def _pairwise(x: Any) -> float:
    """Sum of ``x`` in NumPy's pairwise order (8 accumulators up to 128 values, halves above), so a segment
    sum here equals ``numpy.add.reduceat`` bit for bit."""
    n = x.shape[0]
    if n < 8:
        res = -0.0
        for i in range(n):
            res += x[i]
        return res
    if n <= _PAIRWISE_BLOCK:
        r0, r1, r2, r3, r4, r5, r6, r7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
        one = np.uint64(1)  # unsigned indices: no negative-index check, so the adds can share vector registers
        for block in range(one, np.uint64(n // 8)):
            k = block * np.uint64(8)
            r0 += x[k]
            r1 += x[k + one]
            r2 += x[k + np.uint64(2)]
            r3 += x[k + np.uint64(3)]
            r4 += x[k + np.uint64(4)]
            r5 += x[k + np.uint64(5)]
            r6 += x[k + np.uint64(6)]
            r7 += x[k + np.uint64(7)]
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for i in range(n - n % 8, n):
            res += x[i]
        return res
    half = n // 2
    half -= half % 8
    return _pairwise(x[:half]) + _pairwise(x[half:])


@_jit
def _run_total(x: Any) -> float:
    """``numpy.add.reduceat`` of one run of atoms: its first value plus the pairwise sum of the others."""
    return x[0] + _pairwise(x[1:])


#: Rows of the per-atom scratch array (one draw and run of atoms at a time, so it stays in cache).
SHOCK, EFFECTIVE, AVOIDED_N, AVOIDABLE_N, POT, UP, EXTRA, ELECTIVE_BEFORE = range(8)
SCRATCH_ROWS = 8

# The step functions below work on one draw ``d`` and one run of atoms ``lo:hi`` and index 1-D views of
# it from zero, which lets the compiler drop negative-index checks and vectorise the loops.


@_jit
def _line_total(demand: Any, d: int, lo: int, hi: int, lines: Any, g: int, out: Any) -> None:
    """``out`` = need summed over the lines of ``lines[g]``, in ``atoms._line_sum``'s order: row by row, or
    the sum over all lines less those left out when that is fewer additions. ``lines`` is 0/1, or each
    group's share of a line where pots split one (a row times its share; a 1 or 0 leaves the bits as they
    were)."""
    n_lines = lines.shape[1]
    count = 0
    for j in range(n_lines):
        if lines[g, j]:
            count += 1
    subtract = count > n_lines // 2 + 1
    first = True
    for j in range(n_lines):
        if subtract or lines[g, j]:
            need = demand[d, j, lo:hi]
            w = 1.0 if subtract else 1.0 * lines[g, j]
            for a in range(hi - lo):
                out[a] = need[a] * w if first else out[a] + need[a] * w
            first = False
    if subtract:
        for j in range(n_lines):
            if lines[g, j] != 1:
                need = demand[d, j, lo:hi]
                left = 1.0 - lines[g, j]
                for a in range(hi - lo):
                    out[a] = out[a] - left * need[a]


@_jit
def _need(
    heads: Any,
    lad_shock: Any,
    atom_lad: Any,
    shock_scale: Any,
    cost_growth: Any,
    d: int,
    lo: int,
    hi: int,
    demand: Any,
    dd: int,
    at: int,
    scratch: Any,
) -> None:
    """Need of one draw and run: weighted heads × area shock × cost per head × growth, line by line."""
    n = hi - lo
    shock, lads = scratch[SHOCK, lo:hi], atom_lad[lo:hi]
    for a in range(n):
        shock[a] = 1.0 + shock_scale[d] * lad_shock[d, lads[a]]
    for j in range(demand.shape[1]):
        cost, need, weighted = cost_growth[d, j], demand[dd, j, at : at + n], heads[j, lo:hi]
        for a in range(n):
            need[a] = weighted[a] * shock[a] * cost


@_jit
def _prevent(
    history: Any,
    lag_slots: Any,
    lag_weights: Any,
    effect: float,
    avoidable_share: float,
    unit_cost: float,
    cof_factor: Any,
    ne_line: int,
    d: int,
    lo: int,
    hi: int,
    demand: Any,
    dd: int,
    at: int,
    admissions: Any,
    avoided: Any,
    scratch: Any,
) -> None:
    """Prevention for one draw and run (:func:`prevention.lagged_spend`, :func:`prevention.avoided_cost`):
    lagged extra upstream spend avoids emergency cost up to the avoidable share; the emergency line's need
    becomes admissions × unit cost."""
    n = hi - lo
    effective = scratch[EFFECTIVE, lo:hi]
    effective[:] = 0.0
    for k in range(lag_slots.shape[0]):
        w, past = lag_weights[k], history[lag_slots[k], d, lo:hi]
        for a in range(n):
            effective[a] = w * past[a] if k == 0 else effective[a] + w * past[a]
    ne, adm, cost_avoided, cof = (
        demand[dd, ne_line, at : at + n],
        admissions[d, lo:hi],
        avoided[d, lo:hi],
        cof_factor[lo:hi],
    )
    avoided_n, avoidable_n = scratch[AVOIDED_N, lo:hi], scratch[AVOIDABLE_N, lo:hi]
    # in three loops so that only the exponentials are computed one at a time and the rest vectorises
    for a in range(n):
        ceiling = avoidable_share * ne[a]
        avoidable_n[a] = ceiling  # £ for now, admissions below
        effective[a] = -effect * effective[a] / ceiling  # the exponent
    for a in range(n):
        # no effective spend avoids nothing (exp(0) = 1): skip the exponential, the result is the same
        if avoidable_n[a] > 0 and (effective[a] != 0.0 or not math.isfinite(effective[a])):
            cost_avoided[a] = avoidable_n[a] * (1.0 - math.exp(effective[a]))
        else:
            cost_avoided[a] = 0.0
    for a in range(n):
        ceiling, saved = avoidable_n[a], cost_avoided[a]
        count = (ne[a] - saved) / unit_cost * cof[a]
        ne[a] = count * unit_cost
        adm[a] = count
        avoided_n[a] = saved / unit_cost
        avoidable_n[a] = ceiling / unit_cost


@_jit
def _spend_rows(
    row_lines: Any,
    row_cap: Any,
    eff_lr: Any,
    cut_lr: Any,
    factor_lr: Any,
    cap_base: Any,
    cap_growth: Any,
    cap_field: Any,
    cap_price: float,
    first_year: bool,
    d: int,
    r: int,
    lo: int,
    hi: int,
    demand: Any,
    rows: Any,
    dd: int,
    at: int,
) -> None:
    """Spend rows built atom by atom for one draw and run: under a hospital input cap
    (:func:`behaviour.capped`, between efficiency and cuts), otherwise need × the run's factor."""
    n = hi - lo
    for i in range(row_lines.shape[0]):
        j, c = row_lines[i], row_cap[i]
        need, row = demand[dd, j, at : at + n], rows[dd, i, at : at + n]
        if c >= 0:
            eff, cut = eff_lr[d, j, r], cut_lr[d, j, r]
            base, growth, field = cap_base[c, d, lo:hi], cap_growth[c, lo:hi], cap_field[c, lo:hi]
            for a in range(n):
                spend = need[a] * eff
                if first_year:
                    base[a] = spend
                level = base[a] * growth[a]
                over = max(spend - level, 0.0)
                paid = spend - over + cap_price * over
                spend = spend + field[a] * (paid - spend)
                row[a] = spend * cut
        else:
            factor = factor_lr[d, j, r]
            for a in range(n):
                row[a] = need[a] * factor


@_jit
def _left_shift(
    row_lines: Any,
    invest_lines: Any,
    invest_ups: Any,
    invest_cover: Any,
    invest_coef: Any,
    invest_from_elective: Any,
    elective_row: int,
    elective_cap: float,
    d: int,
    lo: int,
    hi: int,
    demand: Any,
    rows: Any,
    dd: int,
    at: int,
    extra_up: Any,
    scratch: Any,
) -> None:
    """The left shift for one draw and run (:func:`behaviour.left_shift`, coefficient from the caller):
    each investing group moves a share of its pot's need to its upstream lines, in proportion to their need,
    out of elective care where it holds it (at most ``elective_cap`` of it); the moved £ is extra upstream
    spend."""
    n = hi - lo
    pot, up, extra, before = scratch[POT, lo:hi], scratch[UP, lo:hi], extra_up[d, lo:hi], scratch[ELECTIVE_BEFORE]
    extra[:] = 0.0
    if elective_row >= 0:
        before[lo:hi] = rows[dd, elective_row, at : at + n]
    for g in range(invest_lines.shape[0]):
        _line_total(demand, dd, at, at + n, invest_lines, g, pot)
        _line_total(demand, dd, at, at + n, invest_ups, g, up)
        coef, cover = invest_coef[g, d], invest_cover[g, lo:hi]
        for a in range(n):
            invest = coef * (pot[a] * cover[a])
            total_up = up[a]
            moved = invest * (1.0 if total_up > 0 else 0.0)
            pot[a] = moved  # now the £ moved
            up[a] = moved / (total_up if total_up > 0 else 1.0)  # now £ moved per £ of upstream need
            extra[a] = extra[a] + moved
        for i in range(row_lines.shape[0]):
            j = row_lines[i]
            if invest_ups[g, j]:
                row, need = rows[dd, i, at : at + n], demand[dd, j, at : at + n]
                for a in range(n):
                    row[a] = row[a] + up[a] * need[a]
        if invest_from_elective[g] and elective_row >= 0:
            row, was = rows[dd, elective_row, at : at + n], before[lo:hi]
            for a in range(n):
                row[a] = row[a] - min(pot[a], was[a] * elective_cap)


@_jit
def _run_totals(
    d: int,
    r: int,
    lo: int,
    hi: int,
    dem: Any,
    rws: Any,
    dd: int,
    at: int,
    admissions: Any,
    scratch: Any,
    demand_lr: Any,
    rows_lr: Any,
    counts_lr: Any,
) -> None:
    """Every per-atom quantity of draw ``d`` summed over run ``r`` (need, spend rows, admissions and those
    avoided and avoidable), in ``numpy.add.reduceat``'s order, so the budget stage reads runs, not atoms."""
    n = hi - lo
    for j in range(demand_lr.shape[1]):
        demand_lr[d, j, r] = _run_total(dem[dd, j, at : at + n])
    for i in range(rws.shape[1]):
        rows_lr[d, i, r] = _run_total(rws[dd, i, at : at + n])
    counts_lr[0, d, r] = _run_total(admissions[d, lo:hi])
    counts_lr[1, d, r] = _run_total(scratch[AVOIDED_N, lo:hi])
    counts_lr[2, d, r] = _run_total(scratch[AVOIDABLE_N, lo:hi])


@_jit
def atom_year(
    # need: heads (L, A) of the year, LAD shocks (D, LADs) of the year, atom → LAD, live × shock sd (D,),
    # cost per head × growth (D, L)
    heads: Any,
    lad_shock: Any,
    atom_lad: Any,
    shock_scale: Any,
    cost_growth: Any,
    # prevention: upstream spend of past years (H, D, A), slots and weights of the lags used, effect,
    # avoidable share, unit cost (D,), co-financing admissions factor (A,), the emergency line
    history: Any,
    lag_slots: Any,
    lag_weights: Any,
    effect: Any,
    avoidable_share: Any,
    unit_cost: Any,
    cof_factor: Any,
    ne_line: int,
    # runs: bounds (runs + 1,); rows: their lines, cap index or -1, run-level factors (D, L, runs)
    bounds: Any,
    row_lines: Any,
    row_cap: Any,
    eff_lr: Any,
    cut_lr: Any,
    factor_lr: Any,
    # hospital caps: base-year spend (caps, D, A), growth to year t (caps, A), share capped (caps, A),
    # marginal price (D,), whether this year sets the base
    cap_base: Any,
    cap_growth: Any,
    cap_field: Any,
    cap_price: Any,
    first_year: bool,
    # left shift per investing group: pot lines and upstream lines (G, L), coverage (G, A), coefficient
    # rate × (t + 1) × strength × kept share (G, D), whether the shift comes out of elective care; elective row
    # and the largest share of it moved
    invest_lines: Any,
    invest_ups: Any,
    invest_cover: Any,
    invest_coef: Any,
    invest_from_elective: Any,
    elective_row: int,
    elective_cap: float,
    # outputs; need and spend rows of every atom only when ``store``, else those of one run at a time
    store: bool,
    demand: Any,
    demand_lr: Any,
    rows: Any,
    rows_lr: Any,
    admissions: Any,
    avoided: Any,
    counts_lr: Any,
    extra_up: Any,
    scratch: Any,
    run_demand: Any,
    run_rows: Any,
) -> None:
    """One year's per-atom work for a block of draws, one draw and run of atoms at a time (so each step
    reads what the previous one wrote from cache): need, prevention, spend rows, left shift, then every
    per-atom quantity summed over the run. Need and spend rows go to ``demand`` and ``rows`` (D, ·, A) if
    ``store``, else to ``run_demand`` and ``run_rows`` (1, ·, longest run), which stay in cache."""
    D = cost_growth.shape[0]
    dem, rws = (demand, rows) if store else (run_demand, run_rows)
    for d in range(D):
        for r in range(bounds.shape[0] - 1):
            lo, hi = bounds[r], bounds[r + 1]
            dd, at = (d, lo) if store else (0, 0)  # where this draw and run sit in ``dem`` and ``rws``
            _need(heads, lad_shock, atom_lad, shock_scale, cost_growth, d, lo, hi, dem, dd, at, scratch)
            _prevent(
                history,
                lag_slots,
                lag_weights,
                effect[d],
                avoidable_share[d],
                unit_cost[d],
                cof_factor,
                ne_line,
                d,
                lo,
                hi,
                dem,
                dd,
                at,
                admissions,
                avoided,
                scratch,
            )
            _spend_rows(
                row_lines,
                row_cap,
                eff_lr,
                cut_lr,
                factor_lr,
                cap_base,
                cap_growth,
                cap_field,
                cap_price[d],
                first_year,
                d,
                r,
                lo,
                hi,
                dem,
                rws,
                dd,
                at,
            )
            _left_shift(
                row_lines,
                invest_lines,
                invest_ups,
                invest_cover,
                invest_coef,
                invest_from_elective,
                elective_row,
                elective_cap,
                d,
                lo,
                hi,
                dem,
                rws,
                dd,
                at,
                extra_up,
                scratch,
            )
            _run_totals(d, r, lo, hi, dem, rws, dd, at, admissions, scratch, demand_lr, rows_lr, counts_lr)


@_jit
def reinvest_atoms(
    extra_up: Any,
    rate_lr: Any,
    heads: Any,
    lad_shock: Any,
    atom_lad: Any,
    shock_scale: Any,
    cost_growth: Any,
    up_lines: Any,
    bounds: Any,
    scratch: Any,
) -> None:
    """Add reserves reinvested upstream to each atom's extra upstream spend, in place: the run's rate on a
    line × the atom's need on it, line by line (the engine's ``extra_up + rate × need`` order). Upstream need
    is recomputed as :func:`_need` computes it (prevention changes only the emergency line), so it need
    not be kept for every atom."""
    for d in range(extra_up.shape[0]):
        for r in range(bounds.shape[0] - 1):
            lo, hi = bounds[r], bounds[r + 1]
            extra, shock, lads = extra_up[d, lo:hi], scratch[SHOCK, lo:hi], atom_lad[lo:hi]
            for a in range(hi - lo):
                shock[a] = 1.0 + shock_scale[d] * lad_shock[d, lads[a]]
            for j in up_lines:
                rate, cost, weighted = rate_lr[d, j, r], cost_growth[d, j], heads[j, lo:hi]
                for a in range(hi - lo):
                    extra[a] = extra[a] + rate * (weighted[a] * shock[a] * cost)


@_jit
def segment_sums(x: Any, bounds: Any, out: Any) -> None:
    """``numpy.add.reduceat`` over runs of the last axis of a (rows, atoms) array, bit for bit: run ``r`` of
    row ``n`` is atoms ``bounds[r]:bounds[r + 1]``. NumPy calls its inner loop once per run and row, which at
    LAD level (296 atoms in 165 runs) costs more than the adds; this loop does not."""
    for n in range(x.shape[0]):
        for r in range(bounds.shape[0] - 1):
            lo, hi = bounds[r], bounds[r + 1]
            if hi - lo <= 8:  # the rest is under NumPy's 8-way block: added one by one from -0.0, inline
                rest = -0.0
                for k in range(lo + 1, hi):
                    rest += x[n, k]
                out[n, r] = x[n, lo] + rest
            else:
                out[n, r] = _run_total(x[n, lo:hi])


@_jit
def need_block(heads: Any, shock: Any, cost_growth: Any, out: Any) -> None:
    """``out[d, j, a] = heads[j, a] × shock[d, a] × cost_growth[d, j]``, multiplied in that order as the
    array-API path's two whole-array products are: need of a block of draws in one pass, no temporary."""
    for d in range(out.shape[0]):
        sh = shock[d]
        for j in range(out.shape[1]):
            cost, weighted, need = cost_growth[d, j], heads[j], out[d, j]
            for a in range(out.shape[2]):
                need[a] = weighted[a] * sh[a] * cost


@_jit
def add_reinvested(extra_up: Any, rate_lr: Any, demand: Any, up_lines: Any, run_of: Any) -> None:
    """``extra_up += rate × need`` line by line over ``up_lines``, each atom taking its run's rate: what
    :meth:`atoms.GenericAtoms.reinvest` does with a repeat, a product and a sum per line, in one pass."""
    for d in range(extra_up.shape[0]):
        extra = extra_up[d]
        for j in up_lines:
            rate, need = rate_lr[d, j], demand[d, j]
            for a in range(extra.shape[0]):
                extra[a] = extra[a] + rate[run_of[a]] * need[a]


@_jit
def csr_rows(x: Any, indptr: Any, indices: Any, data: Any, out: Any) -> None:
    """``out = x @ M.T`` for a CSR matrix ``M`` (indptr, indices, data) and a (rows, inputs) array ``x``: each
    output adds its entries one after another from zero, in stored order, as SciPy's ``csr_matvecs`` does,
    so the bits are the same. Why: the SciPy product wants the inputs as rows, so the (rows, inputs) arrays
    of a year had to be transposed into copies and the result copied back; this reads them in place, four
    rows at a time so that four independent sums are in flight."""
    n_rows, n_out = x.shape[0], indptr.shape[0] - 1
    top = n_rows - n_rows % 4
    for n in range(0, top, 4):
        r0, r1, r2, r3 = x[n], x[n + 1], x[n + 2], x[n + 3]
        for o in range(n_out):
            a0 = a1 = a2 = a3 = 0.0
            for k in range(indptr[o], indptr[o + 1]):
                w, j = data[k], indices[k]
                a0 += w * r0[j]
                a1 += w * r1[j]
                a2 += w * r2[j]
                a3 += w * r3[j]
            out[n, o], out[n + 1, o], out[n + 2, o], out[n + 3, o] = a0, a1, a2, a3
    for n in range(top, n_rows):
        row = x[n]
        for o in range(n_out):
            acc = 0.0
            for k in range(indptr[o], indptr[o + 1]):
                acc += data[k] * row[indices[k]]
            out[n, o] = acc


def contiguous(x: Any, dtype: Any = np.float64) -> np.ndarray:
    """A C-contiguous host array of ``dtype``, so every call compiles to one signature."""
    return np.ascontiguousarray(np.asarray(x, dtype=dtype))


@_jit
def prevention_atoms(
    need: Any,  # (D, L, A), its emergency line replaced in place by the cost after prevention
    ne_line: int,
    effective: Any,  # (D, A) lagged extra upstream spend
    effect: Any,  # (D,)
    avoidable_share: Any,  # (D,)
    unit_cost: Any,  # (D,)
    cof_factor: Any,  # (A,)
    out: Any,  # (4, D, A): admissions, avoided and avoidable admissions, avoided cost
) -> None:
    """:meth:`atoms.GenericAtoms.year`'s prevention on NumPy in one pass: the avoidable ceiling, cost avoided
    (:func:`prevention.avoided_cost`), admissions, the emergency line after prevention, and the three counts
    the run sums read, in the array-API path's order."""
    for d in range(need.shape[0]):
        ne, cost = need[d, ne_line], unit_cost[d]
        for a in range(need.shape[2]):
            ceiling = avoidable_share[d] * ne[a]
            avoided = ceiling * (1.0 - math.exp(-effect[d] * effective[d, a] / ceiling)) if ceiling > 0 else 0.0
            admissions = (ne[a] - avoided) / cost * cof_factor[a]
            out[0, d, a], out[1, d, a], out[2, d, a] = admissions, avoided / cost, ceiling / cost
            out[3, d, a] = avoided
            ne[a] = admissions * cost
