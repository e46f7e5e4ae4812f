"""A straightforward per-atom Python reference of the engine's mechanics, one draw at a time.

Plain loops over years, atoms, lines and budgets with Python floats: slow, but each step reads like the
model description in docs/background/simulation-model.md. Tests check the vectorised engine against it
and the benchmark measures the engine's speed-up over it. Every factor is on (the waterfall's switches
are an engine feature).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from devocare.service_lines import ACUTE_LINES, LINE_IDS, POPULATION_LINE, UPSTREAM_LINES, base_year_spend, index
from devocare.simulation import funding
from devocare.simulation.demand import GROWTH_GROUP
from devocare.simulation.inputs import Inputs
from devocare.simulation.rules import Rules

NE = index("acute_non_elective")
ELECTIVE = index("acute_elective")
POP = index(POPULATION_LINE)
ACUTE = {index(x) for x in ACUTE_LINES}
UP = {index(x) for x in UPSTREAM_LINES}


def _sparse_rows(H: np.ndarray) -> list[list[tuple[int, float]]]:
    """For each atom, its (budget, share) pairs."""
    return [[(int(b), float(H[a, b])) for b in np.nonzero(H[a])[0]] for a in range(H.shape[0])]


def reference_run(
    inputs: Inputs,
    rules: Rules,
    fixed: dict[str, Any],
    scalars: dict[str, float],
    shocks: np.ndarray,
    noise: np.ndarray,
    central: bool,
    years: int,
) -> dict[str, np.ndarray]:
    """One draw: per-budget measures (year, budget) and national admissions and spend by line."""
    p = {k: float(v) for k, v in fixed.items() if not isinstance(v, list)} | {k: float(v) for k, v in scalars.items()}
    L, A, G = len(LINE_IDS), len(rules.atoms), rules.groups
    heads = inputs.weighted_heads.tolist()
    n_proj = len(heads)
    lad_of = inputs.atom_lad.tolist()
    spend = [base_year_spend(p, line) for line in LINE_IDS]
    central_spend = [base_year_spend(fixed, line) for line in LINE_IDS]
    base_heads = [sum(heads[0][a][j] for a in range(A)) for j in range(L)]
    cph = [spend[j] / base_heads[j] for j in range(L)]
    nd = [p[f"demand.non_demographic_growth.{GROWTH_GROUP[line]}"] for line in LINE_IDS]
    lag = [float(x) for x in fixed["prevention.lag"]]
    weights = [lag[0]] + [lag[k] - lag[k - 1] for k in range(1, len(lag))]
    growth_env = float(fixed["funding.real_growth"])
    funded = funding.block_grants(inputs, rules, funding.envelope(fixed), growth_env, years)
    rows = [_sparse_rows(g.H) for g in G]
    cover = [[sum(s for _, s in rows[gi][a]) for a in range(A)] for gi in range(len(G))]
    cof_cover = [0.0] * A
    for rs in rules.cofinancing:
        for a in range(A):
            cof_cover[a] += float(rules.weight[rs][a])
    B = rules.n_budgets
    out: dict[str, np.ndarray] = {
        m: np.zeros((years, B))
        for m in (
            "allocated",
            "incentive_fund",
            "incentive_paid",
            "spent",
            "transfers_in",
            "transfers_out",
            "reserves",
            "returned",
            "deficit_support",
            "admissions",
            "floor_breached",
        )
    }
    nat_adm, nat_spent = np.zeros(years), np.zeros((years, L))
    reserves = [[0.0] * g.n for g in G]
    cut = [[0.0] * g.n for g in G]
    prev_adm: list[list[float] | None] = [None] * len(G)
    prev_readm: list[list[float] | None] = [None] * len(G)
    walk = [[1.0] * g.n for g in G]
    history: list[list[float]] = []
    rebase = {rs: [0.0] * A for rs in rules.rebasing}
    last_avoided = [0.0] * A
    base_demand: list[list[float]] | None = None
    has_cap = any(g.hospital_input_cap is not None for g in G)

    for t in range(years):
        ty = min(t, n_proj - 1)
        beyond = max(0, t - (n_proj - 1))
        demo = (1 + p["demand.population_growth_after_projection"]) ** beyond * (1 + p["demand.ageing_growth"]) ** t
        grow = [demo * (1 + nd[j]) ** t for j in range(L)]
        need, demand, avoided, admissions, ceiling = [], [], [], [], []
        for a in range(A):
            shock = 1.0 + (0.0 if central else p["demand.area_shock_sd"] * shocks[t, lad_of[a]])
            row = [cph[j] * grow[j] * heads[ty][a][j] * shock for j in range(L)]
            ne = row[NE]
            ceil = p["admissions.avoidable_share"] * ne
            eff = sum(weights[k] * history[k][a] for k in range(min(len(weights), len(history))))
            av = ceil * (1 - math.exp(-p["prevention.effect"] * eff / ceil)) if ceil > 0 else 0.0
            adm = (ne - av) / p["admissions.unit_cost"] * (1 + fixed["cofinancing.admissions_effect"] * cof_cover[a])
            d = list(row)
            d[NE] = adm * p["admissions.unit_cost"]
            need.append(row)
            demand.append(d)
            avoided.append(av)
            admissions.append(adm)
            ceiling.append(ceil)
        spent = [list(d) for d in demand]
        saving = p["behaviour.efficiency_saving"] * min(1.0, (t + 1) / max(fixed["behaviour.efficiency_ramp_years"], 1))
        for a in range(A):
            for j in range(L):
                ef = sum(
                    cover[gi][a] * g.lines[j] * g.savings_retained * g.overspend_borne_locally for gi, g in enumerate(G)
                )
                spent[a][j] *= 1 - saving * ef
        if has_cap:
            if base_demand is None:
                base_demand = [list(s) for s in spent]
            for a in range(A):
                for j in ACUTE:
                    field = sum(cover[gi][a] * g.lines[j] for gi, g in enumerate(G) if g.hospital_input_cap is not None)
                    rate = sum(
                        cover[gi][a] * g.lines[j] * g.hospital_input_cap
                        for gi, g in enumerate(G)
                        if g.hospital_input_cap is not None
                    )
                    level = base_demand[a][j] * (1 + rate) ** t
                    over = max(spent[a][j] - level, 0.0)
                    capped = spent[a][j] - over + p["behaviour.cap_marginal_price"] * over
                    spent[a][j] += field * (capped - spent[a][j])
        for gi, g in enumerate(G):
            if g.overspend_borne_locally > 0:
                for a in range(A):
                    c = sum(s * cut[gi][b] for b, s in rows[gi][a])
                    for j in range(L):
                        spent[a][j] *= 1 - c * g.lines[j]
        extra = [[0.0] * L for _ in range(A)]
        for gi, g in enumerate(G):
            if g.incentive_strength <= 0 or not any(g.lines[j] for j in UP):
                continue
            kept = 1 - p["behaviour.acute_capture"] if g.pooled else 1.0
            for a in range(A):
                pot_need = sum(demand[a][j] for j in range(L) if g.lines[j]) * cover[gi][a]
                invest = p["behaviour.left_shift_rate"] * (t + 1) * g.incentive_strength * kept * pot_need
                total_up = sum(need[a][j] for j in UP if g.lines[j])
                if total_up > 0:
                    for j in UP:
                        if g.lines[j]:
                            extra[a][j] += invest / total_up * need[a][j]
                    if g.lines[ELECTIVE]:
                        extra[a][ELECTIVE] -= min(invest, spent[a][ELECTIVE] * p["behaviour.max_elective_shift_share"])
        for a in range(A):
            for j in range(L):
                spent[a][j] += extra[a][j]
        reinvest = [[0.0] * g.n for g in G]
        reinvest_atoms = [[0.0] * L for _ in range(A)]
        for gi, g in enumerate(G):
            if g.savings_retained <= 0 or not any(g.lines[j] for j in UP):
                continue
            up_b = [0.0] * g.n
            for a in range(A):
                u = sum(need[a][j] for j in UP if g.lines[j])
                for b, s in rows[gi][a]:
                    up_b[b] += s * u
            rate = [0.0] * g.n
            for b in range(g.n):
                amount = p["behaviour.reinvest_share"] * max(reserves[gi][b], 0.0)
                if up_b[b] > 0:
                    rate[b], reinvest[gi][b] = amount / up_b[b], amount
            for a in range(A):
                r = sum(s * rate[b] for b, s in rows[gi][a])
                for j in UP:
                    if g.lines[j]:
                        reinvest_atoms[a][j] += r * need[a][j]
        history.insert(0, [sum(extra[a][j] + reinvest_atoms[a][j] for j in UP) for a in range(A)])
        history = history[: len(weights)]
        grants = {rs: funded.atoms[rs][t].T.tolist() for rs in rules.weight}  # (A, L) per rule set
        for rs, rr in rules.rebasing.items():
            if t > 0 and t % G[rr.toward].settlement_years == 0:
                rebase[rs] = [rebase[rs][a] * (1 + growth_env) + rr.share * last_avoided[a] for a in range(A)]
        last_avoided = avoided
        for a in range(A):
            nat_adm[t] += admissions[a]
            for j in range(L):
                nat_spent[t, j] += spent[a][j] + reinvest_atoms[a][j]
        for gi, g in enumerate(G):
            rs = g.architecture
            cof = rules.cofinancing.get(rs)
            reb_rule = rules.rebasing.get(rs)
            n = g.n
            alloc_b, spent_b, tin, tout, adm_b, avoid_b, avoidable_b, pop_b = ([0.0] * n for _ in range(8))
            spent_bl = {j: [0.0] * n for j in range(L) if g.lines[j]}
            need_bl = {j: [0.0] * n for j in range(L) if g.lines[j]}
            for b in range(n):
                alloc_b[b] = float(funded.allocated[t, g.offset + b])
            for a in range(A):
                pot = 0.0
                pay = cof.share * sum(spent[a][j] for j in range(L) if cof.lines[j]) if cof is not None else 0.0
                if cof is not None and cof.hospital_funding_to_local > 0:
                    shift = cof.hospital_funding_to_local * sum(grants[rs][a][j] for j in range(L) if cof.lines[j])
                    pot += shift if gi == cof.payer else -shift if gi == cof.receiver else 0.0
                if reb_rule is not None:
                    pot += rebase[rs][a] if gi == reb_rule.toward else -rebase[rs][a] if gi == reb_rule.away else 0.0
                for b, s in rows[gi][a]:
                    alloc_b[b] += s * pot
                    spent_b[b] += s * sum(spent[a][j] for j in range(L) if g.lines[j])
                    if cof is not None and gi == cof.payer:
                        tout[b] += s * pay
                    if cof is not None and gi == cof.receiver:
                        tin[b] += s * pay
                    adm_b[b] += s * admissions[a]
                    avoid_b[b] += s * avoided[a] / p["admissions.unit_cost"]
                    avoidable_b[b] += s * ceiling[a] / p["admissions.unit_cost"]
                    pop_b[b] += s * heads[ty][a][POP]
                    for j in spent_bl:
                        spent_bl[j][b] += s * spent[a][j]
                        need_bl[j][b] += s * demand[a][j]
            sl = slice(g.offset, g.offset + n)
            fund = [float(funded.top_slice[t, g.offset + b]) if g.top_slice > 0 else 0.0 for b in range(n)]
            paid = [0.0] * n
            if g.top_slice > 0:
                adm_ph = [adm_b[b] / pop_b[b] if pop_b[b] > 0 else adm_b[b] for b in range(n)]
                for b in range(n):
                    walk[gi][b] *= 1 + (
                        0.0 if central else p["incentives.readmission_trend_sd"] * noise[t, g.offset + b, 0]
                    )
                readm = [p["admissions.readmission_rate"] * adm_ph[b] * walk[gi][b] for b in range(n)]
                before_adm = prev_adm[gi] or adm_ph
                before_readm = prev_readm[gi] or readm
                for b in range(n):
                    tele = (
                        p["incentives.p_telemedicine"]
                        if central
                        else float(noise[t, g.offset + b, 1] < p["incentives.p_telemedicine"])
                    )
                    it = (
                        p["incentives.p_it_integration"]
                        if central
                        else float(noise[t, g.offset + b, 2] < p["incentives.p_it_integration"])
                    )
                    share_avoided = avoid_b[b] / avoidable_b[b] if avoidable_b[b] > 0 else avoid_b[b]
                    flags = [
                        float(adm_ph[b] < before_adm[b]),
                        float(share_avoided >= fixed["incentives.chronic_target"]),
                        float(readm[b] < before_readm[b]),
                        tele,
                        it,
                    ]
                    met = sum(f for f, on in zip(flags, g.criteria, strict=True) if on)
                    frac = (
                        1.0
                        if met >= fixed["incentives.criteria_for_full_payout"]
                        else min(met * fixed["incentives.payout_per_criterion"], 1.0)
                    )
                    paid[b] = frac * fund[b]
                prev_adm[gi], prev_readm[gi] = adm_ph, readm
            for rule in rules.pooling:  # a pooled fund moves who pays, not what is spent
                if gi not in (rule.sender, rule.receiver):
                    continue
                weights_line = [
                    [central_spend[j] * heads[ty][a][j] / sum(heads[ty][x][j] for x in range(A)) for a in range(A)]
                    if rule.lines[j]
                    else [0.0] * A
                    for j in range(L)
                ]
                need_pool = [sum(weights_line[j][a] for j in range(L)) for a in range(A)]
                total_need = sum(need_pool)
                for a in range(A):
                    amount = rule.amount * (1 + growth_env) ** t * need_pool[a] / total_need
                    for b, s in rows[gi][a]:
                        if gi == rule.sender:
                            tout[b] += s * amount
                            spent_b[b] -= s * amount
                        else:
                            tin[b] += s * amount
                            spent_b[b] += s * amount
            for b in range(n):
                total_spent = spent_b[b] + reinvest[gi][b]
                surplus = alloc_b[b] - fund[b] + paid[b] + tin[b] + reinvest[gi][b] - total_spent - tout[b]
                gain, loss = max(surplus, 0.0), max(-surplus, 0.0)
                to_res, returned = g.savings_retained * gain, (1 - g.savings_retained) * gain
                borne, support = g.overspend_borne_locally * loss, (1 - g.overspend_borne_locally) * loss
                reserves[gi][b] += to_res - borne - reinvest[gi][b]
                if g.overspend_borne_locally > 0:
                    deficit = max(-reserves[gi][b], 0.0)
                    cut[gi][b] = min(
                        p["behaviour.overspend_response"] * deficit / total_spent
                        if total_spent > 0
                        else p["behaviour.overspend_response"] * deficit,
                        p["behaviour.max_cut_share"],
                    )
                breached = any(
                    (spent_bl[j][b] / need_bl[j][b] if need_bl[j][b] > 0 else 1.0) < inputs.floors[j] - 1e-12
                    for j in spent_bl
                )
                for name, value in (
                    ("allocated", alloc_b[b]),
                    ("incentive_fund", fund[b]),
                    ("incentive_paid", paid[b]),
                    ("spent", total_spent),
                    ("transfers_in", tin[b]),
                    ("transfers_out", tout[b]),
                    ("reserves", reserves[gi][b]),
                    ("returned", returned),
                    ("deficit_support", support),
                    ("admissions", adm_b[b]),
                    ("floor_breached", float(breached)),
                ):
                    out[name][t, sl.start + b] = value
    out["national_admissions"] = nat_adm
    out["national_spent_by_line"] = nat_spent
    return out
