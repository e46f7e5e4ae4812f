"""The engine: one block of draws through every year of an architecture's money rules.

Arrays are (draw, line, atom) inside a year and (draw, year, budget) on output; the only Python loops are
over years and over the few budgets that invest upstream (never over atoms, budgets or draws). Atoms are
ordered in runs of identical membership, so aggregating to budgets is a segment sum over runs and a small
run × budget product. Code uses the array API standard (NumPy 2's own namespace, or CuPy / JAX through
``array_api_compat``).

Order of a year: need → prevention (admissions) → efficiency, hospital caps and cuts → upstream investment
→ aggregation per line → reinvestment of reserves → allocation (block grants, hospital funding to the local
tier, rebasing) → co-financing and pooled funds → incentive payments → balance (reserves, returned,
national support) → floors and intervention flags → the conservation check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devocare.service_lines import LINE_IDS
from devocare.simulation import balance, behaviour, cofinancing, demand, funding, fused, incentives, prevention
from devocare.simulation.atoms import (
    ELECTIVE,
    UPSTREAM,
    AtomSetup,
    FusedAtoms,
    GenericAtoms,
    InvestingGroup,
)
from devocare.simulation.backend import RunMatrix, asarray, expand_runs, is_numpy, segment_sum, set_line, to_numpy
from devocare.simulation.inputs import Inputs
from devocare.simulation.rules import Rules, acute_mask

POP = LINE_IDS.index("wider_determinants")  # its need basis is plain population
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
    "admissions",
    "floor_breached",
    "intervention",
)
CONSERVATION_TOLERANCE = 1e-9
#: Per-atom totals kept for every draw at LAD level, to give each atom's mean and percentiles.
ATOM_DRAW_MEASURES = ("allocated", "spent", "admissions", "reserves")


class ConservationError(AssertionError):
    """Money was created or lost: a bug in the engine, never bad input."""


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
    criteria: np.ndarray  # (B, 5)
    cover: list[np.ndarray]  # per group: (A,) share of each sorted atom under the group
    weight: dict[str, np.ndarray]  # per rule set: (A,) sorted
    alloc_b: np.ndarray  # (years, B) allocation per budget before rebasing
    fund_b: np.ndarray  # (years, B) top slice held back for the incentive fund
    alloc_atoms: np.ndarray  # (years, L, A) allocation per atom and line (sorted)
    envelope: np.ndarray  # (years,) total allocated
    eff_runs: np.ndarray  # (L, runs) savings kept × overspend borne of the atom-line's budget
    cap_field: np.ndarray  # (L, A) share of the atom-line under a hospital input cap
    cap_rate: np.ndarray  # (L, A) the cap's growth rate
    cof: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, float]]  # rs, lines, payer (B,), receiver (B,), share
    cof_cover: np.ndarray  # (A,)
    reb: list[tuple[str, np.ndarray, np.ndarray, float, int]]  # rs, toward (B,), away (B,), share, years
    pool_out: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) pooled fund paid
    pool_in: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) pooled fund received
    run_matrix: dict[str, RunMatrix] = field(default_factory=dict)  # per backend
    grant_b: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (years, B) block grant (allocation engine)


def _runs(H: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order atoms so that atoms with identical membership rows sit together; return the permutation,
    run starts, the run of each sorted atom and the distinct rows."""
    contiguous = np.ascontiguousarray(H)
    keys = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * contiguous.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rows = contiguous[first]
    inverse = np.asarray(inverse).ravel()
    perm = np.argsort(inverse, kind="stable")
    run_of = inverse[perm]
    starts = np.flatnonzero(np.r_[True, run_of[1:] != run_of[:-1]])
    return perm, starts, run_of, rows


_RUNS: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}


