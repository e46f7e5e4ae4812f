"""The engine: one block of draws through every year of an architecture's money rules.

Arrays are (draw, line, atom) inside a year and (draw, year, budget) on output; the only Python loops are
over years and over the few budgets that invest upstream (never over atoms, budgets or draws). Atoms are
ordered in runs of identical membership, so aggregating to budgets is a segment sum over runs and a small
run × budget product. Code uses the array API standard (NumPy 2's own namespace, or CuPy / JAX through
``array_api_compat``).

A year is the named steps of :data:`devocare.simulation.steps.STEPS`, run in order over typed state
(:mod:`devocare.simulation.state`), then :meth:`Outputs.record`. This module prepares what does not depend
on the draws (:func:`prepare`), sets up a block and runs the steps.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any, TypeVar

import numpy as np

from devocare.service_lines import LINE_IDS, POPULATION_LINE, base_year_spend, index
from devocare.simulation import (
    balance,
    cofinancing,
    demand,
    funding,
    fused,
    fused_budgets,
    membership,
    prevention,
    transition,
)
from devocare.simulation import phases as phases_mod
from devocare.simulation.atoms import (
    ELECTIVE,
    UPSTREAM,
    AtomSetup,
    FusedAtoms,
    GenericAtoms,
    InvestingGroup,
)
from devocare.simulation.backend import HeldLines, RunMatrix, asarray, expand_runs, is_numpy, segment_sum, to_numpy
from devocare.simulation.inputs import Inputs
from devocare.simulation.parameters import YEARS_SUFFIX, defaults
from devocare.simulation.rules import CRITERIA, Rules, acute_mask
from devocare.simulation.state import Block, BudgetRules, Carried, Flows
from devocare.simulation.steps import CONSERVATION_TOLERANCE, STEPS, ConservationError, row_sums

__all__ = ["CONSERVATION_TOLERANCE", "STEPS", "ConservationError", "FACTORS", "BUDGET_MEASURES", "run_block"]

POP = index(POPULATION_LINE)  # the line whose need basis is plain population
FACTORS = (
    "demography",
    "non_demographic_growth",
    "prevention",
    "co_financing",
    "incentives",
    "hospital_caps",
    "behaviour",
)
BUDGET_MEASURES = (
    "allocated",
    "grant",
    "incentive_fund",
    "incentive_paid",
    "spent",
    "transfers_in",
    "transfers_out",
    "reserves",
    "reserve_change",
    "returned",
    "deficit_support",
    "need",
    "unmet_need",
    "admissions",
    "floor_breached",
    "intervention",
    "intervention_deficit",
    "intervention_floor",
    "transition_cost",
    "handed_over",
    "taken_over",
)
#: The transition-cost parameters the engine reads per draw.
TRANSITION = (
    "transition.redundancy",
    "transition.reorganisation",
    "transition.double_running",
    "transition.years",
    "transition.running_cost_saving",
    "transition.cost_per_head",
    "transition.redundancy_per_head",
)
#: Non-demographic growth parameters (``demand.non_demographic_growth.<group>``), in array order.
GROWTH_GROUPS = ("nhs", "adult_social_care", "local_services")
#: Demographic growth parameters: population beyond the projection, ageing.
DEMOGRAPHY = ("demand.population_growth_after_projection", "demand.ageing_growth")
#: The per-atom stage's per-draw values and the parameters they are read from (a dated one changes them).
ATOM_SCALARS = {
    "effect": "prevention.effect",
    "avoidable_share": "admissions.avoidable_share",
    "unit_cost": "admissions.unit_cost",
    "shock_scale": "demand.area_shock_sd",
    "cap_price": "behaviour.cap_marginal_price",
    "shift_rate": "behaviour.left_shift_rate",
    "capture": "behaviour.acute_capture",
}
#: Per-atom totals kept for every draw at LAD level, to give each atom's mean and percentiles.
ATOM_DRAW_MEASURES = ("allocated", "spent", "admissions", "reserves")


@dataclass
class DrawValues:
    """Sampled inputs for a block of draws (host NumPy): scalar parameters, area shocks, criteria noise."""

    draws: np.ndarray  # (D,) draw numbers (0 = central run)
    scalars: dict[str, np.ndarray]  # parameter path → (D,)
    shocks: np.ndarray  # (D, years, LADs) standard normal (zero for the central run)
    criteria_noise: np.ndarray  # (D, years, budgets, 3): readmission normal, telemedicine u, IT u
    central: np.ndarray  # (D,) True for draw 0


@dataclass
class BlockResult:
    """Outputs of one block: per-budget measures, national series, and atom detail for the central draw."""

    draws: np.ndarray
    budget: dict[str, np.ndarray]  # measure → (D, years, budgets)
    national: dict[str, np.ndarray]  # measure → (D, years) or (D, years, lines)
    atoms: dict[str, np.ndarray] = field(default_factory=dict)  # measure → (years, atoms[, lines]), draw 0 only
    max_gap: float = 0.0
    atom_draws: dict[str, np.ndarray] = field(default_factory=dict)  # measure → (D, years, atoms): LAD runs only


@dataclass
class Prepared:
    """Everything a block needs that does not depend on the draws: atoms ordered in runs of identical
    membership, the run × budget membership matrix, per-budget rules and the allocation by year."""

    perm: np.ndarray  # sorted position → original atom index
    inverse: np.ndarray  # original atom index → sorted position
    starts: np.ndarray  # first sorted position of each run
    run_of: np.ndarray  # (A,) run of each sorted atom
    M: np.ndarray  # (runs, budgets) membership share of each run's atoms in each budget
    heads: np.ndarray  # (projected years, L, A) in sorted atom order
    atom_lad: np.ndarray  # (A,) LAD index of each sorted atom
    holds: np.ndarray  # (L, B) budget b holds line l
    vec: dict[str, np.ndarray]  # per-budget rule vectors (B,)
    criteria: np.ndarray  # (B, criteria)
    weight: dict[str, np.ndarray]  # per rule set: (A,) sorted
    alloc_b: np.ndarray  # (years, B) allocation per budget before rebasing
    fund_b: np.ndarray  # (years, B) top slice held back for the incentive fund
    alloc_atoms: np.ndarray  # (years, L, A) allocation per atom and line (sorted)
    envelope: np.ndarray  # (years,) total allocated
    cof: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]  # rs, lines, payer (B,), receiver (B,), share
    reb: list[tuple[str, np.ndarray, np.ndarray, float, int]]  # rs, toward (B,), away (B,), share, years
    pool_out: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) pooled fund paid
    pool_in: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) pooled fund received
    grant_b: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) block grant (allocation engine)
    grant_own: np.ndarray = field(
        default_factory=lambda: np.zeros((0, 0))
    )  # the same in every year (Funding.own_rules)
    transition_share: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) who pays transition
    tiers: tuple[str, ...] = ()  # (B,) each budget's tier: what deficit support limit applies
    reform_start: Any = None  # date the architecture's new bodies start (None: no reorganisation)
    planned_steps: tuple[Any, ...] = ()  # the architecture's headcount and running-cost steps
    #: a reform on its start date: the year its budgets take over (None: one phase), the arrays of each phase
    #: (before, from the start) and the (B, B) handover of ceasing budgets' balances, (B,) those to the centre
    switch: int | None = None
    phase_starts: tuple[int, ...] = ()  # the years a phase starts (a reform's start, a pot's date)
    #: each phase's arrays, in time order (phase 0 from the base year); the per-atom fields live only here
    phases: list[Phase] = field(default_factory=list)
    handover: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    to_centre: np.ndarray = field(default_factory=lambda: np.zeros(0))
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)  # the run's (Shared)


@dataclass
class Phase:
    """What changes when a reform starts: the budgets that exist, so membership, held lines and the
    per-atom fields of their rules."""

    live: np.ndarray  # (B,) bool
    M: np.ndarray  # (runs, budgets) membership of the budgets that exist
    holds: np.ndarray  # (L, B)
    eff_runs: np.ndarray  # (L, runs)
    #: ``eff_runs`` split by the year its budgets' clocks start: ((start, (L, runs)), ...), one per start
    eff_clocks: tuple[tuple[int, np.ndarray], ...]
    cap_field: np.ndarray  # (L, A)
    cap_rate: np.ndarray  # (L, A)
    cover: list[np.ndarray]  # per group: (A,) share of each sorted atom under the group (0 where it does not exist)
    cof_cover: np.ndarray  # (A,)
    #: ``M`` and the held (line, budget) pairs on each backend, built on first use (a phase is shared by the
    #: factor sets that read it alike)
    run_matrix: dict[str, RunMatrix] = field(default_factory=dict, compare=False, repr=False)
    held_lines: dict[str, HeldLines] = field(default_factory=dict, compare=False, repr=False)


def pooled_growth(fixed: dict[str, Any], years: int) -> list[float]:
    """Growth of a pooled fund from the base year to each year: with the envelope, ``funding.real_growth``
    (the rate in force each year where it is dated)."""
    rates = fixed.get("funding.real_growth" + YEARS_SUFFIX)
    if rates is None:
        return [(1.0 + float(fixed["funding.real_growth"])) ** t for t in range(years)]
    return [float(np.prod([1.0 + float(r) for r in rates[1 : t + 1]])) for t in range(years)]


def pooled_amounts(fixed: dict[str, Any], amount: float, parameter: str | None, years: int) -> list[float]:
    """£ a pooled fund moves in each year: its amount (or its £bn parameter's value in force that year, a
    dated value or override included) grown with the envelope from the year that value took effect."""
    growth = pooled_growth(fixed, years)
    if parameter is None:
        return [amount * g for g in growth]
    values = fixed.get(parameter + YEARS_SUFFIX) or [fixed[parameter]] * years
    out = []
    for t in range(years):
        since = t
        while since > 0 and values[since - 1] == values[t]:
            since -= 1
        out.append(float(values[t]) * 1e9 * growth[t] / growth[since])
    return out


def _runs(H: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order atoms so that atoms with identical membership rows sit together; return the permutation,
    run starts, the run of each sorted atom and the distinct rows."""
    rows, inverse = _distinct(H)
    return _ordered(inverse, rows)


