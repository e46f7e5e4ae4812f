"""The engine: one block of draws through every year of an architecture's money rules.

Arrays are (draw, atom, line) inside a year and (draw, year, budget) on output; the only Python loops are
over years and over the handful of budget groups of the rules (never over atoms, budgets or draws). Code
uses the array API standard through ``array_api_compat``, so NumPy, CuPy or JAX can run it.

Order of a year: need → prevention (admissions) → efficiency, hospital caps and cuts → upstream investment
→ co-financing → allocation (block grants, top-slice, hospital funding to the local tier, rebasing) →
aggregation to budgets → incentive payments → balance (reserves, returned, national support) → floors and
intervention flags → the conservation check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devocare.service_lines import LINE_IDS, UPSTREAM_LINES
from devocare.simulation import balance, behaviour, cofinancing, demand, funding, incentives, prevention
from devocare.simulation.backend import Membership, asarray, to_numpy
from devocare.simulation.inputs import Inputs
from devocare.simulation.rules import Rules, acute_mask, line_mask

NE = LINE_IDS.index("acute_non_elective")
ELECTIVE = LINE_IDS.index("acute_elective")
POP = LINE_IDS.index("wider_determinants")  # its need basis is plain population
UPSTREAM = line_mask(UPSTREAM_LINES)
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


def _field(xp: Any, rules: Rules, value: dict[int, float], lines_only: np.ndarray | None = None) -> Any:
    """(atom, line) field: Σ over groups of coverage × group's lines × the group's value."""
    out = np.zeros((len(rules.atoms), len(LINE_IDS)))
    for gi, v in value.items():
        g = rules.groups[gi]
        mask = g.lines if lines_only is None else (g.lines & lines_only)
        out += g.H.sum(axis=1)[:, None] * mask[None, :] * v
    return asarray(xp, out)


def _spend_by_line(p: dict[str, Any], xp: Any, n: int) -> Any:
    """£ base-year national spend per (draw, line); emergency admissions = count × unit cost."""
    cols = []
    for line in LINE_IDS:
        if line == "acute_non_elective":
            cols.append(p["admissions.count"] * p["admissions.unit_cost"])
        else:
            cols.append(p[f"demand.spend.{line}"] * 1e9)
    return xp.stack([xp.reshape(c, (n,)) for c in cols], axis=1)


def _row_sums(x: Any) -> np.ndarray:
    """Sum over the last axis on the host, contiguous, so the order does not depend on the draw count."""
    return np.ascontiguousarray(to_numpy(x)).sum(axis=-1)


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
) -> BlockResult:
    """Simulate one block of draws for ``years`` years and return its outputs (host NumPy)."""
    D, A, Lc = len(values.draws), len(rules.atoms), len(LINE_IDS)
    on = factors.__contains__
    p = {k: asarray(xp, v) for k, v in values.scalars.items()}
    for key, v in fixed.items():
        if key not in p and not isinstance(v, list):
            p[key] = asarray(xp, np.full(D, float(v)))
    heads = inputs.weighted_heads if on("demography") else inputs.weighted_heads[:1]
    n_proj = heads.shape[0]
    base_heads = heads[0].sum(axis=0)
    spend = _spend_by_line(p, xp, D)
    cost_per_head = spend / asarray(xp, base_heads)[None, :]
    central_spend = to_numpy(
        _spend_by_line(
            {k: asarray(xp, np.full(1, float(fixed[k]))) for k in fixed if not isinstance(fixed[k], list)}, xp, 1
        )
    )[0]
    group_nd = {
        g: np.array([demand.GROWTH_GROUP[line] == g for line in LINE_IDS])
        for g in ("nhs", "adult_social_care", "local_services")
    }
    nd = sum(
        p[f"demand.non_demographic_growth.{g}"][:, None] * asarray(xp, m.astype(float))[None, :]
        for g, m in group_nd.items()
    )
    if not on("non_demographic_growth"):
        nd = nd * 0.0
    pop_growth = p["demand.population_growth_after_projection"] if on("demography") else p["demand.ageing_growth"] * 0.0
    ageing = p["demand.ageing_growth"] if on("demography") else p["demand.ageing_growth"] * 0.0
    effect = p["prevention.effect"] if on("prevention") else p["prevention.effect"] * 0.0
    weights = prevention.lag_weights(fixed["prevention.lag"])
    shocks = asarray(xp, values.shocks[:, :, inputs.atom_lad])  # (D, years, A)
    shock_sd = p["demand.area_shock_sd"][:, None]
    cn = values.criteria_noise
    central = asarray(xp, values.central.astype(float))[:, None]

    groups = rules.groups
    members = [Membership(xp, g.H) for g in groups]
    england = Membership(xp, np.ones((A, 1)))

    def over_atoms(x: Any) -> Any:
        # (D, A, L) → (D, L), summed in a fixed order whatever the number of draws
        return england.aggregate(xp.permute_dims(x, (0, 2, 1)))[:, :, 0]

    masks = [asarray(xp, g.lines.astype(float)) for g in groups]
    up_masks = [asarray(xp, (g.lines & UPSTREAM).astype(float)) for g in groups]
    coverage = [asarray(xp, g.H.sum(axis=1)) for g in groups]
    floors = asarray(xp, inputs.floors)
    acute = acute_mask()
    sr_obl = {i: g.savings_retained * g.overspend_borne_locally for i, g in enumerate(groups)}
    efficiency_field = _field(xp, rules, sr_obl) if on("behaviour") else None
    cap_groups = {i: g.hospital_input_cap for i, g in enumerate(groups) if g.hospital_input_cap is not None}
    cap_on = on("hospital_caps") and bool(cap_groups)
    cap_field = _field(xp, rules, {i: 1.0 for i in cap_groups}, acute) if cap_on else None
    cap_rate = _field(xp, rules, cap_groups, acute) if cap_on else None
    cof_rules = rules.cofinancing if on("co_financing") else {}
    reb_rules = rules.rebasing
    cof_cover = np.zeros(A)
    for rs in cof_rules:
        cof_cover += rules.weight[rs]
    cof_factor = asarray(xp, cofinancing.admissions_factor(float(fixed["cofinancing.admissions_effect"]), cof_cover))

    elective_mask = asarray(xp, (np.arange(Lc) == ELECTIVE).astype(float))
    B = rules.n_budgets
    out = {m: np.zeros((D, years, B)) for m in BUDGET_MEASURES}
    national = {
        "admissions": np.zeros((D, years)),
        "population": np.zeros((D, years)),
        "spent_by_line": np.zeros((D, years, Lc)),
        "need_by_line": np.zeros((D, years, Lc)),
        "allocated_by_line": np.zeros((D, years, Lc)),
        "avoided_admissions": np.zeros((D, years)),
        "incentive_unpaid": np.zeros((D, years)),
        "envelope": np.zeros((D, years)),
    }
    atoms_out: dict[str, np.ndarray] = {}
    keep = keep_atoms and bool(values.central.any())
    if keep:
        atoms_out = {
            "allocated": np.zeros((years, A, Lc)),
            "spent": np.zeros((years, A, Lc)),
            "need": np.zeros((years, A, Lc)),
            "admissions": np.zeros((years, A)),
            "avoided_admissions": np.zeros((years, A)),
        }
    c0 = int(np.argmax(values.central)) if keep else 0

    reserves = [xp.zeros((D, g.n)) for g in groups]
    cut = [xp.zeros((D, g.n)) for g in groups]
    prev_adm = [None] * len(groups)
    prev_readm = [None] * len(groups)
    readm_walk = [xp.ones((D, g.n)) for g in groups]
    history: list[Any] = []
    rebase = {rs: xp.zeros((D, A)) for rs in reb_rules}
    base_demand = None
    last_avoided = xp.zeros((D, A))
    max_gap = 0.0

    for t in range(years):
        ty = min(t, n_proj - 1)
        heads_t = asarray(xp, heads[ty])
        grow = demand.growth(xp, t, n_proj, pop_growth, ageing, nd)
        shock = 1.0 + (1.0 - central) * shock_sd * shocks[:, t, :]
        need = demand.need_cost(xp, cost_per_head, heads_t, grow, shock)  # (D, A, L)

        # prevention and admissions
        ne = need[:, :, NE]
        ceiling = p["admissions.avoidable_share"][:, None] * ne
        effective = prevention.lagged_spend(xp, history, weights) if history else xp.zeros((D, A))
        avoided = prevention.avoided_cost(xp, effective, effect[:, None], ceiling)
        unit_cost = p["admissions.unit_cost"][:, None]
        admissions = (ne - avoided) / unit_cost * cof_factor[None, :]
        ne_mask = asarray(xp, (np.arange(Lc) == NE).astype(float))
        demand_t = need + (admissions * unit_cost - ne)[:, :, None] * ne_mask[None, None, :]

        # efficiency, hospital caps, cuts
        spent = demand_t
        if efficiency_field is not None:
            saving = behaviour.efficiency(
                p["behaviour.efficiency_saving"], float(fixed["behaviour.efficiency_ramp_years"]), t
            )
            spent = spent * (1.0 - saving[:, None, None] * efficiency_field[None, :, :])
        if cap_on:
            if base_demand is None:
                base_demand = spent
            level = base_demand * (1.0 + cap_rate[None, :, :]) ** t
            capped = behaviour.capped(xp, spent, level, p["behaviour.cap_marginal_price"][:, None, None])
            spent = spent + cap_field[None, :, :] * (capped - spent)
        if on("behaviour"):
            for gi, g in enumerate(groups):
                if g.overspend_borne_locally > 0:
                    spent = spent * (1.0 - members[gi].distribute(cut[gi])[:, :, None] * masks[gi][None, None, :])

        # upstream investment (left shift) out of each budget's own money
        extra = xp.zeros((D, A, Lc))
        if on("behaviour"):
            for gi, g in enumerate(groups):
                if g.incentive_strength <= 0 or not (g.lines & UPSTREAM).any():
                    continue
                pot_need = xp.sum(need * masks[gi][None, None, :], axis=-1) * coverage[gi][None, :]
                invest = behaviour.left_shift(
                    pot_need,
                    p["behaviour.left_shift_rate"],
                    g.incentive_strength,
                    p["behaviour.acute_capture"],
                    g.pooled,
                    t,
                )
                up_need = need * up_masks[gi][None, None, :]
                total_up = xp.sum(up_need, axis=-1)
                safe = xp.where(total_up > 0, total_up, xp.ones_like(total_up))
                extra = extra + (invest / safe)[:, :, None] * up_need
                if g.lines[ELECTIVE]:
                    # a left shift moves spend out of hospital care in the same budget: cost-neutral at first
                    moved = xp.minimum(invest * xp.astype(total_up > 0, invest.dtype), spent[:, :, ELECTIVE] * 0.5)
                    extra = extra - moved[:, :, None] * elective_mask[None, None, :]
        spent = spent + extra

        # reinvestment of reserves: decided per budget, spread over its atoms' upstream need
        reinvest = [xp.zeros((D, g.n)) for g in groups]
        reinvest_atoms = xp.zeros((D, A, Lc))
        if on("behaviour"):
            for gi, g in enumerate(groups):
                if g.savings_retained <= 0 or not (g.lines & UPSTREAM).any():
                    continue
                up_need = need * up_masks[gi][None, None, :]
                up_b = members[gi].aggregate(xp.sum(up_need, axis=-1))
                amount = p["behaviour.reinvest_share"][:, None] * xp.maximum(reserves[gi], xp.zeros_like(reserves[gi]))
                rate = xp.where(up_b > 0, amount / xp.where(up_b > 0, up_b, xp.ones_like(up_b)), xp.zeros_like(up_b))
                reinvest[gi] = xp.where(up_b > 0, amount, xp.zeros_like(amount))
                reinvest_atoms = reinvest_atoms + members[gi].distribute(rate)[:, :, None] * up_need
        history = [
            xp.sum((extra + reinvest_atoms) * asarray(xp, UPSTREAM.astype(float))[None, None, :], axis=-1)
        ] + history
        history = history[: len(weights)]

        # allocation per rule set: block grants fixed for the settlement, shares from need at its start
        alloc_rs: dict[str, Any] = {}
        alloc_atoms = np.zeros((A, Lc))
        for rs, w in rules.weight.items():
            g0 = next(g for g in groups if g.architecture == rs)
            start = funding.settlement_start(t, g0.settlement_years)
            h = heads[min(start, n_proj - 1)]
            share = h / h.sum(axis=0)[None, :]
            env = funding.envelope(central_spend, float(fixed["funding.real_growth"]), start)
            grant = funding.allocation(env, share, g0.indexation, t - start) * funding.block_grant_growth(
                float(fixed["funding.real_growth"]), t - start
            )
            alloc_rs[rs] = grant
            alloc_atoms += grant * w[:, None]
        envelope_total = float(alloc_atoms.sum())

        # rebasing at settlement end: part of the activity shifted out of hospital moves to the local tier
        for rs, rr in reb_rules.items():
            g0 = groups[rr.toward]
            if t > 0 and t % g0.settlement_years == 0:
                rebase[rs] = rebase[rs] * (1.0 + float(fixed["funding.real_growth"])) + rr.share * last_avoided
        last_avoided = avoided

        # aggregate to budgets
        cof_pay = {
            rs: cofinancing.payments(xp, spent, asarray(xp, c.lines.astype(float))[None, None, :], c.share)
            for rs, c in cof_rules.items()
        }
        national_need_line = over_atoms(demand_t)
        pop_atoms = heads_t[:, POP]
        avoidable_adm = ceiling / unit_cost
        avoided_adm = avoided / unit_cost
        gross_alloc_total = 0.0
        fund_total = np.zeros(D)
        paid_total = np.zeros(D)
        t_in_total = np.zeros(D)
        t_out_total = np.zeros(D)
        for gi, g in enumerate(groups):
            rs = g.architecture
            mask = masks[gi]
            pot_alloc = asarray(xp, (alloc_rs[rs] * g.lines[None, :]).sum(axis=1))[None, :] + xp.zeros((D, A))
            c = cof_rules.get(rs)
            if c is not None and c.hospital_funding_to_local > 0:
                shift = asarray(
                    xp,
                    cofinancing.hospital_funding_to_local(
                        np, alloc_rs[rs], c.lines[None, :], c.hospital_funding_to_local
                    ),
                )
                if gi == c.payer:
                    pot_alloc = pot_alloc + shift[None, :]
                elif gi == c.receiver:
                    pot_alloc = pot_alloc - shift[None, :]
            rr = reb_rules.get(rs)
            if rr is not None:
                if gi == rr.toward:
                    pot_alloc = pot_alloc + rebase[rs]
                elif gi == rr.away:
                    pot_alloc = pot_alloc - rebase[rs]
            t_out_atoms = cof_pay[rs] if (c is not None and gi == c.payer) else xp.zeros((D, A))
            t_in_atoms = cof_pay[rs] if (c is not None and gi == c.receiver) else xp.zeros((D, A))
            lines_idx = [j for j in range(Lc) if g.lines[j]]
            stack = [
                pot_alloc,
                xp.sum(spent * mask[None, None, :], axis=-1),
                xp.sum(demand_t * mask[None, None, :], axis=-1),
                t_in_atoms,
                t_out_atoms,
                admissions,
                avoided_adm,
                avoidable_adm,
                xp.zeros((D, A)) + pop_atoms[None, :],
            ]
            stack += [spent[:, :, j] for j in lines_idx] + [demand_t[:, :, j] for j in lines_idx]
            agg = members[gi].aggregate(xp.stack(stack, axis=0))  # (k, D, n)
            alloc_b, spent_b, need_b, t_in, t_out, adm_b, avoided_b, avoidable_b, pop_b = (agg[i] for i in range(9))
            nl = len(lines_idx)
            spent_bl, need_bl = agg[9 : 9 + nl], agg[9 + nl : 9 + 2 * nl]
            spent_b = spent_b + reinvest[gi]

            # incentive fund: top-slice held back, paid on criteria met
            top = g.top_slice if on("incentives") else 0.0
            kept, fund = funding.top_slice(alloc_b, top)
            paid = xp.zeros_like(fund)
            if top > 0:
                safe_pop = xp.where(pop_b > 0, pop_b, xp.ones_like(pop_b))
                adm_ph = adm_b / safe_pop
                readm_walk[gi] = readm_walk[gi] * (
                    1.0
                    + p["incentives.readmission_trend_sd"][:, None]
                    * asarray(xp, cn[:, t, g.offset : g.offset + g.n, 0])
                    * (1.0 - central)
                )
                readm_ph = p["admissions.readmission_rate"][:, None] * adm_ph * readm_walk[gi]
                tele = central * p["incentives.p_telemedicine"][:, None] + (1.0 - central) * xp.astype(
                    asarray(xp, cn[:, t, g.offset : g.offset + g.n, 1]) < p["incentives.p_telemedicine"][:, None],
                    xp.float64,
                )
                it = central * p["incentives.p_it_integration"][:, None] + (1.0 - central) * xp.astype(
                    asarray(xp, cn[:, t, g.offset : g.offset + g.n, 2]) < p["incentives.p_it_integration"][:, None],
                    xp.float64,
                )
                safe_av = xp.where(avoidable_b > 0, avoidable_b, xp.ones_like(avoidable_b))
                met = incentives.criteria(
                    xp,
                    adm_ph,
                    prev_adm[gi] if prev_adm[gi] is not None else adm_ph,
                    avoided_b / safe_av,
                    float(fixed["incentives.chronic_target"]),
                    readm_ph,
                    prev_readm[gi] if prev_readm[gi] is not None else readm_ph,
                    tele,
                    it,
                    g.criteria,
                )
                frac = incentives.payout_fraction(
                    xp,
                    met,
                    float(fixed["incentives.payout_per_criterion"]),
                    float(fixed["incentives.criteria_for_full_payout"]),
                )
                paid = frac * fund
                prev_adm[gi], prev_readm[gi] = adm_ph, readm_ph

            # balance
            money_in = kept + paid + t_in + reinvest[gi]
            surplus = money_in - spent_b - t_out
            to_res, returned, borne, support = balance.settle(
                xp, surplus, g.savings_retained, g.overspend_borne_locally
            )
            change = to_res - borne - reinvest[gi]
            reserves[gi] = reserves[gi] + change
            if on("behaviour") and g.overspend_borne_locally > 0:
                cut[gi] = behaviour.cut_rate(xp, reserves[gi], spent_b, p["behaviour.overspend_response"][:, None])
            if check:
                gap = balance.conservation_gap(xp, kept + paid + t_in + support, spent_b, t_out, change, returned)
                max_gap = max(max_gap, float(to_numpy(gap)))

            # minimum service levels on need-adjusted spend, and the intervention flag
            ratio = balance.need_adjusted_ratio(xp, spent_bl, need_bl, 1.0)
            floor = xp.take(floors, xp.asarray(lines_idx), axis=0)
            breached = xp.any(ratio < floor[:, None, None] - 1e-12, axis=0)
            flag = balance.intervention(reserves[gi], breached)

            sl = slice(g.offset, g.offset + g.n)
            for name, value in (
                ("allocated", alloc_b),
                ("incentive_fund", fund),
                ("incentive_paid", paid),
                ("spent", spent_b),
                ("transfers_in", t_in),
                ("transfers_out", t_out),
                ("reserves", reserves[gi]),
                ("reserve_change", change),
                ("returned", returned),
                ("deficit_support", support),
                ("need", need_b),
                ("admissions", adm_b),
                ("floor_breached", xp.astype(breached, xp.float64)),
                ("intervention", xp.astype(flag, xp.float64)),
            ):
                out[name][:, t, sl] = to_numpy(value)
            gross_alloc_total = gross_alloc_total + _row_sums(alloc_b)
            fund_total = fund_total + _row_sums(fund)
            paid_total = paid_total + _row_sums(paid)
            t_in_total = t_in_total + _row_sums(t_in)
            t_out_total = t_out_total + _row_sums(t_out)

        if check:
            ledger = np.abs(to_numpy(gross_alloc_total) - envelope_total) / max(envelope_total, 1.0)
            transfers = np.abs(to_numpy(t_in_total - t_out_total)) / max(envelope_total, 1.0)
            max_gap = max(max_gap, float(ledger.max()), float(transfers.max()))
            if max_gap > CONSERVATION_TOLERANCE:
                raise ConservationError(
                    f"money not conserved in {rules.architecture} year {t}: relative gap {max_gap:.3g}"
                )

        total_spent_atoms = spent + reinvest_atoms
        national["admissions"][:, t] = to_numpy(england.aggregate(admissions))[:, 0]
        national["avoided_admissions"][:, t] = to_numpy(england.aggregate(avoided_adm))[:, 0]
        national["population"][:, t] = float(to_numpy(xp.sum(pop_atoms)))
        national["spent_by_line"][:, t, :] = to_numpy(over_atoms(total_spent_atoms))
        national["need_by_line"][:, t, :] = to_numpy(national_need_line)
        national["allocated_by_line"][:, t, :] = alloc_atoms.sum(axis=0)[None, :]
        national["incentive_unpaid"][:, t] = to_numpy(fund_total - paid_total)
        national["envelope"][:, t] = envelope_total
        if keep:
            atoms_out["allocated"][t] = alloc_atoms
            atoms_out["spent"][t] = to_numpy(total_spent_atoms[c0])
            atoms_out["need"][t] = to_numpy(demand_t[c0])
            atoms_out["admissions"][t] = to_numpy(admissions[c0])
            atoms_out["avoided_admissions"][t] = to_numpy(avoided_adm[c0])

    return BlockResult(values.draws, out, national, atoms_out, max_gap)