def _runs_of(rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    key = (id(rules), rules.digest, rules.atom_level, rules.n_budgets)
    if key not in _RUNS:
        if len(_RUNS) > 16:
            _RUNS.clear()
        _RUNS[key] = _runs(np.hstack([g.H for g in rules.groups]))
    return _RUNS[key]


def prepare(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int, factors: frozenset[str]) -> Prepared:
    """Build the draw-independent arrays of a run (host NumPy)."""
    on = factors.__contains__
    groups = rules.groups
    perm, starts, run_of, M = _runs_of(rules)
    heads_all = inputs.weighted_heads if on("demography") else inputs.weighted_heads[:1]
    heads = np.ascontiguousarray(np.transpose(heads_all[:, perm, :], (0, 2, 1)))
    B, Lc = rules.n_budgets, len(LINE_IDS)
    holds = np.zeros((Lc, B), dtype=bool)
    vec = {k: np.zeros(B) for k in ("sr", "obl", "top", "strength", "pooled", "has_up", "group")}
    criteria = np.zeros((B, 5), dtype=bool)
    for gi, g in enumerate(groups):
        sl = slice(g.offset, g.offset + g.n)
        holds[:, sl] = g.lines[:, None]
        vec["sr"][sl], vec["obl"][sl], vec["top"][sl] = g.savings_retained, g.overspend_borne_locally, g.top_slice
        vec["strength"][sl], vec["pooled"][sl] = g.incentive_strength, float(g.pooled)
        vec["has_up"][sl], vec["group"][sl] = float((g.lines & UPSTREAM).any()), gi
        criteria[sl] = g.criteria
    if not on("incentives"):
        vec["top"][:] = 0.0
    cover = [g.H[perm].sum(axis=1) for g in groups]
    weight = {rs: w[perm] for rs, w in rules.weight.items()}

    def to_atoms(per_budget: np.ndarray) -> np.ndarray:  # (L, B) → (L, A): Σ_b H[a, b] x[l, b]
        return (per_budget @ M.T)[:, run_of]

    eff_runs = (holds * (vec["sr"] * vec["obl"])[None, :]) @ M.T if on("behaviour") else np.zeros((Lc, len(M)))
    capped = np.array([g.hospital_input_cap is not None for g in groups for _ in range(g.n)])
    caps = np.array([g.hospital_input_cap or 0.0 for g in groups for _ in range(g.n)])
    acute = acute_mask()[:, None]
    cap_on = on("hospital_caps") and capped.any()
    cap_field = to_atoms(holds * acute * capped[None, :]) if cap_on else np.zeros((Lc, len(perm)))
    cap_rate = to_atoms(holds * acute * caps[None, :]) if cap_on else np.zeros((Lc, len(perm)))
    group_of = vec["group"].astype(int)
    cof, cof_cover = [], np.zeros(len(perm))
    if on("co_financing"):
        for rs, c in rules.cofinancing.items():
            cof.append(
                (rs, c.lines, (group_of == c.payer).astype(float), (group_of == c.receiver).astype(float), c.share)
            )
            cof_cover += weight[rs]
    reb = [
        (
            rs,
            (group_of == r.toward).astype(float),
            (group_of == r.away).astype(float),
            r.share,
            groups[r.toward].settlement_years,
        )
        for rs, r in rules.rebasing.items()
    ]

    # allocation: each budget's block grant from the allocation engine, spread over atoms by need
    growth = float(fixed["funding.real_growth"])
    central_spend = np.array(list(funding.envelope(fixed).values()))
    grants = funding.block_grants(inputs, rules, funding.envelope(fixed), funding.line_growth(fixed), years)
    alloc_b = grants.allocated.copy()
    fund_b = grants.top_slice if on("incentives") else np.zeros_like(grants.top_slice)
    n_proj = heads.shape[0]
    alloc_atoms = np.zeros((years, Lc, len(perm)))
    for rs, w in weight.items():
        atom_grant = grants.atoms[rs][:, :, perm]  # (years, L, A) sorted
        alloc_atoms += atom_grant * w[None, None, :]
        for crs, lines, payer, receiver, _share in cof:
            c = rules.cofinancing[crs]
            if crs == rs and c.hospital_funding_to_local > 0:
                for t in range(years):
                    shift = np.add.reduceat(c.hospital_funding_to_local * atom_grant[t][lines].sum(axis=0), starts) @ M
                    alloc_b[t] += shift * payer - shift * receiver
    envelope = alloc_atoms.sum(axis=(1, 2))
    # pooled funds (Better Care Fund): spread by need on the pooled lines, grown with the envelope
    pool_out, pool_in = np.zeros((years, B)), np.zeros((years, B))
    for rule in rules.pooling:
        for t in range(years):
            h = heads[min(t, n_proj - 1)]
            need = (central_spend[:, None] * h / h.sum(axis=1)[:, None])[rule.lines].sum(axis=0)
            atom_amount = rule.amount * (1.0 + growth) ** t * need / need.sum()
            per_budget = np.add.reduceat(atom_amount, starts) @ M
            pool_out[t] += np.where(group_of == rule.sender, per_budget, 0.0)
            pool_in[t] += np.where(group_of == rule.receiver, per_budget, 0.0)
    return Prepared(
        perm,
        np.argsort(perm),
        starts,
        run_of,
        M,
        heads,
        inputs.atom_lad[perm],
        holds,
        vec,
        criteria,
        cover,
        weight,
        alloc_b,
        fund_b,
        alloc_atoms,
        envelope,
        eff_runs,
        cap_field,
        cap_rate,
        cof,
        cof_cover,
        reb,
        pool_out=pool_out,
        pool_in=pool_in,
        grant_b=grants.allocated,
    )


_PREPARED: dict[tuple[Any, ...], Prepared] = {}


def prepared(inputs: Inputs, rules: Rules, fixed: dict[str, Any], years: int, factors: frozenset[str]) -> Prepared:
    """:func:`prepare`, cached for the last few (rules, inputs, parameters, years, factors)."""
    key = (
        id(inputs),
        inputs.atom_level,
        id(rules),
        rules.digest,
        rules.atom_level,
        rules.n_budgets,
        years,
        factors,
        tuple(sorted((k, str(v)) for k, v in fixed.items())),
    )
    if key not in _PREPARED:
        if len(_PREPARED) > 16:
            _PREPARED.clear()
        _PREPARED[key] = prepare(inputs, rules, fixed, years, factors)
    return _PREPARED[key]


def _spend_by_line(p: dict[str, Any], xp: Any, n: int) -> Any:
    """£ base-year national spend per (draw, line); emergency admissions = count × unit cost."""
    cols = []
    for line in LINE_IDS:
        if line == "acute_non_elective":
            cols.append(p["admissions.count"] * p["admissions.unit_cost"])
        else:
            cols.append(p[f"demand.spend.{line}"] * 1e9)
    return xp.stack([xp.reshape(c, (n,)) for c in cols], axis=1)


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
) -> BlockResult:
    """Simulate one block of draws for ``years`` years and return its outputs (host NumPy).

    Inside a year the arrays are (draw, line, atom) with atoms ordered in runs of identical membership,
    so aggregating to budgets is a segment sum over runs followed by a small matrix product with the
    run × budget membership matrix.
    """
    prep = prepared(inputs, rules, fixed, years, factors)
    on = factors.__contains__
    D, A, Lc, B = len(values.draws), len(rules.atoms), len(LINE_IDS), rules.n_budgets
    p = {k: asarray(xp, v) for k, v in values.scalars.items()}
    for key, v in fixed.items():
        if key not in p and not isinstance(v, list):
            p[key] = asarray(xp, np.full(D, float(v)))
    col = {k: v[:, None] for k, v in p.items()}  # (D, 1) for (D, A) arithmetic
    heads = asarray(xp, prep.heads)
    n_proj = prep.heads.shape[0]
    cost_per_head = _spend_by_line(p, xp, D) / asarray(xp, prep.heads[0].sum(axis=1))[None, :]
    nd_group = np.array(
        [["nhs", "adult_social_care", "local_services"].index(demand.GROWTH_GROUP[x]) for x in LINE_IDS]
    )
    nd_all = xp.stack(
        [
            p["demand.non_demographic_growth.nhs"],
            p["demand.non_demographic_growth.adult_social_care"],
            p["demand.non_demographic_growth.local_services"],
        ],
        axis=1,
    )
    nd = xp.take(nd_all, xp.asarray(nd_group), axis=1) * (1.0 if on("non_demographic_growth") else 0.0)
    zero_d = p["demand.ageing_growth"] * 0.0
    pop_growth = p["demand.population_growth_after_projection"] if on("demography") else zero_d
    ageing = p["demand.ageing_growth"] if on("demography") else zero_d
    effect = col["prevention.effect"] * (1.0 if on("prevention") else 0.0)
    weights = prevention.lag_weights(fixed["prevention.lag"])
    central = asarray(xp, values.central.astype(float))[:, None]
    live = 1.0 - central
    runs = prep.run_matrix.get(xp.__name__) or prep.run_matrix.setdefault(xp.__name__, RunMatrix(xp, prep.M))
    run_of = xp.asarray(prep.run_of)
    run_counts = np.diff(np.r_[prep.starts, len(prep.run_of)])
    holds = asarray(xp, prep.holds.astype(float))  # (L, B)
    vec = {k: asarray(xp, v) for k, v in prep.vec.items()}
    floors = asarray(xp, inputs.floors)
    eff_runs = asarray(xp, prep.eff_runs)
    any_eff = on("behaviour") and bool(prep.eff_runs.any())
    cap_lines = [j for j in range(Lc) if prep.cap_field[j].any()]
    cap_field, cap_rate = asarray(xp, prep.cap_field), asarray(xp, prep.cap_rate)
    cof_factor = asarray(
        xp, cofinancing.admissions_factor(float(fixed["cofinancing.admissions_effect"]), prep.cof_cover)
    )
    up = asarray(xp, UPSTREAM.astype(float))
    investing = [
        gi
        for gi, g in enumerate(rules.groups)
        if on("behaviour") and g.incentive_strength > 0 and (g.lines & UPSTREAM).any()
    ]
    covers = {gi: asarray(xp, prep.cover[gi]) for gi in investing}
    reinvesting = on("behaviour") and bool((prep.vec["sr"] * prep.vec["has_up"]).any())
    reinvestor = asarray(xp, ((prep.vec["sr"] > 0) * prep.vec["has_up"]).astype(float))
    bearer = asarray(xp, (prep.vec["obl"] > 0).astype(float))
    up_lines = [j for j in range(Lc) if UPSTREAM[j]]
    up_holds = holds * up[:, None]  # (L, B) upstream lines held
    obl_any = on("behaviour") and bool(prep.vec["obl"].any())
    top_any = bool(prep.vec["top"].any())
    crit = [asarray(xp, prep.criteria[:, k].astype(float)) for k in range(5)]
    noise_x = asarray(xp, values.criteria_noise if top_any else np.zeros((1, years, 1, 3)))
    alloc_x = asarray(xp, prep.alloc_b)
    fund_x = asarray(xp, prep.fund_b)
    grant_x = asarray(xp, prep.grant_b)
    zero_b = xp.zeros((D, B))
    pooling = bool(rules.pooling)
    pool_out_x, pool_in_x = asarray(xp, prep.pool_out), asarray(xp, prep.pool_in)
    cof = [(rs, lines, asarray(xp, pay), asarray(xp, rec), share) for rs, lines, pay, rec, share in prep.cof]
    reb = [(rs, asarray(xp, toward), asarray(xp, away), share, n) for rs, toward, away, share, n in prep.reb]

    def seg(x: Any) -> Any:  # (..., A) → (..., B): segment sum over runs, then runs × budgets
        return runs.to_budgets(segment_sum(xp, x, prep.starts))

    def nat(x_runs: Any) -> np.ndarray:  # (..., runs) → (...,) national total, summed in a fixed order
        return _row_sums(x_runs)

    out = {m: np.zeros((D, years, B)) for m in BUDGET_MEASURES}
    national = {
        k: np.zeros((D, years))
        for k in ("admissions", "population", "avoided_admissions", "incentive_unpaid", "envelope")
    }
    national |= {k: np.zeros((D, years, Lc)) for k in ("spent_by_line", "need_by_line", "allocated_by_line")}
    allocated_by_line = prep.alloc_atoms.sum(axis=2)  # (years, L): the same for every draw
    keep = keep_atoms and bool(values.central.any())
    c0 = int(np.argmax(values.central)) if keep else 0
    atoms_out: dict[str, np.ndarray] = {}
    if keep:
        atoms_out = {k: np.zeros((years, A, Lc)) for k in ("allocated", "spent", "need")}
        atoms_out |= {k: np.zeros((years, A)) for k in ("admissions", "avoided_admissions")}
    per_draw = {m: np.zeros((D, years, A)) for m in ATOM_DRAW_MEASURES} if atom_draws else {}

    reserves = xp.zeros((D, B))
    cut = xp.zeros((D, B))
    walk = xp.ones((D, B))
    prev_adm = prev_readm = None
    rebase = {rs: xp.zeros((D, A)) for rs, *_ in prep.reb}
    rebase_b = {rs: xp.zeros((D, B)) for rs, *_ in prep.reb}  # its sum per budget: changes at settlement ends
    last_avoided = xp.zeros((D, A))
    max_gap = 0.0
    saving_ramp = float(fixed["behaviour.efficiency_ramp_years"])
    setup = AtomSetup(
        xp=xp,
        heads=heads,
        heads_host=prep.heads,
        lad_shocks=values.shocks,
        atom_lad=prep.atom_lad,
        shock_scale=live * col["demand.area_shock_sd"],
        effect=effect,
        lag_weights=weights,
        avoidable_share=col["admissions.avoidable_share"],
        unit_cost=col["admissions.unit_cost"],
        cof_factor=cof_factor,
        starts=prep.starts,
        run_of=run_of,
        run_counts=run_counts,
        cap_lines=cap_lines,
        cap_field=cap_field,
        cap_rate=cap_rate,
        cap_price=col["behaviour.cap_marginal_price"],
        row_lines=sorted(set(cap_lines) | (set(up_lines) | {ELECTIVE} if investing else set())),
        investing=[
            InvestingGroup(
                lines=[j for j in range(Lc) if rules.groups[gi].lines[j]],
                ups=[j for j in range(Lc) if rules.groups[gi].lines[j] and UPSTREAM[j]],
                cover=covers[gi],
                strength=rules.groups[gi].incentive_strength,
                pooled=rules.groups[gi].pooled,
                from_elective=bool(rules.groups[gi].lines[ELECTIVE]),
            )
            for gi in investing
        ],
        shift_rate=p["behaviour.left_shift_rate"],
        capture=p["behaviour.acute_capture"],
        up_lines=up_lines,
    )
    # the fused Numba kernels on NumPy when runs of atoms are long; the array-API path otherwise (same results)
    use_fused = is_numpy(xp) and fused.enabled(A / len(prep.starts))
    atom_stage = FusedAtoms(setup, D) if use_fused else GenericAtoms(setup)
    unit_cost = col["admissions.unit_cost"]

    for t in range(years):
        ty = min(t, n_proj - 1)
        grow = demand.growth(xp, t, n_proj, pop_growth, ageing, nd)  # (D, L)

        # efficiency of budgets bearing risk and cuts after overspends are run-level factors (every atom of
        # a run has the same budgets), so most lines' spend is aggregated as factor × need without touching
        # atoms; only rows changed atom by atom (hospital caps, upstream investment) are built per atom
        eff_lr = (
            1.0
            - behaviour.efficiency(p["behaviour.efficiency_saving"], saving_ramp, t)[:, None, None]
            * (eff_runs[None, :, :])
            if any_eff
            else None
        )
        cut_lr = 1.0 - runs.to_runs(cut[:, None, :] * holds[None, :, :]) if obl_any else None
        factor_lr = eff_lr if cut_lr is None else cut_lr if eff_lr is None else eff_lr * cut_lr

        # need, prevention (admissions), spend rows built per atom and the left shift, summed over runs
        year = atom_stage.year(t, ty, cost_per_head * grow, eff_lr, cut_lr, factor_lr, store=keep or atom_draws)
        demand_t, demand_lr, rows = year.demand, year.demand_lr, year.rows
        admissions, avoided = year.admissions, year.avoided
        spent_lr = xp.asarray(demand_lr, copy=True) if factor_lr is None else demand_lr * factor_lr

        # aggregate to budgets: rows built per atom replace their run-level sums
        for j, row_lr in year.rows_lr.items():
            spent_lr = set_line(xp, spent_lr, j, row_lr)
        spent_lb, demand_lb = runs.to_budgets(spent_lr), runs.to_budgets(demand_lr)  # (D, L, B)

        # reinvestment of positive reserves upstream, decided per budget
        reinvest = xp.zeros((D, B))
        reinvest_lr = None
        if reinvesting:
            up_b = xp.sum(demand_lb * up_holds[None, :, :], axis=1)  # (D, B)
            amount = col["behaviour.reinvest_share"] * xp.maximum(reserves, 0.0) * reinvestor[None, :]
            reinvest = xp.where(up_b > 0, amount, 0.0)
            rate = reinvest / xp.where(up_b > 0, up_b, 1.0)
            rate_lr = runs.to_runs(rate[:, None, :] * up_holds[None, :, :])  # (D, L, runs)
            reinvest_lr = rate_lr * demand_lr  # constant rate in a run
            atom_stage.reinvest(year, rate_lr)
        atom_stage.end_year(year)

        # rebasing at settlement end moves part of the activity shift to the local tier
        alloc_b = alloc_x[t][None, :] + xp.zeros((D, B))
        for rs, toward, away, share, years_s in reb:
            if t > 0 and t % years_s == 0:
                rebase[rs] = rebase[rs] * (1.0 + float(fixed["funding.real_growth"])) + share * last_avoided
                rebase_b[rs] = seg(rebase[rs])
            if t > 0:
                alloc_b = alloc_b + rebase_b[rs] * (toward - away)
        last_avoided = avoided

        # co-financing: the local tier pays a share of residents' acute spend to the regional tier
        t_in = xp.zeros((D, B))
        t_out = xp.zeros((D, B))
        for _rs, cof_lines, payer, receiver, share in cof:
            pay_b = share * sum(spent_lb[:, j, :] for j in range(Lc) if cof_lines[j])
            t_out = t_out + pay_b * payer
            t_in = t_in + pay_b * receiver

        pop_r = segment_sum(xp, heads[ty][POP], prep.starts)
        counts_r = xp.stack([*year.counts_lr, xp.zeros((D, 1)) + pop_r[None, :]], axis=0)
        counts = runs.to_budgets(counts_r)  # (4, D, B)
        adm_b, avoided_b, avoidable_b, pop_b = counts[0], counts[1], counts[2], counts[3]
        spent_b = xp.sum(spent_lb * holds[None, :, :], axis=1) + reinvest
        if pooling:
            # a pooled fund moves who pays for the pooled services, not what they cost
            t_out = t_out + pool_out_x[t][None, :]
            t_in = t_in + pool_in_x[t][None, :]
            spent_b = spent_b + (pool_in_x[t] - pool_out_x[t])[None, :]
        need_b = xp.sum(demand_lb * holds[None, :, :], axis=1)

        # incentive fund: top-slice held back, paid on the criteria each budget meets
        fund = fund_x[t][None, :] + xp.zeros((D, B))
        kept = alloc_b - fund
        paid = xp.zeros((D, B))
        if top_any:
            adm_ph = adm_b / xp.where(pop_b > 0, pop_b, 1.0)
            noise = noise_x[:, t]  # (D, B, 3)
            walk = walk * (1.0 + col["incentives.readmission_trend_sd"] * noise[:, :, 0] * live)
            readm = col["admissions.readmission_rate"] * adm_ph * walk
            tele = central * col["incentives.p_telemedicine"] + live * xp.astype(
                noise[:, :, 1] < col["incentives.p_telemedicine"], xp.float64
            )
            it = central * col["incentives.p_it_integration"] + live * xp.astype(
                noise[:, :, 2] < col["incentives.p_it_integration"], xp.float64
            )
            share_avoided = avoided_b / xp.where(avoidable_b > 0, avoidable_b, 1.0)
            flags = [
                adm_ph < (prev_adm if prev_adm is not None else adm_ph),
                share_avoided >= float(fixed["incentives.chronic_target"]),
                readm < (prev_readm if prev_readm is not None else readm),
                tele,
                it,
            ]
            met = sum(xp.astype(f, xp.float64) * c[None, :] for f, c in zip(flags, crit, strict=True))
            frac = incentives.payout_fraction(
                xp,
                met,
                float(fixed["incentives.payout_per_criterion"]),
                float(fixed["incentives.criteria_for_full_payout"]),
            )
            paid = frac * fund
            prev_adm, prev_readm = adm_ph, readm

        # balance: surplus kept or returned, deficit borne from reserves or met by the centre
        money_in = kept + paid + t_in + reinvest
        surplus = money_in - spent_b - t_out
        to_res, returned, borne, support = balance.settle(xp, surplus, vec["sr"][None, :], vec["obl"][None, :])
        change = to_res - borne - reinvest
        reserves = reserves + change
        if obl_any:
            cut = behaviour.cut_rate(xp, reserves, spent_b, col["behaviour.overspend_response"]) * bearer[None, :]
        ratio = balance.need_adjusted_ratio(xp, spent_lb, demand_lb)
        breached = xp.any((ratio < floors[None, :, None] - 1e-12) & (holds[None, :, :] > 0), axis=1)
        flag = balance.intervention(reserves, breached)

        if check:
            gap = balance.conservation_gap(xp, kept + paid + t_in + support, spent_b, t_out, change, returned)
            envelope = float(prep.envelope[t])
            ledger = np.abs(_row_sums(alloc_b) - envelope) / max(envelope, 1.0)
            transfers = np.abs(_row_sums(t_in) - _row_sums(t_out)) / max(envelope, 1.0)
            max_gap = max(max_gap, float(to_numpy(gap)), float(ledger.max()), float(transfers.max()))
            if max_gap > CONSERVATION_TOLERANCE:
                raise ConservationError(f"money not conserved in {rules.architecture} year {t}: gap {max_gap:.3g}")

        if atom_draws:
            _atom_totals(
                xp,
                per_draw,
                t,
                prep,
                demand_t,
                rows,
                factor_lr,
                rate_lr if reinvest_lr is not None else None,
                admissions,
                reserves,
                runs,
                run_of,
                run_counts,
                seg,
            )
        for name, value in (
            ("allocated", alloc_b),
            ("grant", grant_x[t][None, :] + zero_b),
            ("incentive_fund", fund),
            ("incentive_paid", paid),
            ("spent", spent_b),
            ("transfers_in", t_in),
            ("transfers_out", t_out),
            ("reserves", reserves),
            ("reserve_change", change),
            ("returned", returned),
            ("deficit_support", support),
            ("need", need_b),
            ("admissions", adm_b),
            ("floor_breached", xp.astype(breached, xp.float64)),
            ("intervention", xp.astype(flag, xp.float64)),
        ):
            out[name][:, t, :] = to_numpy(value)
        total_lr = spent_lr if reinvest_lr is None else spent_lr + reinvest_lr
        national["spent_by_line"][:, t] = nat(total_lr)
        national["need_by_line"][:, t] = nat(demand_lr)
        national["admissions"][:, t] = nat(counts_r[0])
        national["avoided_admissions"][:, t] = nat(counts_r[1])
        national["population"][:, t] = float(prep.heads[ty][POP].sum())
        national["allocated_by_line"][:, t] = allocated_by_line[t][None, :]
        national["incentive_unpaid"][:, t] = _row_sums(fund) - _row_sums(paid)
        national["envelope"][:, t] = float(prep.envelope[t])
        if keep:
            inverse = prep.inverse
            atoms_out["allocated"][t] = prep.alloc_atoms[t][:, inverse].T
            spent0 = np.array(to_numpy(demand_t[c0]))  # a copy: rows are written into it
            if factor_lr is not None:
                spent0 = spent0 * to_numpy(factor_lr[c0])[:, prep.run_of]
            for j, row in rows.items():
                spent0[j] = to_numpy(row[c0])
            if reinvest_lr is not None:
                spent0 = spent0 + to_numpy(rate_lr[c0])[:, prep.run_of] * to_numpy(demand_t[c0])
            atoms_out["spent"][t] = spent0[:, inverse].T
            atoms_out["need"][t] = to_numpy(demand_t[c0])[:, inverse].T
            atoms_out["admissions"][t] = to_numpy(admissions[c0])[inverse]
            atoms_out["avoided_admissions"][t] = to_numpy(avoided[c0] / unit_cost[c0])[inverse]
    return BlockResult(values.draws, out, national, atoms_out, max_gap, per_draw)


