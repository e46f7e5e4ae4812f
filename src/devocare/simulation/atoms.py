"""The per-atom part of a year: need, prevention, spend rows built atom by atom, the left shift and
reinvestment spread over atoms — everything the engine computes on (draw, line, atom) arrays before it
aggregates to runs of atoms and budgets.

Two implementations of one interface: :class:`GenericAtoms` on any array-API backend (NumPy, CuPy, JAX),
and :class:`FusedAtoms`, NumPy with the Numba kernels of :mod:`devocare.simulation.fused`, which do the same
arithmetic in the same order in one pass per year (bit-identical results, about a tenth of the memory
traffic). Both keep the state that crosses years: past upstream spend for the prevention lag and the
base-year spend of capped lines.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from devocare.service_lines import UPSTREAM_LINES, index
from devocare.simulation import behaviour, fused, prevention
from devocare.simulation.backend import asarray, expand_runs, segment_sum, set_line, year_buffer
from devocare.simulation.rules import line_mask

NE = index("acute_non_elective")
ELECTIVE = index("acute_elective")
UPSTREAM = line_mask(UPSTREAM_LINES)


@dataclass
class InvestingGroup:
    """A budget group that moves spend upstream (left shift): its lines, upstream lines and coverage."""

    lines: list[int]
    ups: list[int]
    cover: Any  # (A,) share of each sorted atom under the group
    strength: float
    pooled: bool
    from_elective: bool  # the group holds elective care, so the shift comes out of it
    since: int = 0  # the year the group's budgets start (a reform on its date): its shift ramps from then
    weights: list[float] | None = None  # (L,) share of each line the group holds where pots split one; None: 1


@dataclass
class AtomSetup:
    """What the per-atom work of a block needs that does not change between years."""

    xp: Any
    heads: Any  # (projected years, L, A) weighted heads, sorted atoms, backend array
    heads_host: np.ndarray  # the same on the host
    lad_shocks: np.ndarray  # (D, years, LADs) standard normal LAD shocks (host)
    atom_lad: np.ndarray  # (A,) LAD of each sorted atom
    shock_scale: Any  # (D, 1) live × area shock sd
    effect: Any  # (D, 1) prevention effect (zero when prevention is off)
    lag_weights: list[float]
    avoidable_share: Any  # (D, 1)
    unit_cost: Any  # (D, 1) £ per emergency admission
    cof_factor: Any  # (A,) admissions factor of co-financed atoms
    starts: np.ndarray  # first sorted position of each run
    run_of: Any  # (A,) run of each sorted atom (backend)
    run_counts: np.ndarray  # atoms per run
    cap_lines: list[int]
    cap_field: Any  # (L, A) share of each atom-line under a hospital input cap
    cap_rate: Any  # (L, A) the cap's growth rate
    cap_price: Any  # (D, 1) marginal price above the cap
    row_lines: list[int]  # lines whose spend is built atom by atom (caps, left shift), sorted
    investing: list[InvestingGroup]
    shift_rate: Any  # (D,) behaviour.left_shift_rate
    capture: Any  # (D,) behaviour.acute_capture
    up_lines: list[int]
    elective_cap: float = 0.5  # behaviour.max_elective_shift_share


@dataclass
class AtomYear:
    """One year's per-atom results: need after prevention, spend rows built atom by atom, and their sums
    over runs of atoms."""

    demand: Any  # (D, L, A) need after prevention (None where the fused path was told not to keep it)
    demand_lr: Any  # (D, L, runs)
    rows: dict[int, Any]  # line → (D, A) spend built atom by atom
    rows_lr: dict[int, Any]  # line → (D, runs)
    extra_up: Any  # (D, A) extra upstream spend (left shift; reinvestment is added later)
    admissions: Any  # (D, A)
    avoided: Any  # (D, A) £ emergency cost avoided
    counts_lr: Any  # (3, D, runs): admissions, avoided admissions, avoidable admissions


class GenericAtoms:
    """The per-atom part of each year on any array-API backend, one array operation at a time."""

    def __init__(self, s: AtomSetup) -> None:
        self.s = s
        self.history: list[Any] = []  # extra upstream spend of past years, latest first
        self.base_acute: dict[int, Any] = {}
        # (D, years, A) in C order: the gather along the last axis leaves atoms outermost in memory, and every
        # per-atom array of the year would inherit that layout (slower operations, a copy before each sum)
        self.shocks = asarray(s.xp, np.ascontiguousarray(s.lad_shocks[:, :, s.atom_lad]))

    def year(
        self, t: int, ty: int, cost_growth: Any, eff_lr: Any, cut_lr: Any, factor_lr: Any, store: bool = True
    ) -> AtomYear:
        """Need, prevention, spend rows and the left shift of year ``t`` (``ty``: the heads' year);
        ``cost_growth`` is cost per head × growth (D, L), the factors are run-level (D, L, runs) or None.
        Need and spend rows of every atom are always kept here (``store`` matters to :class:`FusedAtoms`)."""
        s, xp = self.s, self.s.xp
        D, A = cost_growth.shape[0], s.heads.shape[2]
        shock = 1.0 + s.shock_scale * self.shocks[:, t, :]  # (D, A)
        if fused.AVAILABLE and isinstance(s.heads, np.ndarray) and isinstance(cost_growth, np.ndarray):
            need = year_buffer("need", (D, *s.heads.shape[1:]), t)  # the same products in one pass
            fused.need_block(s.heads[ty], shock, cost_growth, need)
        else:
            need = s.heads[ty][None, :, :] * shock[:, None, :]  # (D, L, A)
            need *= cost_growth[:, :, None]

        # prevention: lagged extra upstream spend avoids emergency admissions up to the avoidable share
        effective = prevention.lagged_spend(xp, self.history, s.lag_weights) if self.history else xp.zeros((D, A))
        per_unit: Any = None
        if fused.budget_kernels() and isinstance(need, np.ndarray):  # the same arithmetic in one pass
            counted = year_buffer("counted", (4, D, A), t)
            scalars = (fused.contiguous(x).reshape(D) for x in (s.effect, s.avoidable_share, s.unit_cost))
            cof = fused.contiguous(s.cof_factor)
            fused.prevention_atoms(need, NE, fused.contiguous(effective), *scalars, cof, counted)
            admissions, avoided, demand, per_unit = counted[0], counted[3], need, counted[:3]
        else:
            ne = need[:, NE, :]
            ceiling = s.avoidable_share * ne
            avoided = prevention.avoided_cost(xp, effective, s.effect, ceiling)
            admissions = (ne - avoided) / s.unit_cost * s.cof_factor[None, :]
            demand = set_line(xp, need, NE, admissions * s.unit_cost)  # after prevention

        # efficiency and cuts are run-level factors (every atom of a run has the same budgets), so most
        # lines' spend is aggregated as factor × need; only rows changed atom by atom are built per atom
        def expanded(f: Any, j: int) -> Any:
            return expand_runs(xp, f[:, j, :], s.run_of, s.run_counts)

        rows: dict[int, Any] = {}
        for j in s.row_lines:
            row = demand[:, j, :]
            if j in s.cap_lines:
                row = row * expanded(eff_lr, j) if eff_lr is not None else row
                if j not in self.base_acute:
                    self.base_acute[j] = xp.asarray(row, copy=True)
                level = self.base_acute[j] * (1.0 + s.cap_rate[j][None, :]) ** t
                paid = behaviour.capped(xp, row, level, s.cap_price)
                row = row + s.cap_field[j][None, :] * (paid - row)
                row = row * expanded(cut_lr, j) if cut_lr is not None else row
            elif factor_lr is not None:
                row = row * expanded(factor_lr, j)
            rows[j] = row

        # left shift: budgets that keep savings and bear acute cost move spend upstream
        extra_up = xp.zeros((D, A))
        elective_before = rows.get(ELECTIVE)  # before any budget moves spend out of it
        for g in s.investing:
            pot_need = _line_sum(xp, demand, g.lines, g.weights) * g.cover[None, :]
            invest = behaviour.left_shift(pot_need, s.shift_rate, g.strength, s.capture, g.pooled, max(t - g.since, 0))
            total_up = _line_sum(xp, demand, g.ups)
            has = xp.astype(total_up > 0, invest.dtype)
            per = invest * has / xp.where(total_up > 0, total_up, 1.0)
            for j in g.ups:
                rows[j] = rows[j] + per * demand[:, j, :]
            extra_up = extra_up + invest * has
            if g.from_elective and elective_before is not None:
                rows[ELECTIVE] = rows[ELECTIVE] - xp.minimum(invest * has, elective_before * s.elective_cap)

        def runs(x: Any) -> Any:
            return segment_sum(xp, x, s.starts)

        if per_unit is not None:  # admissions, avoided and avoidable admissions summed in one call
            counts = runs(per_unit)  # (3, D, runs)
        else:
            counts = xp.stack([runs(admissions), runs(avoided / s.unit_cost), runs(ceiling / s.unit_cost)], axis=0)
        rows_lr = {j: runs(row) for j, row in rows.items()}
        return AtomYear(demand, runs(demand), rows, rows_lr, extra_up, admissions, avoided, counts)

    def reinvest(self, year: AtomYear, rate_lr: Any) -> None:
        """Add reserves reinvested upstream (a run-level rate × each atom's upstream need) to the year's
        extra upstream spend."""
        s, xp = self.s, self.s.xp
        if fused.AVAILABLE and all(isinstance(x, np.ndarray) for x in (year.extra_up, rate_lr, year.demand, s.run_of)):
            fused.add_reinvested(year.extra_up, rate_lr, year.demand, np.asarray(s.up_lines, dtype=np.int64), s.run_of)
            return  # the same sums in one pass, in place (this year's array, not yet in the history)
        for j in s.up_lines:
            rate = expand_runs(xp, rate_lr[:, j, :], s.run_of, s.run_counts)
            rate *= year.demand[:, j, :]
            year.extra_up += rate  # in place on NumPy: this year's array, not yet in the history

    def end_year(self, year: AtomYear) -> None:
        """Keep the year's extra upstream spend for the prevention lag."""
        self.history = [year.extra_up, *self.history][: len(self.s.lag_weights)]

    def set_scalars(self, values: dict[str, Any]) -> None:
        """This year's per-draw values of dated parameters (fields of :class:`AtomSetup`)."""
        self.s = dataclasses.replace(self.s, **values)

    def use(self, cof_factor: Any, cap_field: Any, cap_rate: Any, covers: list[Any]) -> None:
        """A reform starts: the per-atom fields of the budgets that now exist (history is kept)."""
        investing = [dataclasses.replace(g, cover=c) for g, c in zip(self.s.investing, covers, strict=True)]
        self.s = dataclasses.replace(
            self.s, cof_factor=cof_factor, cap_field=cap_field, cap_rate=cap_rate, investing=investing
        )


class FusedAtoms:
    """The per-atom part of each year on NumPy with the fused Numba kernels (same arithmetic and order as
    :class:`GenericAtoms`, so bit-identical), writing into buffers reused across the block's years."""

    def __init__(self, s: AtomSetup, draws: int) -> None:
        self.s = s
        L, A = s.heads_host.shape[1], s.heads_host.shape[2]
        D = draws
        f64 = fused.contiguous
        self.bounds = np.r_[s.starts, A].astype(np.int64)
        self.atom_lad = f64(s.atom_lad, np.int64)
        self.lad_shocks = f64(s.lad_shocks)
        self.shock_scale = f64(s.shock_scale).reshape(D)
        self.effect = f64(s.effect).reshape(D)
        self.avoidable_share = f64(s.avoidable_share).reshape(D)
        self.unit_cost = f64(s.unit_cost).reshape(D)
        self.cof_factor = f64(s.cof_factor)
        self.row_lines = np.array(s.row_lines, dtype=np.int64)
        caps = [j for j in s.row_lines if j in s.cap_lines]
        self.row_cap = np.array([caps.index(j) if j in caps else -1 for j in s.row_lines], dtype=np.int64)
        self.caps = caps
        self.cap_field = f64(np.asarray(s.cap_field)[caps].reshape(len(caps), A))
        self.cap_rate = f64(np.asarray(s.cap_rate)[caps].reshape(len(caps), A))
        self.cap_base = np.zeros((len(caps), D, A))
        self.cap_price = f64(s.cap_price).reshape(D)
        groups = s.investing
        self.invest_lines = np.array([[j in g.lines for j in range(L)] for g in groups], dtype=np.bool_).reshape(-1, L)
        if any(g.weights is not None for g in groups):  # pots split a line: each group's share of it
            self.invest_lines = np.array(
                [
                    [(g.weights[j] if g.weights is not None else 1.0) if j in g.lines else 0.0 for j in range(L)]
                    for g in groups
                ]
            ).reshape(-1, L)
        self.invest_ups = np.array([[j in g.ups for j in range(L)] for g in groups], dtype=np.bool_).reshape(-1, L)
        self.invest_cover = f64([np.asarray(g.cover) for g in groups]).reshape(len(groups), A)
        self.invest_from_elective = np.array([g.from_elective for g in groups], dtype=np.bool_)
        self.elective_row = s.row_lines.index(ELECTIVE) if ELECTIVE in s.row_lines else -1
        self.up_lines = np.array(s.up_lines, dtype=np.int64)
        # past years' extra upstream spend: year t in slot t % (lags + 1), so this year's slot is never read
        self.lags = len(s.lag_weights)
        self.history = np.zeros((self.lags + 1, D, A))
        self.shape = (D, L, A)
        self.scratch = np.empty((fused.SCRATCH_ROWS, A))
        self.ones_lr = np.ones((D, L, len(s.starts)))
        # need and spend rows: of one run at a time (in cache), or of every atom when the caller keeps them
        longest = int(np.diff(self.bounds).max())
        self.run_buffers = (np.empty((1, L, longest)), np.empty((1, len(s.row_lines), longest)))
        self.atom_buffers: tuple[np.ndarray, np.ndarray] | None = None
        self.need_inputs: tuple[np.ndarray, np.ndarray, np.ndarray] = (np.empty((0, 0)),) * 3

    def year(
        self, t: int, ty: int, cost_growth: Any, eff_lr: Any, cut_lr: Any, factor_lr: Any, store: bool = True
    ) -> AtomYear:
        """As :meth:`GenericAtoms.year`, in one fused pass per draw and run of atoms; need and spend rows of
        every atom are written out only if ``store`` (the caller keeps atom detail), else ``demand`` is None
        and ``rows`` empty, and the run sums are computed from cache."""
        s = self.s
        D, L, A = self.shape
        R = len(s.starts)
        if store and self.atom_buffers is None:
            self.atom_buffers = (np.empty((D, L, A)), np.empty((D, len(s.row_lines), A)))
        demand, rows_all = self.atom_buffers if store and self.atom_buffers is not None else self.run_buffers
        heads = np.ascontiguousarray(s.heads_host[ty])
        lad_shock = np.ascontiguousarray(self.lad_shocks[:, t, :])
        cost_growth = fused.contiguous(cost_growth)
        self.need_inputs = (heads, lad_shock, cost_growth)  # for reinvest
        lags = [(k, w) for k, w in enumerate(s.lag_weights) if k < t and w != 0.0]
        lag_slots = np.array([(t - 1 - k) % (self.lags + 1) for k, _ in lags], dtype=np.int64)
        lag_weights = np.array([w for _, w in lags], dtype=np.float64)
        investing = s.investing
        one = np.ones((1, 1))  # left_shift of a unit pot gives each draw's coefficient
        coef = np.array(
            [
                behaviour.left_shift(one, s.shift_rate, g.strength, s.capture, g.pooled, max(t - g.since, 0))[:, 0]
                for g in investing
            ],
            dtype=np.float64,
        ).reshape(len(investing), D)
        cap_growth = fused.contiguous([(1.0 + self.cap_rate[c][None, :]) ** t for c in range(len(self.caps))]).reshape(
            len(self.caps), A
        )
        demand_lr = np.empty((D, L, R))
        rows_lr = np.empty((D, len(s.row_lines), R))
        counts_lr = np.empty((3, D, R))
        admissions, avoided = np.empty((D, A)), np.empty((D, A))
        extra_up = self.history[t % (self.lags + 1)]
        ones = self.ones_lr
        fused.atom_year(
            heads,
            lad_shock,
            self.atom_lad,
            self.shock_scale,
            cost_growth,
            self.history,
            lag_slots,
            lag_weights,
            self.effect,
            self.avoidable_share,
            self.unit_cost,
            self.cof_factor,
            NE,
            self.bounds,
            self.row_lines,
            self.row_cap,
            ones if eff_lr is None else fused.contiguous(eff_lr),
            ones if cut_lr is None else fused.contiguous(cut_lr),
            ones if factor_lr is None else fused.contiguous(factor_lr),
            self.cap_base,
            cap_growth,
            self.cap_field,
            self.cap_price,
            t == 0,
            self.invest_lines,
            self.invest_ups,
            self.invest_cover,
            coef,
            self.invest_from_elective,
            self.elective_row,
            s.elective_cap,
            store,
            demand,
            demand_lr,
            rows_all,
            rows_lr,
            admissions,
            avoided,
            counts_lr,
            extra_up,
            self.scratch,
            *self.run_buffers,
        )
        rows = {j: rows_all[:, i, :] for i, j in enumerate(s.row_lines)} if store else {}
        rows_by_line = {j: rows_lr[:, i, :] for i, j in enumerate(s.row_lines)}
        counts = counts_lr
        kept = demand if store else None
        return AtomYear(kept, demand_lr, rows, rows_by_line, extra_up, admissions, avoided, counts)

    def reinvest(self, year: AtomYear, rate_lr: Any) -> None:
        """As :meth:`GenericAtoms.reinvest`, in place in one pass."""
        heads, lad_shock, cost_growth = self.need_inputs
        fused.reinvest_atoms(
            year.extra_up,
            fused.contiguous(rate_lr),
            heads,
            lad_shock,
            self.atom_lad,
            self.shock_scale,
            cost_growth,
            self.up_lines,
            self.bounds,
            self.scratch,
        )

    def end_year(self, year: AtomYear) -> None:
        """Nothing to do: the year's extra upstream spend already sits in its history slot."""

    def set_scalars(self, values: dict[str, Any]) -> None:
        """As :meth:`GenericAtoms.set_scalars`, into the kernels' per-draw vectors."""
        self.s = dataclasses.replace(self.s, **values)
        D = self.shape[0]
        for name in ("effect", "avoidable_share", "unit_cost", "shock_scale", "cap_price"):
            if name in values:
                setattr(self, name, fused.contiguous(values[name]).reshape(D))

    def use(self, cof_factor: Any, cap_field: Any, cap_rate: Any, covers: list[Any]) -> None:
        """As :meth:`GenericAtoms.use` (history and the capped lines' base-year spend are kept)."""
        f64, A, n = fused.contiguous, self.shape[2], len(self.caps)
        self.cof_factor = f64(cof_factor)
        self.cap_field = f64(np.asarray(cap_field)[self.caps].reshape(n, A))
        self.cap_rate = f64(np.asarray(cap_rate)[self.caps].reshape(n, A))
        self.invest_cover = f64([np.asarray(c) for c in covers]).reshape(len(covers), A)


def _line_sum(xp: Any, x: Any, lines: list[int], weights: list[float] | None = None) -> Any:
    """Sum of rows ``lines`` of a (draw, line, atom) array: added row by row, or as the total less the rows
    left out when that is fewer additions. With ``weights`` (L,), each row times its weight (a group's share
    of a line pots split), in the same order as :func:`fused._line_total`."""
    n = x.shape[1]
    weight = [1.0] * n if weights is None else weights  # a weight of 1 (or its complement 0) is exact
    if len(lines) > n // 2 + 1:
        total = xp.sum(x, axis=1)
        for j in range(n):
            w = weight[j] if j in lines else 0.0
            if w != 1.0:
                total = total - (1.0 - w) * x[:, j, :]
        return total
    out = x[:, lines[0], :] * weight[lines[0]]
    for j in lines[1:]:
        out = out + x[:, j, :] * weight[j]
    return out
