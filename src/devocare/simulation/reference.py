"""A straightforward per-atom Python reference of the engine's mechanics, one draw at a time.

Plain loops over years, atoms, lines and budgets with Python floats: slow, but each step reads like the
model description in docs/background/simulation-model.md. The steps are the engine's
(:data:`devocare.simulation.steps.STEPS`), by the same names and in the same order, so the two can be
compared step by step. Tests check the vectorised engine against it and the benchmark measures the
engine's speed-up over it. Every factor is on (the waterfall's switches are an engine feature).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

from devocare.service_lines import ACUTE_LINES, LINE_IDS, POPULATION_LINE, UPSTREAM_LINES, base_year_spend, index
from devocare.simulation import funding, phases, transition
from devocare.simulation.balance import support_limit
from devocare.simulation.demand import GROWTH_GROUP
from devocare.simulation.engine import TRANSITION, pooled_amounts, valid_range
from devocare.simulation.inputs import Inputs
from devocare.simulation.parameters import YEARS_SUFFIX
from devocare.simulation.rules import Rules

NE = index("acute_non_elective")
ELECTIVE = index("acute_elective")
POP = index(POPULATION_LINE)
ACUTE = {index(x) for x in ACUTE_LINES}
UP = {index(x) for x in UPSTREAM_LINES}
MEASURES = (
    "allocated",
    "incentive_fund",
    "incentive_paid",
    "spent",
    "transfers_in",
    "transfers_out",
    "reserves",
    "returned",
    "deficit_support",
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
#: The engine's steps, in order (conservation holds here by construction, so its check is the engine's).
STEP_NAMES = (
    "efficiency_and_cuts",
    "need_prevention_caps_shift",
    "reinvestment",
    "allocation_and_rebasing",
    "co_financing",
    "budget_totals",
    "pooled_funds",
    "incentive_payments",
    "transition_costs",
    "balance_and_risk",
    "floors_and_intervention",
    "succession",
    "plan_next_year",
)


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
    ref = Reference(inputs, rules, fixed, scalars, shocks, noise, central, years)
    for t in range(years):
        y = SimpleNamespace(t=t, ty=min(t, ref.n_proj - 1))
        ref.budgets_of_year(t)
        ref.parameters_of_year(t)
        for name in STEP_NAMES:
            getattr(ref, name)(y)
        ref.record(y)
    return ref.out | {"national_admissions": ref.nat_adm, "national_spent_by_line": ref.nat_spent}


class Reference:
    """One draw's fixed inputs and the state carried across years; each step is a method."""

    def __init__(
        self,
        inputs: Inputs,
        rules: Rules,
        fixed: dict[str, Any],
        scalars: dict[str, float],
        shocks: np.ndarray,
        noise: np.ndarray,
        central: bool,
        years: int,
    ) -> None:
        p = {k: float(v) for k, v in fixed.items() if not isinstance(v, list)}
        self.p = p | {k: float(v) for k, v in scalars.items()}
        self.inputs, self.rules, self.fixed, self.shocks, self.noise, self.central = (
            inputs,
            rules,
            fixed,
            shocks,
            noise,
            central,
        )
        self.L, self.A, self.G, self.years = len(LINE_IDS), len(rules.atoms), rules.groups, years
        self.heads = inputs.weighted_heads.tolist()
        self.n_proj = len(self.heads)
        self.lad_of = inputs.atom_lad.tolist()
        L, A, G = self.L, self.A, self.G
        spend = [base_year_spend(self.p, line) for line in LINE_IDS]
        self.central_spend = [base_year_spend(fixed, line) for line in LINE_IDS]
        base_heads = [sum(self.heads[0][a][j] for a in range(A)) for j in range(L)]
        self.cph = [spend[j] / base_heads[j] for j in range(L)]
        self.nd = [self.p[f"demand.non_demographic_growth.{GROWTH_GROUP[line]}"] for line in LINE_IDS]
        lag = [float(x) for x in fixed["prevention.lag"]]
        self.weights = [lag[0]] + [lag[k] - lag[k - 1] for k in range(1, len(lag))]
        self.all_fixed, self.base_p = fixed, dict(self.p)
        pooling = rules.pooling
        self.dated = {k[: -len(YEARS_SUFFIX)]: v for k, v in fixed.items() if k.endswith(YEARS_SUFFIX)}
        self.pooled = {(r.amount, r.parameter): pooled_amounts(fixed, r.amount, r.parameter, years) for r in pooling}
        self.funded = funding.block_grants(inputs, rules, funding.envelope(fixed), funding.line_growth(fixed), years)
        self.grow: list[float] | None = None  # compounded growth per line where a growth rate is dated
        self.all_rows = [_sparse_rows(g.H) for g in G]
        self.rows = self.all_rows
        own = np.array([phases.architecture_of(g.architecture) == rules.architecture for g in G for _ in range(g.n)])
        start = transition.reform_start(rules.archs.get(rules.architecture))
        steps = transition.planned_steps(rules.archs.get(rules.architecture))
        self.transition_paid = transition.charges({k: self.p[k] for k in TRANSITION}, start, years, steps)
        self.transition_share = transition.shares(self.funded.allocated, own)
        self.cover: list[list[float]] = []
        self.cof_cover: list[float] = []
        self.phase = -1
        self.out = {m: np.zeros((years, rules.n_budgets)) for m in MEASURES}
        self.nat_adm, self.nat_spent = np.zeros(years), np.zeros((years, L))
        self.reserves = [[0.0] * g.n for g in G]
        self.cut = [[0.0] * g.n for g in G]
        self.headroom = [[0.0] * g.n for g in G]  # £ of next year's planned headroom spent beyond need
        self.last_base: list[list[float]] | None = None  # last year's spend before cuts, beyond-need excluded
        self.last_atoms: list[list[float]] | None = None  # the same per atom and line
        self.streak = [[0] * g.n for g in G]  # consecutive years each budget has breached a floor
        self.prev_adm: list[list[float] | None] = [None] * len(G)
        self.prev_readm: list[list[float] | None] = [None] * len(G)
        self.prev_up: list[list[float] | None] = [None] * len(G)
        self.walk = [[1.0] * g.n for g in G]
        self.history: list[list[float]] = []
        self.rebase = {rs: [0.0] * A for rs in rules.rebasing}
        self.last_avoided = [0.0] * A
        self.base_demand: list[list[float]] | None = None
        self.has_cap = any(g.hospital_input_cap is not None for g in G)

    def parameters_of_year(self, t: int) -> None:
        """Year ``t``'s values of dated parameters (a draw moves by the change in the central value), and the
        growth of need compounded from each year's rates where a growth rate is dated."""
        if not self.dated:
            return
        for path, series in self.dated.items():
            lo, hi = valid_range(path)  # a draw moved by the change, kept within the parameter's range
            self.p[path] = min(max(self.base_p[path] + (float(series[t]) - float(self.all_fixed[path])), lo), hi)
        self.fixed = self.all_fixed | {path: float(series[t]) for path, series in self.dated.items()}
        self.nd = [self.p[f"demand.non_demographic_growth.{GROWTH_GROUP[line]}"] for line in LINE_IDS]
        growth_paths = {"demand.population_growth_after_projection", "demand.ageing_growth"} | {
            f"demand.non_demographic_growth.{GROWTH_GROUP[line]}" for line in LINE_IDS
        }
        if not growth_paths & set(self.dated):
            return
        if t == 0 or self.grow is None:
            self.grow = [1.0] * self.L
            return
        beyond = t > self.n_proj - 1
        pop = (1 + self.p["demand.population_growth_after_projection"]) if beyond else 1.0
        self.grow = [
            g * ((1 + self.p["demand.ageing_growth"]) * (1 + self.nd[j])) * pop for j, g in enumerate(self.grow)
        ]

    def budgets_of_year(self, t: int) -> None:
        """The budgets that exist in year ``t`` (all but around a reform's start date): their atom rows,
        coverage and co-financed share of each atom; last year's incentive measures go with the old budgets."""
        rules, G, A = self.rules, self.G, self.A
        phase = rules.phase_at(t)
        if phase == self.phase:
            return
        if self.phase >= 0:
            for gi in range(len(G)):
                if rules.live(gi, t) and not rules.live(gi, t - 1):  # it begins now: no measures to improve on
                    self.prev_adm[gi] = self.prev_readm[gi] = self.prev_up[gi] = None
            for rs, held in phases.continues(rules).items():  # a settlement runs on through a pot's date
                if rs in self.rebase and held in self.rebase and rules.runs_in(rs, t):
                    self.rebase[rs] = list(self.rebase[held])
        self.phase = phase
        self.rows = [r if rules.live(gi, t) else [[] for _ in r] for gi, r in enumerate(self.all_rows)]
        self.cover = [[sum(s for _, s in self.rows[gi][a]) for a in range(A)] for gi in range(len(G))]
        self.cof_cover = [0.0] * A
        for rs in rules.cofinancing:
            if rules.runs_in(rs, t):
                for a in range(A):
                    self.cof_cover[a] += float(rules.weight[rs][a])

    def efficiency_and_cuts(self, y: SimpleNamespace) -> None:
        """Per atom and line: the share of spend kept after efficiency, and after cuts."""
        p, G, L, A = self.p, self.G, self.L, self.A
        ramp = max(self.fixed["behaviour.efficiency_ramp_years"], 1)
        saving = [  # each group's ramp counts from the year its rule set started (a reform's own: its start)
            p["behaviour.efficiency_saving"] * min(1.0, max(y.t - self.rules.since.get(g.architecture, 0), 0) / ramp)
            for g in G
        ]
        y.eff = [
            [
                1
                - sum(
                    saving[gi] * self.cover[gi][a] * g.weights[j] * g.savings_retained * g.overspend_borne_locally
                    for gi, g in enumerate(G)
                )
                for j in range(L)
            ]
            for a in range(A)
        ]
        y.cutf = [[1.0] * L for _ in range(A)]
        for gi, g in enumerate(G):  # every holder cuts after a negative reserve: one rule for all
            for a in range(A):
                c = sum(s * self.cut[gi][b] for b, s in self.rows[gi][a])
                for j in range(L):
                    y.cutf[a][j] -= c * g.weights[j]

    def need_prevention_caps_shift(self, y: SimpleNamespace) -> None:
        """Need, prevention and admissions, then spend after efficiency, caps, cuts and the left shift."""
        self._need_and_prevention(y)
        p, G, L, A, t = self.p, self.G, self.L, self.A, y.t
        spent = [[y.demand[a][j] * y.eff[a][j] for j in range(L)] for a in range(A)]
        if self.has_cap:
            if self.base_demand is None:
                self.base_demand = [list(s) for s in spent]
            for a in range(A):
                for j in ACUTE:
                    capped_by = [(gi, g) for gi, g in enumerate(G) if g.hospital_input_cap is not None]
                    field = sum(self.cover[gi][a] * g.lines[j] for gi, g in capped_by)
                    rate = sum(self.cover[gi][a] * g.lines[j] * (g.hospital_input_cap or 0.0) for gi, g in capped_by)
                    level = self.base_demand[a][j] * (1 + rate) ** t
                    over = max(spent[a][j] - level, 0.0)
                    capped = spent[a][j] - over + p["behaviour.cap_marginal_price"] * over
                    spent[a][j] += field * (capped - spent[a][j])
        for a in range(A):
            for j in range(L):
                spent[a][j] *= y.cutf[a][j]
        y.extra = [[0.0] * L for _ in range(A)]
        for gi, g in enumerate(G):
            if g.incentive_strength <= 0 or not any(g.lines[j] for j in UP):
                continue
            kept = 1 - p["behaviour.acute_capture"] if g.pooled else 1.0
            for a in range(A):
                pot_need = sum(y.demand[a][j] * g.weights[j] for j in range(L) if g.lines[j]) * self.cover[gi][a]
                since = int(self.rules.since.get(g.architecture, 0))
                ramp = max(t - since, 0) + 1  # years the group's budgets have existed, this one included
                invest = p["behaviour.left_shift_rate"] * ramp * g.incentive_strength * kept * pot_need
                total_up = sum(y.need[a][j] for j in UP if g.lines[j])
                if total_up > 0:
                    for j in UP:
                        if g.lines[j]:
                            y.extra[a][j] += invest / total_up * y.need[a][j]
                    if g.lines[ELECTIVE]:
                        cap = spent[a][ELECTIVE] * p["behaviour.max_elective_shift_share"]
                        y.extra[a][ELECTIVE] -= min(invest, cap)
        for a in range(A):
            for j in range(L):
                spent[a][j] += y.extra[a][j]
        y.spent = spent

    def _need_and_prevention(self, y: SimpleNamespace) -> None:
        p, L, A, t = self.p, self.L, self.A, y.t
        beyond = max(0, t - (self.n_proj - 1))
        demo = (1 + p["demand.population_growth_after_projection"]) ** beyond * (1 + p["demand.ageing_growth"]) ** t
        grow = [demo * (1 + self.nd[j]) ** t for j in range(L)] if self.grow is None else self.grow
        y.need, y.demand, y.avoided, y.admissions, y.ceiling = [], [], [], [], []
        for a in range(A):
            shock = 1.0 + (0.0 if self.central else p["demand.area_shock_sd"] * self.shocks[t, self.lad_of[a]])
            row = [self.cph[j] * grow[j] * self.heads[y.ty][a][j] * shock for j in range(L)]
            ne = row[NE]
            ceil = p["admissions.avoidable_share"] * ne
            history = self.history
            eff = sum(self.weights[k] * history[k][a] for k in range(min(len(self.weights), len(history))))
            av = ceil * (1 - math.exp(-p["prevention.effect"] * eff / ceil)) if ceil > 0 else 0.0
            factor = 1 + self.fixed["cofinancing.admissions_effect"] * self.cof_cover[a]
            adm = (ne - av) / p["admissions.unit_cost"] * factor
            d = list(row)
            d[NE] = adm * p["admissions.unit_cost"]
            y.need.append(row)
            y.demand.append(d)
            y.avoided.append(av)
            y.admissions.append(adm)
            y.ceiling.append(ceil)

    def reinvestment(self, y: SimpleNamespace) -> None:
        """Spending beyond need: the planned headroom and a share of positive reserves, spread over upstream
        need (every line held where none is upstream); the year's extra upstream spend joins the prevention
        history."""
        p, G, L, A = self.p, self.G, self.L, self.A
        y.reinvest = [[0.0] * g.n for g in G]
        y.reinvest_atoms = [[0.0] * L for _ in range(A)]
        y.reinvest_reserves = [[0.0] * g.n for g in G]
        for gi, g in enumerate(G):
            # spent on the upstream lines it holds, or on every line it holds where it holds none upstream
            lines = [j for j in UP if g.lines[j]] or [j for j in range(L) if g.lines[j]]
            up_b = [0.0] * g.n
            for a in range(A):
                u = sum(y.demand[a][j] * g.weights[j] for j in lines)  # need after prevention (its share)
                for b, s in self.rows[gi][a]:
                    up_b[b] += s * u
            rate = [0.0] * g.n
            for b in range(g.n):
                drawn = p["behaviour.reinvest_share"] * max(self.reserves[gi][b], 0.0)
                amount = drawn + self.headroom[gi][b]
                if up_b[b] > 0:
                    rate[b], y.reinvest[gi][b], y.reinvest_reserves[gi][b] = amount / up_b[b], amount, drawn
            for a in range(A):
                r = sum(s * rate[b] for b, s in self.rows[gi][a])
                for j in lines:
                    y.reinvest_atoms[a][j] += r * g.weights[j] * y.demand[a][j]
        self.history.insert(0, [sum(y.extra[a][j] + y.reinvest_atoms[a][j] for j in UP) for a in range(A)])
        self.history = self.history[: len(self.weights)]

    def allocation_and_rebasing(self, y: SimpleNamespace) -> None:
        """Each budget's grant, plus hospital funding given to the local tier and rebasing, atom by atom."""
        rules, G, L, A, t = self.rules, self.G, self.L, self.A, y.t
        grants = {rs: self.funded.atoms[rs][t].T.tolist() for rs in rules.weight}  # (A, L) per rule set
        for rs, rr in rules.rebasing.items():
            into = t - rules.since.get(rs, 0)  # settlements count from the year the rule set started
            if into > 0 and into % G[rr.toward].settlement_years == 0 and rules.runs_in(rs, t):
                self.rebase[rs] = [rr.share * self.last_avoided[a] for a in range(A)]  # set, held to the next
        self.last_avoided = y.avoided
        y.alloc = []
        for gi, g in enumerate(G):
            rs = rules.rule_set_of(gi, t)  # the rule set the group's budgets run under this year
            cof, reb = rules.cofinancing.get(rs), rules.rebasing.get(rs)
            alloc_b = [float(self.funded.allocated[t, g.offset + b]) for b in range(g.n)]
            for a in range(A):
                pot = 0.0
                if cof is not None and cof.hospital_funding_to_local > 0:
                    shift = cof.hospital_funding_to_local * sum(grants[rs][a][j] for j in range(L) if cof.lines[j])
                    pot += shift if gi == cof.payer else -shift if gi == cof.receiver else 0.0
                if reb is not None:
                    pot += self.rebase[rs][a] if gi == reb.toward else -self.rebase[rs][a] if gi == reb.away else 0.0
                for b, s in self.rows[gi][a]:
                    alloc_b[b] += s * pot
            y.alloc.append(alloc_b)

    def co_financing(self, y: SimpleNamespace) -> None:
        """The payer pays ``share`` of its residents' spend on the co-financed lines to the receiver."""
        rules, G, L, A = self.rules, self.G, self.L, self.A
        y.tin, y.tout = [[0.0] * g.n for g in G], [[0.0] * g.n for g in G]
        y.handed, y.taken = [[0.0] * g.n for g in G], [[0.0] * g.n for g in G]  # balances passed at a phase start
        for gi in range(len(G)):
            cof = rules.cofinancing.get(rules.rule_set_of(gi, y.t))
            if cof is None or gi not in (cof.payer, cof.receiver):
                continue
            capped = min(cof.share, self.p["cofinancing.cap_per_admission"] / self.p["admissions.unit_cost"])
            shares = [(capped if j == NE else cof.share) if cof.lines[j] else 0.0 for j in range(L)]
            for a in range(A):
                pay = sum(y.spent[a][j] * shares[j] for j in range(L))
                for b, s in self.rows[gi][a]:
                    (y.tout if gi == cof.payer else y.tin)[gi][b] += s * pay

    def budget_totals(self, y: SimpleNamespace) -> None:
        """Spend, admissions, avoided and avoidable admissions, population, spend and need by line per budget;
        national admissions and spend by line."""
        G, L, A, unit = self.G, self.L, self.A, self.p["admissions.unit_cost"]
        for a in range(A):
            self.nat_adm[y.t] += y.admissions[a]
            for j in range(L):
                self.nat_spent[y.t, j] += y.spent[a][j] + y.reinvest_atoms[a][j]
        y.b = []
        for gi, g in enumerate(G):
            n = g.n
            tot = SimpleNamespace(**{k: [0.0] * n for k in ("spent", "adm", "avoid", "avoidable", "pop", "unmet")})
            tot.spent_bl = {j: [0.0] * n for j in range(L) if g.lines[j]}
            tot.need_bl = {j: [0.0] * n for j in range(L) if g.lines[j]}
            for a in range(A):
                for b, s in self.rows[gi][a]:
                    tot.spent[b] += s * sum(y.spent[a][j] * g.weights[j] for j in range(L) if g.lines[j])
                    tot.adm[b] += s * y.admissions[a]
                    tot.avoid[b] += s * y.avoided[a] / unit
                    tot.avoidable[b] += s * y.ceiling[a] / unit
                    tot.pop[b] += s * self.heads[y.ty][a][POP]
                    tot.unmet[b] += s * sum(
                        y.demand[a][j] * y.eff[a][j] * (1 - y.cutf[a][j]) * g.weights[j] for j in range(L) if g.lines[j]
                    )
                    for j in tot.spent_bl:
                        tot.spent_bl[j][b] += s * y.spent[a][j] * g.weights[j]
                        tot.need_bl[j][b] += s * y.demand[a][j] * g.weights[j]
            y.b.append(tot)

    def pooled_funds(self, y: SimpleNamespace) -> None:
        """A pooled fund moves who pays, not what is spent: spread by need on its lines (none if no need)."""
        for gi, b, sent, amount in self._pooled(y.t, self.rows):
            (y.tout if sent else y.tin)[gi][b] += amount
            y.b[gi].spent[b] += -amount if sent else amount

    def _pooled(self, t: int, rows: list[list[list[tuple[int, float]]]]) -> list[tuple[int, int, bool, float]]:
        """Year ``t``'s pooled amounts, (group, budget, whether it sends, £), for the budgets of ``rows``."""
        L, A, heads, ty = self.L, self.A, self.heads, min(t, self.n_proj - 1)
        out = []
        for rule in self.rules.pooling:
            if not self.rules.runs_in(rule.architecture, t):
                continue  # a rule set of another phase
            weights_line = [
                [self.central_spend[j] * heads[ty][a][j] / sum(heads[ty][x][j] for x in range(A)) for a in range(A)]
                if rule.lines[j]
                else [0.0] * A
                for j in range(L)
            ]
            need_pool = [sum(weights_line[j][a] for j in range(L)) for a in range(A)]
            total_need = sum(need_pool)
            if total_need <= 0:
                continue
            for gi in (rule.sender, rule.receiver):
                for a in range(A):
                    # the year's pooled amount, grown with the envelope from when it took effect (as the engine)
                    pooled = self.pooled[rule.amount, rule.parameter][t]
                    amount = pooled * need_pool[a] / total_need
                    out += [(gi, b, gi == rule.sender, s * amount) for b, s in rows[gi][a]]
        return out

    def incentive_payments(self, y: SimpleNamespace) -> None:
        """The top slice held back and paid on the criteria each budget meets (a third each, three pay all)."""
        p, fixed, t = self.p, self.fixed, y.t
        y.fund, y.paid = [], []
        for gi, g in enumerate(self.G):
            n, tot = g.n, y.b[gi]
            fund = [float(self.funded.top_slice[t, g.offset + b]) if g.top_slice > 0 else 0.0 for b in range(n)]
            paid = [0.0] * n
            if g.top_slice > 0:
                adm_ph = [tot.adm[b] / tot.pop[b] if tot.pop[b] > 0 else tot.adm[b] for b in range(n)]
                for b in range(n):
                    shock = (
                        0.0 if self.central else p["incentives.readmission_trend_sd"] * self.noise[t, g.offset + b, 0]
                    )
                    self.walk[gi][b] *= 1 + shock
                readm = [p["admissions.readmission_rate"] * adm_ph[b] * self.walk[gi][b] for b in range(n)]
                up_share = []
                # spending beyond need is upstream only where the budget holds an upstream line
                beyond_is_up = any(g.lines[j] for j in UP)
                for b in range(n):
                    held = sum(tot.spent_bl[j][b] for j in tot.spent_bl) + y.reinvest[gi][b]
                    up = sum(tot.spent_bl[j][b] for j in tot.spent_bl if j in UP)
                    up += y.reinvest[gi][b] if beyond_is_up else 0.0
                    up_share.append(up / held if held > 0 else up)
                before_adm, before_readm = self.prev_adm[gi] or adm_ph, self.prev_readm[gi] or readm
                before_up = self.prev_up[gi] or up_share
                floor = self.inputs.floors[ELECTIVE]
                for b in range(n):
                    share_avoided = tot.avoid[b] / tot.avoidable[b] if tot.avoidable[b] > 0 else tot.avoid[b]
                    if ELECTIVE in tot.spent_bl:
                        need_e = tot.need_bl[ELECTIVE][b]
                        elective_ok = (tot.spent_bl[ELECTIVE][b] / need_e if need_e > 0 else 1.0) >= floor - 1e-12
                    else:
                        elective_ok = False
                    flags = [
                        float(adm_ph[b] < before_adm[b]),
                        float(share_avoided >= fixed["incentives.chronic_target"]),
                        float(readm[b] < before_readm[b]),
                        self._chance(p["incentives.p_telemedicine"], t, g.offset + b, 1),
                        self._chance(p["incentives.p_it_integration"], t, g.offset + b, 2),
                        float(elective_ok),
                        float(up_share[b] > before_up[b] + 1e-12),
                    ]
                    met = sum(f for f, on in zip(flags, g.criteria, strict=True) if on)
                    full = met >= fixed["incentives.criteria_for_full_payout"]
                    paid[b] = (1.0 if full else min(met * fixed["incentives.payout_per_criterion"], 1.0)) * fund[b]
                if g.unpaid_to_tier:  # money not earned stays with the tier, shared by what each budget earned
                    earned, unpaid = sum(paid), sum(fund) - sum(paid)
                    total = sum(fund)
                    base, denominator = (paid, earned) if earned > 0 else (fund, total)
                    weights = [x / denominator if denominator > 0 else 0.0 for x in base]
                    paid = [paid[b] + unpaid * weights[b] for b in range(n)]
                self.prev_adm[gi], self.prev_readm[gi], self.prev_up[gi] = adm_ph, readm, up_share
            y.fund.append(fund)
            y.paid.append(paid)

    def _chance(self, prob: float, t: int, budget: int, k: int) -> float:
        """An exogenous criterion: its probability in the central run, met or not in a draw."""
        return prob if self.central else float(self.noise[t, budget, k] < prob)

    def transition_costs(self, y: SimpleNamespace) -> None:
        """The reform's net transition charge, paid by its budgets in proportion to their grants."""
        charge, share = self.transition_paid[y.t], self.transition_share[y.t]
        y.transition = [[float(charge * share[g.offset + b]) for b in range(g.n)] for g in self.G]

    def balance_and_risk(self, y: SimpleNamespace) -> None:
        """Surplus kept or returned, deficit borne or met, within the budget's risk corridor."""
        y.settled, y.surplus = [], []
        # the year's money in less transfers out, before any hand-over of balances (next year's plan reads it)
        y.income = [
            [y.alloc[gi][b] - y.fund[gi][b] + y.paid[gi][b] + y.tin[gi][b] - y.tout[gi][b] for b in range(g.n)]
            for gi, g in enumerate(self.G)
        ]
        for gi, g in enumerate(self.G):
            rows, sur = [], []
            for b in range(g.n):
                total_spent = y.b[gi].spent[b] + y.reinvest[gi][b]
                surplus = (
                    y.alloc[gi][b]
                    - y.fund[gi][b]
                    + y.paid[gi][b]
                    + y.tin[gi][b]
                    + y.reinvest_reserves[gi][b]
                    - total_spent
                    - y.tout[gi][b]
                    - y.transition[gi][b]
                )
                shared = 0.0
                if g.corridor is not None:
                    band = g.corridor[0] * abs(y.alloc[gi][b])
                    shared = g.corridor[1] * (surplus - min(max(surplus, -band), band))
                gain, loss = max(surplus - shared, 0.0), max(shared - surplus, 0.0)
                repay = min(gain, max(-self.reserves[gi][b], 0.0))  # a surplus first repays a carried deficit
                to_res = repay + g.savings_retained * (gain - repay)
                returned = (1 - g.savings_retained) * (gain - repay) + max(shared, 0.0)
                limit = support_limit(g.tier, self.fixed)
                offered = (1 - g.overspend_borne_locally) * loss
                met = min(offered, limit * abs(y.alloc[gi][b])) if math.isfinite(limit) else offered
                borne, support = loss - met, met + max(-shared, 0.0)
                self.reserves[gi][b] += to_res - borne - y.reinvest_reserves[gi][b]
                rows.append((total_spent, returned, support))
                sur.append(surplus)
            y.settled.append(rows)
            y.surplus.append(sur)

    def plan_next_year(self, y: SimpleNamespace) -> None:
        """Every holder that exists next year sets next year's budget from this year's outturn: it forecasts
        spend before cuts (grown as it grew last year; with no history, as its money grows) against next
        year's money, cuts what it must bear of a forecast deficit plus a share of a carried one, and spends
        forecast headroom. Before a phase starts, a starting budget plans from what it takes over
        (:meth:`_taken_over`) and every successor with the balance it will inherit."""
        p, t, G, L = self.p, y.t + 1, self.G, self.L
        base = [[y.b[gi].spent[b] + y.b[gi].unmet[b] for b in range(g.n)] for gi, g in enumerate(G)]
        atoms = [
            [y.spent[a][j] + y.demand[a][j] * y.eff[a][j] * (1 - y.cutf[a][j]) for j in range(L)] for a in range(self.A)
        ]
        if t < self.years:
            now, nxt = self._allocation_before_rebasing(y.t), self._allocation_before_rebasing(t)
            charges = [
                [float(self.transition_paid[t] * self.transition_share[t][g.offset + b]) for b in range(g.n)] for g in G
            ]
            taken, inherited = self._taken_over(y, t, atoms, nxt, charges) if t in self.rules.starts else ({}, {})
            for gi, g in enumerate(G):
                limit = support_limit(g.tier, self.fixed)
                runs = self.rules.live(gi, t)
                for b in range(g.n):
                    if not runs:  # a budget plans only for a year it runs in
                        self.cut[gi][b] = self.headroom[gi][b] = 0.0
                        continue
                    money = y.income[gi][b]
                    expected = money + nxt[gi][b] - now[gi][b] - charges[gi][b]
                    money -= y.transition[gi][b]
                    prev = None if self.last_base is None else self.last_base[gi][b]
                    if (gi, b) in taken:
                        base[gi][b], prev, money, expected = taken[gi, b]
                    fallback = expected / money if money > 0 else 1.0
                    growth = fallback if prev is None or prev <= 0 else base[gi][b] / prev
                    forecast = base[gi][b] * growth
                    gap = forecast - expected
                    deficit = max(gap, 0.0)
                    offered = (1 - g.overspend_borne_locally) * deficit
                    met = min(offered, limit * abs(nxt[gi][b])) if math.isfinite(limit) else offered
                    reserves = self.reserves[gi][b] + inherited.get(g.offset + b, 0.0)
                    to_bear = deficit - met + p["behaviour.overspend_response"] * max(-reserves, 0.0)
                    cut = min(to_bear / forecast, p["behaviour.max_cut_share"]) if forecast > 0 else 0.0
                    self.cut[gi][b] = cut
                    self.headroom[gi][b] = p["behaviour.headroom_spend_share"] * max(-gap, 0.0)
        self.last_base, self.last_atoms = base, atoms

    def _taken_over(
        self,
        y: SimpleNamespace,
        t: int,
        atoms: list[list[float]],
        nxt: list[list[float]],
        charges: list[list[float]],
    ) -> tuple[dict[tuple[int, int], tuple[float, float | None, float, float]], dict[int, float]]:
        """What each budget starting at phase start ``t`` takes over: (base, last year's base, money, expected
        money) per (group, budget), and £ of balance each successor inherits per budget index. Spend before
        cuts is its atoms' spend and unmet need on the lines it will hold, plus its pooled fund next year;
        expected money is its own next year (allocation less top slice, pooled fund, co-financing on this
        year's spend, less its transition charge); this year's money is that less the rise of the grant its rules
        would have given it from this year to next."""
        rules, G = self.rules, self.G
        nxt_rows: list[list[list[tuple[int, float]]]] = [
            r if rules.live(gi, t) else [[] for _ in r] for gi, r in enumerate(self.all_rows)
        ]
        own = [[0.0] * g.n for g in G]
        for gi, b, sent, amount in self._pooled(t, nxt_rows):
            own[gi][b] += -amount if sent else amount
        pool = [list(x) for x in own]
        for gi, b, amount in self._cofinanced(y, t, nxt_rows):
            own[gi][b] += amount
        grown = self.funded.allocated if self.funded.own_rules is None else self.funded.own_rules
        taken: dict[tuple[int, int], tuple[float, float | None, float, float]] = {}
        for gi, g in enumerate(G):
            if not rules.live(gi, t) or rules.live(gi, y.t):
                continue
            for b in range(g.n):
                spend = [pool[gi][b], pool[gi][b]]
                for a, row in enumerate(nxt_rows[gi]):
                    for bb, s in row:
                        if bb == b:
                            spend[0] += s * sum(v * g.weights[j] for j, v in enumerate(atoms[a]) if g.lines[j])
                            if self.last_atoms is not None:
                                spend[1] += s * sum(
                                    v * g.weights[j] for j, v in enumerate(self.last_atoms[a]) if g.lines[j]
                                )
                fund = float(self.funded.top_slice[t, g.offset + b]) if g.top_slice > 0 else 0.0
                expected = nxt[gi][b] - fund + own[gi][b] - charges[gi][b]
                prev = None if self.last_base is None else spend[1]
                money = expected - nxt[gi][b] + float(grown[y.t, g.offset + b])
                taken[gi, b] = (spend[0], prev, money, expected)
        S, _ = phases.handover_matrix(rules, self.inputs.weighted_heads[0][:, POP])
        ceasing = phases.ceasing_years(rules) == t
        where = [(gi, b) for gi, g in enumerate(G) for b in range(g.n)]
        inherited: dict[int, float] = {}
        for k in np.flatnonzero(ceasing):
            gi, b = where[k]
            for succ in np.flatnonzero(S[k]):
                inherited[int(succ)] = inherited.get(int(succ), 0.0) + S[k, succ] * self.reserves[gi][b]
        return taken, inherited

    def _cofinanced(
        self, y: SimpleNamespace, t: int, rows: list[list[list[tuple[int, float]]]]
    ) -> list[tuple[int, int, float]]:
        """(group, budget, £ net received) under the co-financing rules of year ``t`` on this year's spend."""
        rules, L = self.rules, self.L
        out = []
        for gi in range(len(self.G)):
            cof = rules.cofinancing.get(rules.rule_set_of(gi, t))
            if cof is None or gi not in (cof.payer, cof.receiver) or not rules.live(gi, t):
                continue
            capped = min(cof.share, self.p["cofinancing.cap_per_admission"] / self.p["admissions.unit_cost"])
            shares = [(capped if j == NE else cof.share) if cof.lines[j] else 0.0 for j in range(L)]
            sign = -1.0 if gi == cof.payer else 1.0
            for a, row in enumerate(rows[gi]):
                pay = sum(y.spent[a][j] * shares[j] for j in range(L))
                out += [(gi, b, sign * s * pay) for b, s in row]
        return out

    def _allocation_before_rebasing(self, t: int) -> list[list[float]]:
        """Each budget's grant in year ``t`` with hospital funding given to the local tier, before rebasing."""
        rules, G, L, A = self.rules, self.G, self.L, self.A
        grants = {rs: self.funded.atoms[rs][t].T.tolist() for rs in rules.weight}
        out = []
        for gi, g in enumerate(G):
            rs = rules.rule_set_of(gi, t)
            cof = rules.cofinancing.get(rs)
            alloc_b = [float(self.funded.allocated[t, g.offset + b]) for b in range(g.n)]
            runs = rules.live(gi, t)  # the budgets of year t, not of the year being run
            if runs and cof is not None and cof.hospital_funding_to_local > 0 and gi in (cof.payer, cof.receiver):
                for a in range(A):
                    grant = grants[rs][a]
                    shift = cof.hospital_funding_to_local * sum(grant[j] for j in range(L) if cof.lines[j])
                    for b, s in self.all_rows[gi][a]:
                        alloc_b[b] += s * (shift if gi == cof.payer else -shift)
            out.append(alloc_b)
        return out

    def floors_and_intervention(self, y: SimpleNamespace) -> None:
        """Whether each budget's need-adjusted spend on any line it holds is below that line's floor, and the
        one intervention trigger: a deficit beyond a share of allocation, or floors breached for years."""
        floors, p = self.inputs.floors, self.p
        y.breached = [
            [
                any(
                    (tot.spent_bl[j][b] / tot.need_bl[j][b] if tot.need_bl[j][b] > 0 else 1.0) < floors[j] - 1e-12
                    for j in tot.spent_bl
                )
                for b in range(g.n)
            ]
            for g, tot in zip(self.G, y.b, strict=True)
        ]
        share, years = float(p["intervention.deficit_share"]), int(p["intervention.floor_years"])
        y.flag_deficit, y.flag_floor = [], []
        for gi, g in enumerate(self.G):
            limits = [share * abs(y.alloc[gi][b]) for b in range(g.n)]
            y.flag_deficit.append(
                [-y.surplus[gi][b] > limits[b] or -self.reserves[gi][b] > limits[b] for b in range(g.n)]
            )
            self.streak[gi] = [self.streak[gi][b] + 1 if y.breached[gi][b] else 0 for b in range(g.n)]
            y.flag_floor.append([self.streak[gi][b] >= years for b in range(g.n)])

    def succession(self, y: SimpleNamespace) -> None:
        """Budgets that do not exist flag nothing; in the year a phase starts (a reform's start, a pot's date)
        each budget that ceases passes its balance to its successor, or to the centre (returned, or a deficit
        written off as support)."""
        rules, G = self.rules, self.G
        if not rules.starts:
            return
        for gi, g in enumerate(G):
            if not rules.live(gi, y.t):
                y.flag_deficit[gi] = [False] * g.n
                y.flag_floor[gi] = [False] * g.n
        if y.t not in rules.starts:
            return
        where = {g.offset + b: (gi, b) for gi, g in enumerate(G) for b in range(g.n)}
        S, to_centre = phases.handover_matrix(rules, self.inputs.weighted_heads[0][:, POP])
        ceases = phases.ceasing_years(rules)
        for budget in range(rules.n_budgets):
            if ceases[budget] != y.t or (not S[budget].any() and not to_centre[budget]):
                continue  # a budget that does not cease this year
            gi, b = where[budget]
            balance = self.reserves[gi][b]
            self.reserves[gi][b] = 0.0
            if to_centre[budget]:
                total_spent, returned, support = y.settled[gi][b]
                y.settled[gi][b] = (total_spent, returned + max(balance, 0.0), support + max(-balance, 0.0))
                continue
            for succ in np.flatnonzero(S[budget]):
                si, sb = where[int(succ)]
                part = balance * S[budget, succ]
                y.tout[gi][b] += part
                y.tin[si][sb] += part
                y.handed[gi][b] += part
                y.taken[si][sb] += part
                self.reserves[si][sb] += part

    def record(self, y: SimpleNamespace) -> None:
        """Write the year's per-budget measures."""
        for gi, g in enumerate(self.G):
            for b in range(g.n):
                total_spent, returned, support = y.settled[gi][b]
                for name, value in (
                    ("allocated", y.alloc[gi][b]),
                    ("incentive_fund", y.fund[gi][b]),
                    ("incentive_paid", y.paid[gi][b]),
                    ("spent", total_spent),
                    ("transfers_in", y.tin[gi][b]),
                    ("transfers_out", y.tout[gi][b]),
                    ("reserves", self.reserves[gi][b]),
                    ("returned", returned),
                    ("deficit_support", support),
                    ("unmet_need", y.b[gi].unmet[b]),
                    ("admissions", y.b[gi].adm[b]),
                    ("floor_breached", float(y.breached[gi][b])),
                    ("intervention", float(y.flag_deficit[gi][b] or y.flag_floor[gi][b])),
                    ("intervention_deficit", float(y.flag_deficit[gi][b])),
                    ("intervention_floor", float(y.flag_floor[gi][b])),
                    ("transition_cost", y.transition[gi][b]),
                    ("handed_over", y.handed[gi][b]),
                    ("taken_over", y.taken[gi][b]),
                ):
                    self.out[name][y.t, g.offset + b] = value