def _atom_totals(
    xp: Any,
    per_draw: dict[str, np.ndarray],
    t: int,
    prep: Prepared,
    demand_t: Any,
    rows: dict[int, Any],
    factor_lr: Any,
    rate_lr: Any,
    admissions: Any,
    reserves: Any,
    runs: RunMatrix,
    run_of: Any,
    run_counts: np.ndarray,
    seg: Any,
) -> None:
    """Every draw's per-atom totals over lines for year ``t`` (original atom order): allocated, spent,
    admissions, and reserves, a budget's reserves shared over its atoms by population."""
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
    pop_b = seg(pop[None, :])  # (1, B)
    share = reserves / xp.where(pop_b > 0, pop_b, 1.0)
    held = expand_runs(xp, runs.to_runs(share), run_of, run_counts) * pop[None, :]
    inverse = prep.inverse
    per_draw["allocated"][:, t] = prep.alloc_atoms[t].sum(axis=0)[inverse][None, :]
    per_draw["spent"][:, t] = to_numpy(spent)[:, inverse]
    per_draw["admissions"][:, t] = to_numpy(admissions)[:, inverse]
    per_draw["reserves"][:, t] = to_numpy(held)[:, inverse]


def _row_sums(x: Any) -> np.ndarray:
    """Sum over the last axis on the host, contiguous, so the order does not depend on the draw count."""
    return np.ascontiguousarray(to_numpy(x)).sum(axis=-1)