def _distinct(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``H`` in the order of their bytes, and each row's place among them."""
    contiguous = np.ascontiguousarray(H)
    keys = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return contiguous[first], np.asarray(inverse).ravel()


def _ordered(inverse: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    perm = np.argsort(inverse, kind="stable")
    run_of = inverse[perm]
    starts = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1]])
    return perm, starts, run_of, rows


def _runs_sparse(rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_runs` of the membership matrix from its CSR parts, without building or sorting the dense
    (atoms × budgets) rows: at LSOA level 34 thousand rows of 603 budgets fall into under 200 distinct rows
    of at most a few non-zeros. Atoms are grouped by an exact-integer hash of their non-zeros, every atom is
    checked against its group's first atom value for value, and only the distinct rows are sorted as
    :func:`_runs` sorts them, so the result is the same arrays. None where that check cannot be exact (a
    negative zero, which the CSR parts drop) or fails (a hash collision): use :func:`_runs`."""
    from scipy import sparse

    if any(np.signbit(g.H).any() for g in rules.groups):
        return None
    S = sparse.csr_array(sparse.hstack([g.sparse() for g in rules.groups], format="csr"))
    S.sum_duplicates()
    nnz = np.diff(S.indptr)
    bits = S.data.view(np.uint64)
    keys = [nnz.astype(np.uint64)]
    for m in np.random.default_rng(0).integers(1, 2**63, size=(2, S.shape[1]), dtype=np.uint64) | np.uint64(1):
        sums = np.concatenate([[np.uint64(0)], np.cumsum(bits * m[S.indices], dtype=np.uint64)])
        keys.append(sums[S.indptr[1:]] - sums[S.indptr[:-1]])  # Σ of the row's terms, modulo 2^64
    _, rep, group = np.unique(np.stack(keys, axis=1), axis=0, return_index=True, return_inverse=True)
    group = np.asarray(group).ravel()
    distinct = S[rep].toarray()  # (groups, B): each group's first atom's row
    row_of_entry = np.repeat(group, nnz)
    if not np.array_equal(distinct[row_of_entry, S.indices].view(np.uint64), bits):
        return None
    rows, rank = _distinct(distinct)
    return _ordered(rank[group], rows)


_RUNS: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _runs_of(rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    key = (id(rules), rules.digest, rules.atom_level, rules.n_budgets)
    runs = _RUNS.get(key)  # read once: another thread (a parallel sweep) may clear the cache meanwhile
    if runs is None:
        if len(_RUNS) > 16:
            _RUNS.clear()
        runs = _runs_sparse(rules)
        if runs is None:
            runs = _runs(np.hstack([g.H for g in rules.groups]))
        _RUNS[key] = runs
    return runs


@dataclass(frozen=True)
class Shared:
    """The draw- and factor-independent arrays of a run in sorted atom order. Every factor set's
    :class:`Prepared` holds these same arrays, so nothing may write into them (nothing does)."""

    heads: np.ndarray  # (projected years, L, A)
    base_heads: np.ndarray  # (1, L, A): the base year's heads (demography off)
    cover: list[np.ndarray]  # per group: (A,)
    weight: dict[str, np.ndarray]  # per rule set: (A,)
    atom_grants: dict[str, np.ndarray]  # per rule set: (years, L, A) block grant per atom and line
    alloc_atoms: np.ndarray  # (years, L, A) allocation per atom and line
    envelope: np.ndarray  # (years,) total allocated
    handover: np.ndarray  # (B, B) where each ceasing budget's balance goes at a reform's start
    to_centre: np.ndarray  # (B,) 1 where it goes to the centre
    #: pieces of a factor set's preparation that depend on only some factors, built once per run by
    #: :func:`_memo` (the waterfall's 2^k factor sets share them)
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)


CofTerm = tuple[str, np.ndarray, np.ndarray, np.ndarray, float]
RebTerm = tuple[str, np.ndarray, np.ndarray, float, int]
T = TypeVar("T")


def _memo(memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()`` once per run (``memo`` is its :attr:`Shared.memo`) for ``key`` (what the piece depends on:
    its name and the factors or backend it reads), then the same (read-only) value for every factor set of
    the run's waterfall and every block."""
    value = memo.get(key)
    if value is None:
        value = memo[key] = build()
    return value


def prepare(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int, factors: frozenset[str]) -> Prepared:
    """Build the draw-independent arrays of a run (host NumPy)."""
    on = factors.__contains__
    groups = rules.groups
    perm, starts, run_of, M = _runs_of(rules)
    shared = _shared(inputs, rules, fixed, years)
    heads = shared.heads if on("demography") else shared.base_heads
    holds, vec, criteria = _budget_vectors(rules, on)
    # products summed in a fixed order, whatever the BLAS thread count
    M_sparse = _memo(shared.memo, ("csr",), lambda: membership.csr(M))
    group_of = vec["group"].astype(int)
    cof = _cofinancing_terms(rules, group_of, on)
    # a line capped in either phase is built atom by atom in both (its cap field is zero where none applies);
    # a phase reads the caps, behaviour and co-financing factors, the allocations co-financing and incentives,
    # pooled transfers demography (their heads): each is built once per combination of those
    reads = (on("hospital_caps"), on("behaviour"), on("co_financing"))
    phases = [
        _memo(shared.memo, ("phase", t, *reads), partial(_phase, rules, t, M, holds, vec, run_of, shared, cof, on))
        for t in _phase_starts(rules)
    ]
    grants = _grants(inputs, rules, fixed, years)
    alloc_b, fund_b = _memo(
        shared.memo,
        ("allocations", on("co_financing"), on("incentives")),
        lambda: _allocations(rules, years, grants, shared, M_sparse, starts, cof, on),
    )
    pool_out, pool_in = _memo(
        shared.memo,
        ("pooled", on("demography")),
        lambda: _pooled_transfers(rules, fixed, years, heads, M_sparse, starts, group_of),
    )
    return Prepared(
        perm,
        _memo(shared.memo, ("inverse",), lambda: np.argsort(perm)),
        starts,
        run_of,
        M,
        heads,
        inputs.atom_lad[perm],
        holds,
        vec,
        criteria,
        shared.weight,
        alloc_b,
        fund_b,
        shared.alloc_atoms,
        shared.envelope,
        cof,
        _rebasing_terms(rules, group_of),
        tiers=tuple(g.tier for g in groups for _ in range(g.n)),
        pool_out=pool_out,
        pool_in=pool_in,
        grant_b=grants.allocated,
        grant_own=grants.allocated if grants.own_rules is None else grants.own_rules,
        transition_share=transition.shares(
            grants.allocated,
            np.array(
                [phases_mod.architecture_of(g.architecture) == rules.architecture for g in groups for _ in range(g.n)]
            ),
        ),
        reform_start=transition.reform_start(rules.archs.get(rules.architecture)),
        planned_steps=transition.planned_steps(rules.archs.get(rules.architecture)),
        switch=rules.switch,
        phase_starts=tuple(rules.starts),
        phases=phases,
        handover=shared.handover,
        to_centre=shared.to_centre,
        memo=shared.memo,
    )


def _budget_vectors(rules: Rules, on: Any) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Each budget's held lines (L, B), rule vectors (B,) and incentive criteria (B, criteria): the group's
    rules copied to every budget of the group, so a year reads them per budget."""
    B, Lc = rules.n_budgets, len(LINE_IDS)
    split = any(g.shares is not None for g in rules.groups)  # pots split a line: each budget's share of it
    holds = np.zeros((Lc, B), dtype=float if split else bool)
    vec = {k: np.zeros(B) for k in ("sr", "obl", "top", "strength", "pooled", "has_up", "group", "corridor_share")}
    vec["corridor"] = np.full(B, np.inf)
    criteria = np.zeros((B, len(CRITERIA)), dtype=bool)
    vec["to_tier"] = np.zeros(B)
    for gi, g in enumerate(rules.groups):
        sl = slice(g.offset, g.offset + g.n)
        holds[:, sl] = (g.weights if split else g.lines)[:, None]
        vec["sr"][sl], vec["obl"][sl], vec["top"][sl] = g.savings_retained, g.overspend_borne_locally, g.top_slice
        vec["strength"][sl], vec["pooled"][sl] = g.incentive_strength, float(g.pooled)
        vec["has_up"][sl], vec["group"][sl] = float((g.lines & UPSTREAM).any()), gi
        criteria[sl] = g.criteria
        vec["to_tier"][sl] = float(g.unpaid_to_tier)
        if g.corridor is not None:
            vec["corridor"][sl], vec["corridor_share"][sl] = g.corridor
    if not on("incentives"):
        vec["top"][:] = 0.0
    return holds, vec, criteria


def _cofinancing_terms(rules: Rules, group_of: np.ndarray, on: Any) -> list[CofTerm]:
    """Per co-financing rule set: its lines and the payer's and receiver's budgets as (B,) masks, and the share
    paid (none when the factor is off, so the run has no co-financing at all)."""
    if not on("co_financing"):
        return []
    return [
        (rs, c.lines, (group_of == c.payer).astype(float), (group_of == c.receiver).astype(float), c.share)
        for rs, c in rules.cofinancing.items()
    ]


def _rebasing_terms(rules: Rules, group_of: np.ndarray) -> list[RebTerm]:
    """Per rebasing rule set: the budgets allocation moves toward and away from as (B,) masks, the share of
    the activity shift moved and the settlement years it waits for."""
    return [
        (
            rs,
            (group_of == r.toward).astype(float),
            (group_of == r.away).astype(float),
            r.share,
            rules.groups[r.toward].settlement_years,
        )
        for rs, r in rules.rebasing.items()
    ]


def _phase_starts(rules: Rules) -> list[int]:
    """The years the set of budgets changes: the base year, and a reform's start where there is one."""
    return [0, *rules.starts]


def _phase(
    rules: Rules,
    t: int,
    M: np.ndarray,
    holds: np.ndarray,
    vec: dict[str, np.ndarray],
    run_of: np.ndarray,
    shared: Shared,
    cof: list[CofTerm],
    on: Any,
) -> Phase:
    """The arrays of the budgets that exist in year ``t``."""
    groups, Lc, A = rules.groups, len(LINE_IDS), len(run_of)
    live = rules.active(t)
    Mp, held = M * live[None, :], holds * live[None, :]
    Mp_sparse = membership.csr(Mp)  # products summed in a fixed order, whatever the BLAS thread count

    def to_runs(per_budget: np.ndarray) -> np.ndarray:  # (L, B) → (L, runs): Σ_b M[r, b] x[l, b]
        return membership.to_atoms(Mp_sparse, per_budget.T).T

    def to_atoms(per_budget: np.ndarray) -> np.ndarray:  # (L, B) → (L, A): Σ_b H[a, b] x[l, b]
        return to_runs(per_budget)[:, run_of]

    capped = np.array([g.hospital_input_cap is not None for g in groups for _ in range(g.n)])
    caps = np.array([g.hospital_input_cap or 0.0 for g in groups for _ in range(g.n)])
    acute = acute_mask()[:, None]
    cap_on = on("hospital_caps") and capped.any()
    eff = to_runs(held * (vec["sr"] * vec["obl"])[None, :]) if on("behaviour") else np.zeros((Lc, len(M)))
    eff_clocks = (
        _efficiency_clocks(rules, live, eff, lambda mask: to_runs(held * (vec["sr"] * vec["obl"] * mask)[None, :]))
        if on("behaviour")
        else ((0, eff),)
    )
    none = np.zeros((Lc, A))
    cof_cover = np.zeros(A)
    for rs, *_ in cof:
        cof_cover += shared.weight[rs] * float(rules.runs_in(rs, t))
    return Phase(
        live,
        Mp,
        held,
        eff,
        eff_clocks,
        to_atoms(held * acute * capped[None, :]) if cap_on else none,
        to_atoms(held * acute * caps[None, :]) if cap_on else none,
        [c * float(rules.live(gi, t)) for gi, c in enumerate(shared.cover)],
        cof_cover,
    )


def budget_since(rules: Rules) -> np.ndarray:
    """(B,) the year each budget's clocks start: its rule set's start (a reform's own budgets: the reform's
    start year; the budgets of the architecture it replaces, its uncovered areas' included: the base year)."""
    return np.array([_since(rules, g.architecture) for g in rules.groups for _ in range(g.n)], dtype=int)


def _efficiency_clocks(
    rules: Rules, live: np.ndarray, eff: np.ndarray, runs_of: Callable[[np.ndarray], np.ndarray]
) -> tuple[tuple[int, np.ndarray], ...]:
    """``eff`` (L, runs) split by the start of the live budgets' clocks: ``runs_of(mask)`` is ``eff`` of the
    (B,) budgets in ``mask``. One clock (every run but a reform with partial coverage): ``eff`` itself."""
    since = budget_since(rules)
    starts = sorted({int(s) for s in since[live]}) or [0]
    if len(starts) == 1:
        return ((starts[0], eff),)
    return tuple((s, runs_of((since == s).astype(float))) for s in starts)


def _allocations(
    rules: Rules,
    years: int,
    grants: funding.Funding,
    shared: Shared,
    M_sparse: Any,
    starts: np.ndarray,
    cof: list[CofTerm],
    on: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """(years, B) each budget's block grant from the allocation engine and its incentive top slice, after
    co-financing moves hospital funding to local budgets, zero in the years a budget does not exist."""
    alloc_b = grants.allocated.copy()
    fund_b = grants.top_slice if on("incentives") else np.zeros_like(grants.top_slice)
    for rs in shared.weight:
        atom_grant = shared.atom_grants[rs]  # (years, L, A) sorted
        for crs, lines, payer, receiver, _share in cof:
            c = rules.cofinancing[crs]
            if crs == rs and c.hospital_funding_to_local > 0:
                for t in range(years):
                    moved = cofinancing.hospital_funding_to_local(atom_grant[t], lines, c.hospital_funding_to_local)
                    shift = membership.to_areas(M_sparse, np.add.reduceat(moved, starts))
                    alloc_b[t] += shift * payer - shift * receiver
    return phases_mod.mask_years(alloc_b, rules), phases_mod.mask_years(fund_b, rules)


def _pooled_transfers(
    rules: Rules,
    fixed: dict[str, Any],
    years: int,
    heads: np.ndarray,
    M_sparse: Any,
    starts: np.ndarray,
    group_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(years, B) paid out of and into each budget by pooled funds (Better Care Fund): spread by need on the
    pooled lines, each year's amount from :func:`pooled_amounts`."""
    central_spend = np.array(list(funding.envelope(fixed).values()))
    B, n_proj = rules.n_budgets, heads.shape[0]
    pool_out, pool_in = np.zeros((years, B)), np.zeros((years, B))
    for rule in rules.pooling:
        amounts = pooled_amounts(fixed, rule.amount, rule.parameter, years)
        for t in range(years):
            if not rules.runs_in(rule.architecture, t):
                continue  # a rule set of another phase (its receiver may run on into this one)
            h = heads[min(t, n_proj - 1)]
            need = (central_spend[:, None] * h / h.sum(axis=1)[:, None])[rule.lines].sum(axis=0)
            total = need.sum()  # a pooled fund over lines with no need moves nothing (no 0/0)
            atom_amount = amounts[t] * need / total if total > 0 else np.zeros_like(need)
            per_budget = membership.to_areas(M_sparse, np.add.reduceat(atom_amount, starts))
            pool_out[t] += np.where(group_of == rule.sender, per_budget, 0.0)
            pool_in[t] += np.where(group_of == rule.receiver, per_budget, 0.0)
    return phases_mod.mask_years(pool_out, rules), phases_mod.mask_years(pool_in, rules)


_PREPARED: dict[tuple[Any, ...], Prepared] = {}
_GRANTS: dict[tuple[Any, ...], funding.Funding] = {}
_SHARED: dict[tuple[Any, ...], Shared] = {}


def _run_key(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int) -> tuple[Any, ...]:
    """What a run's draw-independent arrays depend on, the factor set aside."""
    return (
        id(inputs),
        inputs.atom_level,
        id(rules),
        rules.digest,
        rules.atom_level,
        rules.n_budgets,
        years,
        tuple(sorted((k, str(v)) for k, v in fixed.items())),
    )


def _grant_key(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int) -> tuple[Any, ...]:
    """What a run's block grants depend on: its rules, inputs and years, and of the parameters only the
    envelope and its growth (not behaviour, prevention or the mechanisms, which the waterfall's factor sets
    and the attribution's coalitions switch)."""
    env, growth = funding.envelope(fixed), funding.line_growth(fixed)
    return (*_run_key(inputs, rules, {}, years), tuple(sorted(env.items())), tuple(sorted(growth.items())))


def _grants(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int) -> funding.Funding:
    """The block grants of a run, shared by every factor set of its waterfall and every run with the same
    envelope (grants do not depend on which change factors or mechanisms act); cached for the last few."""
    key = _grant_key(inputs, rules, fixed, years)
    grants = _GRANTS.get(key)
    if grants is None:
        if len(_GRANTS) > 16:
            _GRANTS.clear()
        env, growth = funding.envelope(fixed), funding.line_growth(fixed)
        grants = _GRANTS[key] = funding.block_grants(inputs, rules, env, growth, years)
    return grants


def _shared(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int) -> Shared:
    """The factor-independent arrays of a run in sorted atom order, shared (read-only) by every factor set of
    its waterfall: at LSOA level building them took most of each of the waterfall's 2^k preparations. Keyed
    by every parameter: its memo keeps pieces that read parameters beyond the grants' (the pooled funds)."""
    key = _run_key(inputs, rules, fixed, years)
    shared = _SHARED.get(key)
    if shared is None:
        if len(_SHARED) > 16:
            _SHARED.clear()
        shared = _SHARED[key] = _build_shared(inputs, rules, fixed, years)
    return shared


def _build_shared(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int) -> Shared:
    perm = _runs_of(rules)[0]
    heads = np.ascontiguousarray(np.transpose(inputs.weighted_heads[:, perm, :], (0, 2, 1)))
    grants = _grants(inputs, rules, fixed, years)
    weight = {rs: w[perm] for rs, w in rules.weight.items()}
    atom_grants = {rs: grants.atoms[rs][:, :, perm] for rs in weight}
    alloc_atoms = np.zeros((years, len(LINE_IDS), len(perm)))
    for rs, w in weight.items():
        alloc_atoms += atom_grants[rs] * w[None, None, :]
    cover = [g.H[perm].sum(axis=1) for g in rules.groups]
    handover, to_centre = phases_mod.handover_matrix(rules, inputs.weighted_heads[0][:, POP])
    return Shared(
        heads, heads[:1], cover, weight, atom_grants, alloc_atoms, alloc_atoms.sum(axis=(1, 2)), handover, to_centre
    )


def prepared(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int, factors: frozenset[str]) -> Prepared:
    """:func:`prepare`, cached for the last few (rules, inputs, parameters, years, factors)."""
    key = (*_run_key(inputs, rules, fixed, years), factors)
    prep = _PREPARED.get(key)
    if prep is None:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        prep = _PREPARED[key] = prepare(inputs, rules, fixed, years, factors)
    return prep


def _spend_by_line(p: dict[str, Any], xp: Any, n: int) -> Any:
    """£ base-year national spend per (draw, line), by the one envelope rule of the service-line registry."""
    cols = [base_year_spend(p, line) for line in LINE_IDS]
    return xp.stack([xp.reshape(c, (n,)) for c in cols], axis=1)


def _support_limits(xp: Any, prep: Prepared, fixed: dict[str, Any]) -> Any:
    """(B,) most deficit support a year as a share of allocation, at the parameter's value in ``fixed``."""
    return asarray(xp, np.array([balance.support_limit(tier, fixed) for tier in prep.tiers], dtype=float))


def _budget_rules(xp: Any, prep: Prepared, inputs: Inputs, phase: Phase, fixed: dict[str, Any]) -> BudgetRules:
    """The per-budget money rules a year reads, on the backend (lines held by the budgets that exist), with
    the dated parameters at their values in ``fixed``."""
    holds = asarray(xp, phase.holds.astype(float))  # (L, B)
    upstream = phase.holds * UPSTREAM[:, None]
    # what a budget spends beyond need goes to its upstream lines, or to every line it holds where it holds none
    spends_on = np.where(prep.vec["has_up"][None, :] > 0, upstream, phase.holds)
    return BudgetRules(
        holds=holds,
        savings_retained=asarray(xp, prep.vec["sr"]),
        overspend_borne=asarray(xp, prep.vec["obl"]),
        up_holds=asarray(xp, spends_on.astype(float)),
        upstream=asarray(xp, upstream.astype(float)),
        has_upstream=asarray(xp, prep.vec["has_up"]),
        criteria=[asarray(xp, prep.criteria[:, k].astype(float)) for k in range(prep.criteria.shape[1])],
        floors=asarray(xp, inputs.floors),
        corridor=asarray(xp, prep.vec["corridor"]),
        corridor_centre_share=asarray(xp, prep.vec["corridor_share"]),
        support_limit=_support_limits(xp, prep, fixed),
        fund_group=prep.vec["group"].astype(np.int64),  # host: the fund's group sums index with it
        unpaid_to_tier=asarray(xp, prep.vec["to_tier"]),
        n_groups=int(prep.vec["group"].max()) + 1 if len(prep.vec["group"]) else 0,
    )


def _atom_setup(
    xp: Any, prep: Prepared, rules: Rules, fixed: dict[str, Any], values: DrawValues, p: dict[str, Any], on: Any
) -> AtomSetup:
    """What the per-atom stage needs for the block: heads, shocks, prevention, caps and the investing groups."""
    Lc = len(LINE_IDS)
    col = {k: v[:, None] for k, v in p.items()}
    central = asarray(xp, values.central.astype(float))[:, None]
    cap_lines = [j for j in range(Lc) if any(ph.cap_field[j].any() for ph in prep.phases)]
    investing = _investing(rules, on)
    up_lines = [j for j in range(Lc) if UPSTREAM[j]]
    return AtomSetup(
        xp=xp,
        heads=asarray(xp, prep.heads),
        heads_host=prep.heads,
        lad_shocks=values.shocks,
        atom_lad=prep.atom_lad,
        shock_scale=(1.0 - central) * col["demand.area_shock_sd"],
        effect=col["prevention.effect"] * (1.0 if on("prevention") else 0.0),
        lag_weights=prevention.lag_weights(fixed["prevention.lag"]),
        avoidable_share=col["admissions.avoidable_share"],
        unit_cost=col["admissions.unit_cost"],
        cof_factor=_cof_factor(xp, fixed, prep.phases[0]),
        starts=prep.starts,
        run_of=xp.asarray(prep.run_of),
        run_counts=np.diff(np.r_[prep.starts, len(prep.run_of)]),
        cap_lines=cap_lines,
        cap_field=asarray(xp, prep.phases[0].cap_field),
        cap_rate=asarray(xp, prep.phases[0].cap_rate),
        cap_price=col["behaviour.cap_marginal_price"],
        row_lines=sorted(set(cap_lines) | (set(up_lines) | {ELECTIVE} if investing else set())),
        investing=[
            InvestingGroup(
                lines=[j for j in range(Lc) if rules.groups[gi].lines[j]],
                ups=[j for j in range(Lc) if rules.groups[gi].lines[j] and UPSTREAM[j]],
                cover=asarray(xp, prep.phases[0].cover[gi]),
                strength=rules.groups[gi].incentive_strength,
                pooled=rules.groups[gi].pooled,
                from_elective=bool(rules.groups[gi].lines[ELECTIVE]),
                since=_since(rules, rules.groups[gi].architecture),
                weights=None if rules.groups[gi].shares is None else rules.groups[gi].weights.tolist(),
            )
            for gi in investing
        ],
        shift_rate=p["behaviour.left_shift_rate"],
        capture=p["behaviour.acute_capture"],
        up_lines=up_lines,
        elective_cap=float(fixed["behaviour.max_elective_shift_share"]),
    )


def _cof_factor(xp: Any, fixed: dict[str, Any], phase: Phase) -> Any:
    """(A,) factor on emergency admissions from co-financing, at ``cofinancing.admissions_effect`` in ``fixed``."""
    return asarray(xp, cofinancing.admissions_factor(float(fixed["cofinancing.admissions_effect"]), phase.cof_cover))


def _since(rules: Rules, rule_set: str) -> int:
    """The year a rule set's budgets start: a reform's start year, else the base year (0)."""
    return int(rules.since.get(rule_set, 0))


def _investing(rules: Rules, on: Any) -> list[int]:
    """Groups that move spend upstream (left shift): they keep savings and bear acute cost."""
    return [
        gi
        for gi, g in enumerate(rules.groups)
        if on("behaviour") and g.incentive_strength > 0 and (g.lines & UPSTREAM).any()
    ]


def _transition_charges(values: DrawValues, fixed: dict[str, Any], prep: Prepared, years: int) -> np.ndarray:
    """(D, years) £ net transition charge per draw (host NumPy)."""
    D = len(values.draws)
    drawn = {k: values.scalars[k] if k in values.scalars else np.full(D, float(fixed[k])) for k in TRANSITION}
    return transition.charges(drawn, prep.reform_start, years, prep.planned_steps)


def _block(
    xp: Any,
    inputs: Inputs,
    rules: Rules,
    fixed: dict[str, Any],
    values: DrawValues,
    years: int,
    factors: frozenset[str],
    flags: tuple[bool, bool, bool],
) -> Block:
    """Everything a block's years share: parameters on the backend, growth, switches and rules."""
    keep_atoms, check, atom_draws = flags
    prep = prepared(inputs, rules, fixed, years, factors)
    on = factors.__contains__
    D = len(values.draws)
    p = {k: asarray(xp, v) for k, v in values.scalars.items()}
    for key, v in fixed.items():
        if key not in p and not isinstance(v, list):
            p[key] = asarray(xp, np.full(D, float(v)))
    dated = _dated(xp, fixed, p, years)
    nd_group = np.array([GROWTH_GROUPS.index(demand.GROWTH_GROUP[x]) for x in LINE_IDS])
    nd_all = xp.stack([p[f"demand.non_demographic_growth.{g}"] for g in GROWTH_GROUPS], axis=1)
    zero_d = p["demand.ageing_growth"] * 0.0
    central = asarray(xp, values.central.astype(float))[:, None]
    setup = _atom_setup(xp, prep, rules, fixed, values, p, on)
    # the fused Numba kernels on NumPy when runs of atoms are long; the array-API path otherwise (same results)
    use_fused = is_numpy(xp) and fused.enabled(len(rules.atoms) / len(prep.starts))
    top_any = bool(prep.vec["top"].any())
    keep = keep_atoms and bool(values.central.any())
    return Block(
        xp=xp,
        arch=rules.architecture,
        prep=prep,
        rules=_budget_rules(xp, prep, inputs, prep.phases[0], fixed),
        fixed=fixed,
        p=p,
        col={k: v[:, None] for k, v in p.items()},
        D=D,
        A=len(rules.atoms),
        L=len(LINE_IDS),
        B=rules.n_budgets,
        years=years,
        n_proj=prep.heads.shape[0],
        heads=setup.heads,
        runs=_run_matrix(xp, prep, 0),
        held=_held_lines(xp, prep, 0),
        atom_stage=FusedAtoms(setup, D) if use_fused else GenericAtoms(setup),
        cost_per_head=_spend_by_line(p, xp, D) / asarray(xp, prep.heads[0].sum(axis=1))[None, :],
        pop_growth=p["demand.population_growth_after_projection"] if on("demography") else zero_d,
        ageing=p["demand.ageing_growth"] if on("demography") else zero_d,
        nd=xp.take(nd_all, xp.asarray(nd_group), axis=1) * (1.0 if on("non_demographic_growth") else 0.0),
        central=central,
        live=1.0 - central,
        any_eff=on("behaviour") and any(bool(ph.eff_runs.any()) for ph in prep.phases),
        obl_any=on("behaviour"),
        top_any=top_any,
        reinvesting=on("behaviour"),
        pooling=bool(rules.pooling),
        corridor_any=bool(np.isfinite(prep.vec["corridor"]).any()),
        eff_runs=asarray(xp, prep.phases[0].eff_runs),
        eff_clocks=_on_backend(xp, prep.phases[0].eff_clocks),
        noise=asarray(xp, values.criteria_noise if top_any else np.zeros((1, years, 1, 3))),
        alloc=asarray(xp, prep.alloc_b),
        fund=asarray(xp, prep.fund_b),
        grant=asarray(xp, prep.grant_b),
        transition=asarray(xp, _transition_charges(values, fixed, prep, years)),
        transition_share=asarray(xp, prep.transition_share),
        pool_out=asarray(xp, prep.pool_out),
        pool_in=asarray(xp, prep.pool_in),
        cof=[(rs, lines, asarray(xp, pay), asarray(xp, rec), share) for rs, lines, pay, rec, share in prep.cof],
        reb=[(rs, asarray(xp, toward), asarray(xp, away), share, n) for rs, toward, away, share, n in prep.reb],
        max_cut=float(fixed["behaviour.max_cut_share"]),
        keep=keep,
        c0=int(np.argmax(values.central)) if keep else 0,
        atom_draws=atom_draws,
        check=check,
        fused_budgets=is_numpy(xp) and fused.budget_kernels(),
        switch=prep.switch,
        rule_sets_in=rules.runs_in,
        since={rs: _since(rules, rs) for rs in rules.weight},
        carries=phases_mod.continues(rules),
        investing_groups=_investing(rules, on),
        prevention_on=on("prevention"),
        dated=dated,
        growth_path=_growth_path(xp, dated, p, on, years, prep.heads.shape[0]),
        exists=asarray(xp, np.array([rules.active(t) for t in range(years)], dtype=float)),
        phase_starts=prep.phase_starts,
        handover=_memo(prep.memo, ("handover", xp.__name__), lambda: RunMatrix(xp, prep.handover))
        if prep.phase_starts
        else None,
        succeeded=asarray(xp, (prep.handover.sum(axis=1) > 0).astype(float)) if prep.phase_starts else None,
        to_centre=asarray(xp, prep.to_centre) if prep.phase_starts else None,
        ceases=asarray(xp, phases_mod.ceasing_years(rules)) if prep.phase_starts else None,
        held_in=partial(_held_lines, xp, prep),
        runs_in=partial(_run_matrix, xp, prep),
        grant_own=asarray(xp, prep.grant_own),
    )


def _on_backend(xp: Any, clocks: tuple[tuple[int, np.ndarray], ...]) -> tuple[tuple[int, Any], ...]:
    """A phase's efficiency clocks with their arrays on the backend."""
    return tuple((s, asarray(xp, runs)) for s, runs in clocks)


def _dated(xp: Any, fixed: dict[str, Any], p: dict[str, Any], years: int) -> dict[str, list[Any]]:
    """Path → each year's (D,) values, for parameters whose value changes within the run: the value in
    force that year, a drawn parameter's draw moved by the same change from its base-year value and kept
    within the parameter's valid range (a fraction set to 0 from a year leaves no draw below 0)."""
    out: dict[str, list[Any]] = {}
    for key, series in fixed.items():
        if key.endswith(YEARS_SUFFIX):
            path = key[: -len(YEARS_SUFFIX)]
            base = float(fixed[path])
            lo, hi = valid_range(path)
            out[path] = [xp.clip(p[path] + (float(series[t]) - base), lo, hi) for t in range(years)]
    return out


@cache
def valid_range(path: str) -> tuple[float, float]:
    """A parameter's valid range (unbounded for a path the default tree does not have)."""
    param = defaults().params.get(path)
    return param.valid_range if param is not None else (-math.inf, math.inf)


def _growth_path(
    xp: Any, dated: dict[str, list[Any]], p: dict[str, Any], on: Any, years: int, n_proj: int
) -> list[Any] | None:
    """(D, L) growth of need per weighted head from the base year to each year, compounding each year's
    rates, where a growth parameter is dated (None: the engine's constant-rate formula applies)."""
    paths = [DEMOGRAPHY[0], DEMOGRAPHY[1], *(f"demand.non_demographic_growth.{g}" for g in GROWTH_GROUPS)]
    if not any(k in dated for k in paths):
        return None

    def at(path: str, t: int) -> Any:
        return dated[path][t] if path in dated else p[path]

    nd_group = [GROWTH_GROUPS.index(demand.GROWTH_GROUP[x]) for x in LINE_IDS]
    demo = 1.0 if on("demography") else 0.0
    nd_on = 1.0 if on("non_demographic_growth") else 0.0
    factor = xp.ones((len(p[paths[0]]), len(LINE_IDS)))
    out = [factor]
    for t in range(1, years):
        nd = xp.stack([at(f"demand.non_demographic_growth.{GROWTH_GROUPS[g]}", t) for g in nd_group], axis=1)
        step = (1.0 + demo * at(DEMOGRAPHY[1], t))[:, None] * (1.0 + nd_on * nd)
        if t > n_proj - 1:  # population growth applies beyond the projected years only
            step = step * (1.0 + demo * at(DEMOGRAPHY[0], t))[:, None]
        factor = factor * step
        out.append(factor)
    return out


def _year_parameters(b: Block, fixed: dict[str, Any], t: int) -> None:
    """Year ``t``'s values of the dated parameters: every step reads them from the block, the per-atom stage
    from its setup."""
    for path, by_year in b.dated.items():
        b.p[path] = by_year[t]
        b.col[path] = by_year[t][:, None]
    b.fixed = fixed | {path: float(fixed[path + YEARS_SUFFIX][t]) for path in b.dated}
    scalars = {name: b.col[path] for name, path in ATOM_SCALARS.items() if path in b.dated}
    if "effect" in scalars and not b.prevention_on:
        scalars["effect"] = scalars["effect"] * 0.0
    if "shock_scale" in scalars:
        scalars["shock_scale"] = b.live * scalars["shock_scale"]
    for name in ("shift_rate", "capture"):
        if name in scalars:
            scalars[name] = scalars[name][:, 0]
    if scalars:
        b.atom_stage.set_scalars(scalars)
    b.max_cut = float(b.fixed["behaviour.max_cut_share"])
    if "behaviour.deficit_support_limit" in b.dated:
        b.rules = dataclasses.replace(b.rules, support_limit=_support_limits(b.xp, b.prep, b.fixed))
    if "cofinancing.admissions_effect" in b.dated:
        _use_phase(b, b.phase)


def _run_matrix(xp: Any, prep: Prepared, k: int) -> RunMatrix:
    """Phase ``k``'s run × budget matrix on the backend (built once per phase and backend)."""
    built = prep.phases[k].run_matrix
    if xp.__name__ not in built:
        built[xp.__name__] = RunMatrix(xp, prep.phases[k].M)
    return built[xp.__name__]


def _held_lines(xp: Any, prep: Prepared, k: int) -> HeldLines:
    """Phase ``k``'s held (line, budget) pairs on the backend (built once per phase and backend)."""
    built = prep.phases[k].held_lines
    if xp.__name__ not in built:
        built[xp.__name__] = HeldLines(xp, prep.phases[k].M, prep.phases[k].holds)
    return built[xp.__name__]


def _use_phase(b: Block, k: int) -> None:
    """The per-atom fields of phase ``k``'s budgets, with the co-financing effect in force this year."""
    xp, ph = b.xp, b.prep.phases[k]
    b.atom_stage.use(
        _cof_factor(xp, b.fixed, ph),
        asarray(xp, ph.cap_field),
        asarray(xp, ph.cap_rate),
        [asarray(xp, ph.cover[g]) for g in b.investing_groups],
    )


def _enter_phase(xp: Any, b: Block, inputs: Inputs, c: Carried, k: int) -> None:
    """A reform starts: the budgets that exist change, so do membership, held lines and the per-atom fields
    of their rules (at this year's values of the dated parameters). Last year's incentive measures belonged
    to the old budgets."""
    prep: Prepared = b.prep
    ph = prep.phases[k]
    b.phase = k
    b.runs = _run_matrix(xp, prep, k)
    b.held = _held_lines(xp, prep, k)
    b.rules = _budget_rules(xp, prep, inputs, ph, b.fixed)
    b.eff_runs = asarray(xp, ph.eff_runs)
    b.eff_clocks = _on_backend(xp, ph.eff_clocks)
    _use_phase(b, k)
    # only the budgets that begin now have no last year's incentive measures; one that runs on keeps its own
    c.began = asarray(xp, ph.live & ~prep.phases[k - 1].live)
    # a rule set that runs on its predecessor's architecture holds the rebase of the settlement under way
    for rs, *_ in prep.reb:
        held = b.carries.get(rs)
        if held in c.rebase and b.rule_sets_in(rs, prep.phase_starts[k - 1]):
            c.rebase[rs] = c.rebase[held]
            c.rebase_b[rs] = b.runs.to_budgets(segment_sum(xp, c.rebase[rs], prep.starts))


def run_block(
    xp: Any,
    inputs: Inputs,
    rules: Rules,
    fixed: dict[str, Any],
    values: DrawValues,
    years: int,
    factors: frozenset[str] = frozenset(FACTORS),
    keep_atoms: bool = True,
    check: bool = True,
    atom_draws: bool = False,
    measures: Iterable[str] | None = None,
) -> BlockResult:
    """Simulate one block of draws for ``years`` years and return its outputs (host NumPy): every year runs
    the named steps of :data:`devocare.simulation.steps.STEPS` in order, then records its outputs: the
    per-budget ``measures`` asked for (None: all of :data:`BUDGET_MEASURES`; a caller that reads a few, such
    as a comparison on national series, saves writing the rest), the national series and any atom detail.

    Inside a year the arrays are (draw, line, atom) with atoms ordered in runs of identical membership,
    so aggregating to budgets is a segment sum over runs followed by a small matrix product with the
    run × budget membership matrix.
    """
    b = _block(xp, inputs, rules, fixed, values, years, factors, (keep_atoms, check, atom_draws))
    zeros = xp.zeros((b.D, b.B))
    carried = Carried(
        reserves=zeros,
        cut=zeros,
        walk=xp.ones((b.D, b.B)),
        rebase={rs: xp.zeros((b.D, b.A)) for rs, *_ in b.prep.reb},
        rebase_b={rs: zeros for rs, *_ in b.prep.reb},  # its sum per budget: changes at settlement ends
        last_avoided=xp.zeros((b.D, b.A)),
    )
    out = Outputs(b, _measures(measures))
    for t in range(years):
        if b.dated:  # first: a reform starting this year takes its rules at this year's values
            _year_parameters(b, fixed, t)
        if t in b.phase_starts:  # a phase starts: a reform's start, or a pot's date
            _enter_phase(xp, b, inputs, carried, b.phase_starts.index(t) + 1)
        flows = Flows(t=t, ty=min(t, b.n_proj - 1))
        for step in STEPS:
            step.run(b, carried, flows)
        out.record(b, carried, flows)
    return BlockResult(values.draws, out.budget, out.national, out.atoms, carried.max_gap, out.per_draw)


def _measures(asked: Iterable[str] | None) -> tuple[str, ...]:
    """The per-budget measures a block records, in :data:`BUDGET_MEASURES` order (None: all of them)."""
    if asked is None:
        return BUDGET_MEASURES
    unknown = set(asked) - set(BUDGET_MEASURES)
    if unknown:
        raise ValueError(f"unknown budget measures {sorted(unknown)}; known: {', '.join(BUDGET_MEASURES)}")
    return tuple(m for m in BUDGET_MEASURES if m in set(asked))


class Outputs:
    """A block's outputs, written year by year (the last step of a year): per-budget measures, national
    series, the central draw's atom detail and, for LAD runs with draws, every draw's atom totals."""

    def __init__(self, b: Block, measures: tuple[str, ...] = BUDGET_MEASURES) -> None:
        D, Y, A, Lc, B = b.D, b.years, b.A, b.L, b.B
        # (D, Y, B) views of one year-major array, so that a year's write is one contiguous block; one
        # allocation, large enough for NumPy to ask the kernel for huge pages (a few page faults, not one per
        # 4 KiB), left uninitialised: :meth:`record` writes every draw and budget of every year
        every = np.empty((len(measures), Y, D, B))
        self.budget = {m: every[i].transpose(1, 0, 2) for i, m in enumerate(measures)}
        national = {
            k: np.zeros((D, Y))
            for k in ("admissions", "population", "avoided_admissions", "incentive_unpaid", "envelope")
        }
        self.national = national | {
            k: np.zeros((D, Y, Lc))
            for k in ("spent_by_line", "need_by_line", "allocated_by_line", "unmet_need_by_line")
        }
        self.atoms: dict[str, np.ndarray] = {}
        if b.keep:
            self.atoms = {k: np.zeros((Y, A, Lc)) for k in ("allocated", "spent", "need")}
            self.atoms |= {k: np.zeros((Y, A)) for k in ("admissions", "avoided_admissions")}
        self.per_draw = {m: np.zeros((D, Y, A)) for m in ATOM_DRAW_MEASURES} if b.atom_draws else {}
        self.allocated_by_line = b.prep.alloc_atoms.sum(axis=2)  # (years, L): the same for every draw

    def record(self, b: Block, c: Carried, f: Flows) -> None:
        """Write year ``f.t``'s per-budget measures, national series and atom detail."""
        xp, t, prep = b.xp, f.t, b.prep
        assert f.year is not None
        if b.atom_draws:
            _atom_totals(xp, self.per_draw, t, prep, f.year, f.factor_lr, f.rate_lr, c.reserves, b)
        for name, value in (
            ("allocated", f.alloc_b),
            ("grant", b.grant[t][None, :]),
            ("incentive_fund", f.fund),
            ("incentive_paid", f.paid),
            ("spent", f.spent_b),
            ("transfers_in", f.t_in),
            ("transfers_out", f.t_out),
            ("reserves", c.reserves),
            ("reserve_change", f.change),
            ("returned", f.returned),
            ("deficit_support", f.support),
            ("need", f.need_b),
            ("unmet_need", f.unmet_b),
            ("admissions", f.adm_b),
            ("floor_breached", f.breached),
            ("intervention", f.flag),
            ("intervention_deficit", f.flag_deficit),
            ("intervention_floor", f.flag_floor),
            ("transition_cost", f.transition),
            ("handed_over", f.handed_over),
            ("taken_over", f.taken_over),
        ):
            if name in self.budget:
                self.budget[name][:, t, :] = to_numpy(value)  # broadcast, and flags written as 0/1, in place
        national = self.national
        if b.fused_budgets and f.rate_lr is not None and f.unmet_lr is not None:  # the same sums in one pass
            by_line = np.empty((3, b.D, b.L))
            run_level = (f.spent_lr, f.rate_lr, f.year.demand_lr, f.unmet_lr)
            fused_budgets.line_totals(*(np.ascontiguousarray(x) for x in run_level), by_line)
            for name, sums in zip(("spent_by_line", "need_by_line", "unmet_need_by_line"), by_line, strict=True):
                national[name][:, t] = sums
        else:  # the kernels leave rate × need to whoever reads it
            reinvest_lr = f.reinvest_lr
            if reinvest_lr is None and f.rate_lr is not None:
                reinvest_lr = f.rate_lr * f.year.demand_lr
            total_lr = f.spent_lr if reinvest_lr is None else f.spent_lr + reinvest_lr
            national["spent_by_line"][:, t] = row_sums(total_lr)
            national["need_by_line"][:, t] = row_sums(f.year.demand_lr)
            if f.unmet_lr is not None:
                national["unmet_need_by_line"][:, t] = row_sums(f.unmet_lr)
        national["admissions"][:, t] = row_sums(f.counts_r[0])
        national["avoided_admissions"][:, t] = row_sums(f.counts_r[1])
        national["population"][:, t] = float(prep.heads[f.ty][POP].sum())
        national["allocated_by_line"][:, t] = self.allocated_by_line[t][None, :]
        # unearned money that goes back to the centre: a fund that keeps it in the tier returns none
        to_centre = 1.0 - b.rules.unpaid_to_tier[None, :]
        national["incentive_unpaid"][:, t] = row_sums(f.fund * to_centre) - row_sums(f.paid * to_centre)
        national["envelope"][:, t] = float(prep.envelope[t])
        if b.keep:
            self._central_atoms(b, f)

    def _central_atoms(self, b: Block, f: Flows) -> None:
        """The central draw's need, spend, allocation and admissions per atom (original atom order)."""
        prep, t, c0, year = b.prep, f.t, b.c0, f.year
        assert year is not None
        inverse = prep.inverse
        self.atoms["allocated"][t] = prep.alloc_atoms[t][:, inverse].T
        spent0 = np.array(to_numpy(year.demand[c0]))  # a copy: rows are written into it
        if f.factor_lr is not None:
            spent0 = spent0 * to_numpy(f.factor_lr[c0])[:, prep.run_of]
        for j, row in year.rows.items():
            spent0[j] = to_numpy(row[c0])
        if f.rate_lr is not None:
            spent0 = spent0 + to_numpy(f.rate_lr[c0])[:, prep.run_of] * to_numpy(year.demand[c0])
        self.atoms["spent"][t] = spent0[:, inverse].T
        self.atoms["need"][t] = to_numpy(year.demand[c0])[:, inverse].T
        self.atoms["admissions"][t] = to_numpy(year.admissions[c0])[inverse]
        unit_cost = b.col["admissions.unit_cost"]
        self.atoms["avoided_admissions"][t] = to_numpy(year.avoided[c0] / unit_cost[c0])[inverse]


def _atom_totals(
    xp: Any,
    per_draw: dict[str, np.ndarray],
    t: int,
    prep: Prepared,
    year: Any,
    factor_lr: Any,
    rate_lr: Any,
    reserves: Any,
    b: Block,
) -> None:
    """Every draw's per-atom totals over lines for year ``t`` (original atom order): allocated, spent,
    admissions, and reserves, a budget's reserves shared over its atoms by population."""
    demand_t, rows, admissions = year.demand, year.rows, year.admissions
    runs, run_of = b.runs, b.atom_stage.s.run_of
    run_counts = b.atom_stage.s.run_counts
    D, Lc = demand_t.shape[0], demand_t.shape[1]
    spent = xp.zeros((D, demand_t.shape[2]))
    for j in range(Lc):
        if j in rows:
            spent = spent + rows[j]
        elif factor_lr is not None:
            spent = spent + demand_t[:, j, :] * expand_runs(xp, factor_lr[:, j, :], run_of, run_counts)
        else:
            spent = spent + demand_t[:, j, :]
        if rate_lr is not None:
            spent = spent + expand_runs(xp, rate_lr[:, j, :], run_of, run_counts) * demand_t[:, j, :]
    pop = asarray(xp, prep.heads[min(t, prep.heads.shape[0] - 1)][POP])
    pop_b = runs.to_budgets(segment_sum(xp, pop[None, :], prep.starts))  # (1, B)
    share = reserves / xp.where(pop_b > 0, pop_b, 1.0)
    held = expand_runs(xp, runs.to_runs(share), run_of, run_counts) * pop[None, :]
    inverse = prep.inverse
    per_draw["allocated"][:, t] = prep.alloc_atoms[t].sum(axis=0)[inverse][None, :]
    per_draw["spent"][:, t] = to_numpy(spent)[:, inverse]
    per_draw["admissions"][:, t] = to_numpy(admissions)[:, inverse]
    per_draw["reserves"][:, t] = to_numpy(held)[:, inverse]
