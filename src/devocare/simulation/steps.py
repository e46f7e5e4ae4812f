"""The steps of a simulated year, in order. Each is a small function of the block's fixed state, the state
carried across years and the year's flows, and names the change factor of the waterfall it belongs to
(``None`` where it only moves money that the factors already decided). The engine runs :data:`STEPS` in
order every year; the per-atom reference follows the same list.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from devocare.service_lines import POPULATION_LINE, index
from devocare.simulation import balance, behaviour, cofinancing, demand, incentives, intervention, kernel_steps
from devocare.simulation.backend import HeldLines, is_numpy, segment_sum, set_line, to_numpy
from devocare.simulation.state import Block, Carried, Flows

POP = index(POPULATION_LINE)
ELECTIVE = index("acute_elective")
CONSERVATION_TOLERANCE = 1e-9


class ConservationError(AssertionError):
    """Money was created or lost (or a flow is not a finite number): a bug in the engine, never bad input."""


@dataclass(frozen=True)
class Step:
    """One named step of a year and the waterfall factor it belongs to."""

    name: str
    factors: tuple[str, ...]  # waterfall change factors whose switch acts in this step
    run: Callable[[Block, Carried, Flows], None]


def efficiency_and_cuts(b: Block, c: Carried, f: Flows) -> None:
    """Run-level spend factors: efficiency of budgets that keep savings and bear overspends (ramped in from
    the year each budget's rule set started: a reform's own budgets from its start, the budgets of the
    architecture it replaces from the base year), and cuts that follow a negative reserve, the same rule for
    every holder (every atom of a run has the same budgets)."""
    if b.fused_budgets and b.any_eff and b.obl_any and b.eff_clocks:
        f.eff_lr, f.cut_lr, f.factor_lr = f.extra["factors"] = kernel_steps.factors(b, c, f)
        return
    if b.any_eff:
        ramp = float(b.fixed["behaviour.efficiency_ramp_years"])
        share = None
        for since, eff_runs in b.eff_clocks:  # one term per year the budgets' clocks start
            saving = behaviour.efficiency(b.p["behaviour.efficiency_saving"], ramp, max(f.t - since, 0))
            term = saving[:, None, None] * (eff_runs[None, :, :])
            share = term if share is None else share + term
        f.eff_lr = one_minus(b.xp, share)
    if b.obl_any:
        f.cut_lr = one_minus(b.xp, b.runs.spread(c.cut, b.rules.holds))
    f.factor_lr = f.eff_lr if f.cut_lr is None else f.cut_lr if f.eff_lr is None else f.eff_lr * f.cut_lr


def need_prevention_caps_shift(b: Block, c: Carried, f: Flows) -> None:
    """Need per atom and line (demography, non-demographic growth, area shocks), emergency admissions
    avoided by past upstream spend, hospital input caps and the left shift of budgets that invest upstream,
    summed over runs of atoms and aggregated to budgets."""
    xp = b.xp
    if b.growth_path is not None:  # a growth rate is dated: each year's rates compound
        grow = b.growth_path[f.t]
    else:
        grow = demand.growth(xp, f.t, b.n_proj, b.pop_growth, b.ageing, b.nd)  # (D, L)
    year = b.atom_stage.year(
        f.t, f.ty, b.cost_per_head * grow, f.eff_lr, f.cut_lr, f.factor_lr, store=b.keep or b.atom_draws
    )
    if "factors" in f.extra:  # the factors came from the fused kernel: spend and unmet need in one pass too
        spent_lr, f.unmet_lr = kernel_steps.spend_and_unmet(b, year, f.extra["factors"], f.t)
    else:
        spent_lr = xp.asarray(year.demand_lr, copy=True) if f.factor_lr is None else year.demand_lr * f.factor_lr
        for j, row_lr in year.rows_lr.items():  # rows built per atom replace their run-level sums
            spent_lr = set_line(xp, spent_lr, j, row_lr)
        if f.cut_lr is not None:  # need rationed away by cuts (efficiency meets need for less, so is not unmet)
            kept = year.demand_lr if f.eff_lr is None else year.demand_lr * f.eff_lr
            unmet = 1.0 - f.cut_lr
            unmet *= kept  # in place where the backend allows it
            f.unmet_lr = unmet
    f.year, f.spent_lr = year, spent_lr
    f.spent_p, f.demand_p = b.held.pairs(spent_lr), b.held.pairs(year.demand_lr)  # (D, pairs)
    if b.cof:  # co-financing pays on residents' spend on lines the payer does not hold
        f.spent_lb = b.runs.to_budgets(spent_lr)  # (D, L, B)
    if f.unmet_lr is not None:
        f.unmet_b = b.held.total(b.held.pairs(f.unmet_lr))
    else:
        f.unmet_b = xp.zeros((b.D, b.B))


def reinvestment(b: Block, c: Carried, f: Flows) -> None:
    """Money spent beyond need: the headroom the year's plan found (:func:`behaviour.plan`) and a share of
    positive reserves drawn, spread over the budget's upstream need (over all its lines where it holds no
    upstream line; only upstream spending prevents admissions). Every holder follows this rule."""
    xp = b.xp
    f.reinvest = xp.zeros((b.D, b.B))
    f.reinvest_reserves = f.reinvest
    if b.reinvesting:
        assert f.year is not None
        up_b = b.held.total(f.demand_p, b.rules.up_holds)  # (D, B)
        planned = 0.0 if c.headroom is None else c.headroom
        if b.fused_budgets:  # the same money in one pass
            f.reinvest, f.reinvest_reserves, rate = kernel_steps.reinvested(b, c, up_b, planned, f.t)
        else:
            drawn = b.col["behaviour.reinvest_share"] * xp.maximum(c.reserves, 0.0)
            has_up = up_b > 0  # one mask for the three uses
            f.reinvest_reserves = xp.where(has_up, drawn, 0.0)
            f.reinvest = xp.where(has_up, drawn + planned, 0.0)
            rate = f.reinvest / xp.where(has_up, up_b, 1.0)
        f.rate_lr = b.runs.spread(rate, b.rules.up_holds)  # (D, L, runs)
        if not b.fused_budgets:  # the kernels add rate × need where they read it (fused_budgets.line_totals)
            f.reinvest_lr = f.rate_lr * f.year.demand_lr  # constant rate in a run
        b.atom_stage.reinvest(f.year, f.rate_lr)
    b.atom_stage.end_year(f.year)


def allocation_and_rebasing(b: Block, c: Carried, f: Flows) -> None:
    """Each budget's allocation; at a settlement's end the grants are rebased on the shift of activity (004
    §4.3.2: as activity moves out of hospital the block grants move toward the local tier). The shift is the
    hospital activity that no longer happens, priced: last year's emergency cost avoided by upstream spend, a
    level measured against the base year's pattern of care. The rebase is set to ``share`` of it and held for
    the settlement (it replaces, never adds to, the previous settlement's rebase). Settlements count from the
    year the rule set started: a reform's first rebase comes ``settlement_years`` after its start. A pot's
    date renames the rule sets of the phase it opens; each takes over its predecessor's held rebase
    (:func:`devocare.simulation.engine._enter_phase`), so the settlement runs on through the date."""
    xp = b.xp
    assert f.year is not None
    alloc_b = b.alloc[f.t][None, :] + xp.zeros((b.D, b.B))
    for rs, toward, away, share, years_s in b.reb:
        if b.rule_sets_in is not None and not b.rule_sets_in(rs, f.t):
            continue  # a rule set that does not run this year (a reform before its start) rebases nothing
        into = f.t - b.since.get(rs, 0)  # years since the rule set started
        if into > 0 and into % years_s == 0:
            c.rebase[rs] = share * c.last_avoided
            c.rebase_b[rs] = b.runs.to_budgets(segment_sum(xp, c.rebase[rs], b.prep.starts))
        if f.t > 0:
            alloc_b = alloc_b + c.rebase_b[rs] * (toward - away)
    c.last_avoided = f.year.avoided
    f.alloc_b = alloc_b


def _in_year(b: Block, path: str, t: int) -> object:
    """A parameter's (draw, 1) values in year ``t``: its dated value where it changes within the run."""
    return b.dated[path][t][:, None] if path in b.dated else b.col[path]


def co_financing(b: Block, c: Carried, f: Flows) -> None:
    """The local tier pays a share of its residents' hospital spend to the regional tier, at most the cap per
    emergency admission (Denmark caps the payment per admission)."""
    xp = b.xp
    f.t_in, f.t_out = xp.zeros((b.D, b.B)), xp.zeros((b.D, b.B))
    for rs, lines, payer, receiver, share in b.cof:
        if b.rule_sets_in is not None and not b.rule_sets_in(rs, f.t):
            continue  # a rule set of another phase (its budgets may run on into this one)
        shares = cofinancing.line_shares(
            xp, lines, share, _in_year(b, "cofinancing.cap_per_admission", f.t), b.col["admissions.unit_cost"]
        )
        pay_b = cofinancing.payments(f.spent_lb, shares)
        f.t_out = f.t_out + pay_b * payer
        f.t_in = f.t_in + pay_b * receiver


def budget_totals(b: Block, c: Carried, f: Flows) -> None:
    """Admissions, avoided and avoidable admissions, population, spend and need per budget."""
    xp = b.xp
    assert f.year is not None
    f.counts_r = f.year.counts_lr
    f.adm_b, f.avoided_b, f.avoidable_b = b.runs.to_budgets(f.counts_r)  # (3, D, B)
    f.pop_b = b.runs.to_budgets(segment_sum(xp, b.heads[f.ty][POP], b.prep.starts)[None, :])  # (1, B): every draw's
    f.spent_b = b.held.total(f.spent_p) + f.reinvest


def pooled_funds(b: Block, c: Carried, f: Flows) -> None:
    """A pooled fund (the Better Care Fund) moves who pays for the pooled services, not what they cost."""
    if b.pooling:
        f.t_out = f.t_out + b.pool_out[f.t][None, :]
        f.t_in = f.t_in + b.pool_in[f.t][None, :]
        f.spent_b = f.spent_b + (b.pool_in[f.t] - b.pool_out[f.t])[None, :]
    f.need_b = b.held.total(f.demand_p)


def incentive_payments(b: Block, c: Carried, f: Flows) -> None:
    """The incentive fund's top slice is held back and paid on the criteria each budget meets."""
    xp = b.xp
    f.fund = b.fund[f.t][None, :] + xp.zeros((b.D, b.B))
    f.kept = f.alloc_b - f.fund
    f.paid = xp.zeros((b.D, b.B))
    if not b.top_any:
        return
    col, live = b.col, b.live
    adm_ph = f.adm_b / xp.where(f.pop_b > 0, f.pop_b, 1.0)
    noise = b.noise[:, f.t]  # (D, B, 3)
    c.walk = c.walk * (1.0 + col["incentives.readmission_trend_sd"] * noise[:, :, 0] * live)
    readm = col["admissions.readmission_rate"] * adm_ph * c.walk
    tele = b.central * col["incentives.p_telemedicine"] + live * xp.astype(
        noise[:, :, 1] < col["incentives.p_telemedicine"], xp.float64
    )
    it = b.central * col["incentives.p_it_integration"] + live * xp.astype(
        noise[:, :, 2] < col["incentives.p_it_integration"], xp.float64
    )
    r = b.rules
    elective_spent, elective_need = b.held.line(f.spent_p, ELECTIVE), b.held.line(f.demand_p, ELECTIVE)
    elective_ratio = xp.where(
        r.holds[ELECTIVE][None, :] > 0, balance.need_adjusted_ratio(xp, elective_spent, elective_need), -1.0
    )
    held = b.held.total(f.spent_p) + f.reinvest
    # spend on the upstream lines a budget holds (its spending beyond need is upstream only where it holds one)
    upstream = b.held.total(f.spent_p, r.upstream) + f.reinvest * r.has_upstream[None, :]
    up_share = upstream / xp.where(held > 0, held, 1.0)
    met = incentives.criteria(
        xp,
        adm_ph,
        _last_year(xp, c.prev_adm, adm_ph, c.began),
        f.avoided_b / xp.where(f.avoidable_b > 0, f.avoidable_b, 1.0),
        float(b.fixed["incentives.chronic_target"]),
        readm,
        _last_year(xp, c.prev_readm, readm, c.began),
        tele,
        it,
        r.criteria,
        elective_ratio,
        r.floors[ELECTIVE],
        up_share,
        _last_year(xp, c.prev_up, up_share, c.began),
    )
    per_criterion = float(b.fixed["incentives.payout_per_criterion"])
    frac = incentives.payout_fraction(xp, met, per_criterion, float(b.fixed["incentives.criteria_for_full_payout"]))
    f.paid = frac * f.fund
    if r.unpaid_to_tier is not None and r.n_groups:
        f.paid = incentives.share_unpaid(xp, f.fund, f.paid, r.fund_group, r.unpaid_to_tier, r.n_groups)
    c.prev_adm, c.prev_readm, c.prev_up, c.began = adm_ph, readm, up_share, None


def _last_year(xp: Any, previous: Any, now: Any, began: Any) -> Any:
    """Last year's measure to improve on: this year's where there is none (the first year, or a budget that
    began this year: it cannot have improved on a year it did not exist in)."""
    if previous is None:
        return now
    return previous if began is None else xp.where(began > 0, now, previous)


def transition_costs(b: Block, c: Carried, f: Flows) -> None:
    """A reform's transition charge (redundancy, reorganisation and double running in the years before its
    start date; the running-cost saving after), paid out of the reforming architecture's budgets in
    proportion to their grants: money that leaves the envelope, shown as its own flow."""
    f.transition = b.transition[:, f.t][:, None] * b.transition_share[f.t][None, :]


def paid_out(f: Flows) -> object:
    """The year's transition charge per budget (zero where no step set one)."""
    return 0.0 if f.transition is None else f.transition


def balance_and_risk(b: Block, c: Carried, f: Flows) -> None:
    """Surplus kept or returned, deficit borne from reserves or met by the centre up to the budget's limit,
    within each budget's risk corridor (beyond it the centre shares the result); reserves move and cuts
    follow a negative reserve. Every holder follows the same rule; its risk rules set the shares."""
    xp, r = b.xp, b.rules
    if b.fused_budgets:  # the same rules in one pass
        settled = f.extra["settled"] = kernel_steps.balance(b, c, f, paid_out(f))
        f.to_res, f.returned, f.borne, f.support, f.change, f.income, c.reserves = settled
        return
    money_in = f.kept + f.paid + f.t_in + f.reinvest_reserves
    surplus = money_in - f.spent_b - f.t_out - paid_out(f)
    cap = balance.support_cap(xp, f.alloc_b, r.support_limit[None, :])
    if b.corridor_any:
        f.to_res, f.returned, f.borne, f.support = balance.settle_in_corridor(
            xp,
            surplus,
            f.alloc_b,
            r.savings_retained[None, :],
            r.overspend_borne[None, :],
            r.corridor[None, :],
            r.corridor_centre_share[None, :],
            c.reserves,
            cap,
        )
    else:
        f.to_res, f.returned, f.borne, f.support = balance.settle(
            xp, surplus, r.savings_retained[None, :], r.overspend_borne[None, :], c.reserves, cap
        )
    f.change = f.to_res - f.borne - f.reinvest_reserves
    f.income = f.kept + f.paid + f.t_in - f.t_out  # the year's money, before any hand-over of balances
    c.reserves = c.reserves + f.change


def plan_next_year(b: Block, c: Carried, f: Flows) -> None:
    """Every holder that exists next year sets next year's budget from this year's outturn
    (:func:`behaviour.plan`): the cut that balances what it must bear, and the headroom it spends upstream.
    Before a phase starts, a budget that starts with it plans from what it takes over (:func:`taken_over`),
    so its first year is planned like any other; every successor plans with the balance it will inherit."""
    if not b.obl_any:
        return
    xp, r, t = b.xp, b.rules, f.t + 1
    if b.fused_budgets and t < b.years and t not in b.phase_starts:  # the same plan in one pass
        c.cut, c.headroom, c.last_base = kernel_steps.plan(b, c, f, paid_out(f))
        if t + 1 in b.phase_starts:
            c.last_base_lr = f.spent_lr if f.unmet_lr is None else f.spent_lr + f.unmet_lr
        return
    base = f.spent_b + f.unmet_b - f.reinvest  # this year's spend before cuts and beyond-need spending
    if t < b.years:
        charge = b.transition[:, t][:, None] * b.transition_share[t][None, :]
        expected = f.income + (b.alloc[t] - b.alloc[f.t])[None, :] - charge
        view = [base, c.last_base, f.income - paid_out(f), expected, c.reserves]
        if t in b.phase_starts:
            view = taken_over(b, c, f, t, view, charge)
        cut, headroom = behaviour.plan(
            xp,
            view[0],
            view[1],
            view[2],
            view[3],
            view[4],
            r.overspend_borne[None, :],
            balance.support_cap(xp, b.alloc[t][None, :], r.support_limit[None, :]),  # (1, B): the same for every draw
            b.col["behaviour.overspend_response"],
            b.max_cut,
            float(b.fixed["behaviour.headroom_spend_share"]),
        )
        if b.exists is not None:  # a budget plans only for a year it runs in
            runs = b.exists[t][None, :]
            cut, headroom = cut * runs, headroom * runs
        c.cut, c.headroom = cut, headroom
        base = view[0]  # a starting budget's history begins with what it took over
    if t + 1 in b.phase_starts:  # next year's plan for the phase after it reads this year's spend per line
        c.last_base_lr = f.spent_lr if f.unmet_lr is None else f.spent_lr + f.unmet_lr
    c.last_base = base


def taken_over(b: Block, c: Carried, f: Flows, t: int, view: list[Any], charge: Any) -> list[Any]:
    """The plan's inputs (base, previous base, money, expected money, reserves) at the end of the year
    before phase start ``t``, with those of each budget that starts at ``t`` replaced by what it takes over.

    Spend before cuts, this year's and last year's, is exact: the atoms' spend and unmet need per line summed
    through the next phase's membership and held lines, plus the budget's own pooled fund next year. Its
    expected money is its own next year: allocation less incentive top slice, pooled fund, the co-financing
    its rules would move on this year's spend, less its transition charge (an incentive payment is not
    counted on); this year's money is that less the rise from this year's grant its rules would have given
    it to next year's (the plan's growth of money where it has no history of spend). Every successor's reserves add
    the balance it inherits at the start (through the hand-over matrix, as :func:`succession` moves it)."""
    xp = b.xp
    base, previous, money, expected, reserves = view
    k = b.phase_starts.index(t) + 1
    held = b.held_in(k)
    starting = (b.exists[t] * (1.0 - b.exists[f.t]))[None, :] > 0
    own = b.alloc[t] - b.fund[t] + (b.pool_in[t] - b.pool_out[t] if b.pooling else 0.0)  # (B,)
    pool = (b.pool_in[t] - b.pool_out[t])[None, :] if b.pooling else 0.0
    spend_lr = f.spent_lr if f.unmet_lr is None else f.spent_lr + f.unmet_lr
    new_expected = own[None, :] + cofinanced(b, f.spent_lr, f.t, t, b.runs_in(k)) - charge
    base = xp.where(starting, held.total(held.pairs(spend_lr)) + pool, base)
    money = xp.where(starting, new_expected - (b.alloc[t] - b.grant_own[f.t])[None, :], money)
    expected = xp.where(starting, new_expected, expected)
    if previous is not None and c.last_base_lr is not None:
        previous = xp.where(starting, held.total(held.pairs(c.last_base_lr)) + pool, previous)
    ceasing = xp.astype(b.ceases == t, xp.float64)[None, :]
    reserves = reserves + b.handover.to_budgets(reserves * ceasing)
    return [base, previous, money, expected, reserves]


def cofinanced(b: Block, spent_lr: Any, now: int, t: int, runs: Any) -> Any:
    """(D, B) £ net received under the co-financing rules that run in year ``t``, on ``spent_lr`` (D, L,
    runs) aggregated by ``runs`` (a run matrix), at year ``now``'s cap: the payer pays, the receiver gets."""
    xp = b.xp
    net = xp.zeros((b.D, b.B))
    if not b.cof:
        return net
    spent_lb = runs.to_budgets(spent_lr)  # (D, L, B)
    for rs, lines, payer, receiver, share in b.cof:
        if b.rule_sets_in is not None and not b.rule_sets_in(rs, t):
            continue
        shares = cofinancing.line_shares(
            xp, lines, share, _in_year(b, "cofinancing.cap_per_admission", now), b.col["admissions.unit_cost"]
        )
        pay_b = cofinancing.payments(spent_lb, shares)
        net = net + pay_b * receiver - pay_b * payer
    return net


def floor_breaches(held: HeldLines, spent_p: Any, demand_p: Any, floors: Any) -> Any:
    """(D, B) True where a budget's need-adjusted spend on a line it holds is below the line's floor,
    compared on the held (line, budget) pairs only."""
    xp = held.xp
    ratio = balance.need_adjusted_ratio(xp, spent_p, demand_p)
    line_floor = xp.take(floors, xp.asarray(held.lines)) if not is_numpy(xp) else np.asarray(floors)[held.lines]
    below = xp.astype(ratio < (line_floor - 1e-12)[None, :], xp.float64)
    return held.total(below) > 0


def floors_and_intervention(b: Block, c: Carried, f: Flows) -> None:
    """Minimum service levels per line (need-adjusted spend) and the one intervention trigger of every
    architecture: a deficit beyond a share of allocation, or floors breached for consecutive years."""
    xp, r = b.xp, b.rules
    if b.fused_budgets and "settled" in f.extra:  # the same trigger in one pass
        c.breach_streak, (f.breached, f.flag_deficit, f.flag_floor, f.flag) = kernel_steps.floors(b, c, f)
        return
    f.breached = floor_breaches(b.held, f.spent_p, f.demand_p, r.floors)
    previous = c.breach_streak if c.breach_streak is not None else xp.zeros((b.D, b.B))
    c.breach_streak = intervention.breach_streak(xp, previous, f.breached)
    surplus = f.to_res + f.returned - f.borne - f.support
    share = float(b.fixed[intervention.DEFICIT_SHARE])
    f.flag_deficit = intervention.deficit_trigger(xp, surplus, c.reserves, f.alloc_b, share)
    f.flag_floor = intervention.floor_trigger(c.breach_streak, int(b.fixed[intervention.FLOOR_YEARS]))
    f.flag = f.flag_deficit | f.flag_floor


def succession(b: Block, c: Carried, f: Flows) -> None:
    """Phases (a reform on its start date, pots on their dates): budgets that do not exist in a year flag
    nothing; in the year a phase starts each budget that ceases passes its balance to its successor (a
    transfer) or to the centre (a positive balance returned, a carried deficit written off as deficit
    support)."""
    starts = b.phase_starts
    if not starts:
        return
    xp = b.xp
    exists = b.exists[f.t][None, :] > 0
    f.flag_deficit, f.flag_floor = f.flag_deficit & exists, f.flag_floor & exists
    f.flag = f.flag_deficit | f.flag_floor
    if f.t not in starts:
        return
    ceasing = xp.astype(b.ceases == f.t, xp.float64)  # only the budgets whose last phase ended last year hand over
    succeeded = (b.succeeded * ceasing)[None, :]  # (1, B) 1 where a budget ceases and has successors
    centre = c.reserves * (b.to_centre * ceasing)[None, :]  # ceases with none: its balance goes to the centre
    passed = c.reserves * succeeded
    balance = passed + centre
    # (D, B) what each successor receives (rows of the handover sum to 1), summed in a fixed order whatever
    # the number of draws in the block, so results do not depend on how draws are chunked
    moved = b.handover.to_budgets(passed)
    f.t_out = f.t_out + passed
    f.t_in = f.t_in + moved
    f.handed_over, f.taken_over = passed, moved
    f.returned = f.returned + xp.maximum(centre, 0.0)
    f.support = f.support + xp.maximum(-centre, 0.0)
    f.change = f.change - balance + moved
    c.reserves = c.reserves - balance + moved


def conservation_check(b: Block, c: Carried, f: Flows) -> None:
    """Every budget's money in equals money out; the allocations add up to the envelope; transfers net to
    zero; and every flow is a finite number. Any failure is an engine bug (:class:`ConservationError`)."""
    if not b.check:
        return
    xp = b.xp
    flows = (f.alloc_b, f.kept, f.paid, f.t_in, f.t_out, f.spent_b, f.change, f.returned, f.support, c.reserves)
    if b.fused_budgets:  # the same checks in one pass
        finite, worst = kernel_steps.conservation(b, flows, paid_out(f), float(b.prep.envelope[f.t]))
        if not finite:
            raise ConservationError(f"a money flow is not a finite number in {b.arch} year {f.t}")
        _record_gap(b, c, f, worst)
        return
    # a sum is finite exactly when every term is (a nan or an infinity, or infinities of both signs, give a
    # nan or an infinity; money never nears the float64 limit): one pass per flow, no boolean array
    if not all(math.isfinite(float(np.sum(to_numpy(x)))) for x in flows):
        raise ConservationError(f"a money flow is not a finite number in {b.arch} year {f.t}")
    gap = balance.conservation_gap(
        xp, f.kept + f.paid + f.t_in + f.support, f.spent_b + paid_out(f), f.t_out, f.change, f.returned
    )
    envelope = float(b.prep.envelope[f.t])
    ledger = np.abs(row_sums(f.alloc_b) - envelope) / max(envelope, 1.0)
    transfers = np.abs(row_sums(f.t_in) - row_sums(f.t_out)) / max(envelope, 1.0)
    _record_gap(b, c, f, max(float(to_numpy(gap)), float(ledger.max()), float(transfers.max())))


def _record_gap(b: Block, c: Carried, f: Flows, worst: float) -> None:
    """Keep the run's largest conservation gap; a gap that is not a number or beyond tolerance is a bug."""
    if not np.isfinite(worst):
        raise ConservationError(f"conservation gap is not a finite number in {b.arch} year {f.t}")
    c.max_gap = max(c.max_gap, worst)
    if c.max_gap > CONSERVATION_TOLERANCE:
        raise ConservationError(f"money not conserved in {b.arch} year {f.t}: gap {c.max_gap:.3g}")


def one_minus(xp: Any, x: Any) -> Any:
    """``1 - x``, written over a NumPy ``x`` (a temporary of the caller's)."""
    return np.subtract(1.0, x, out=x) if isinstance(x, np.ndarray) else 1.0 - x


def row_sums(x: object) -> np.ndarray:
    """Sum over the last axis on the host, contiguous, so the order does not depend on the draw count."""
    return np.ascontiguousarray(to_numpy(x)).sum(axis=-1)


#: A year, in order. ``record`` (writing the year's outputs) runs after these in the engine.
STEPS: tuple[Step, ...] = (
    Step("efficiency_and_cuts", ("behaviour",), efficiency_and_cuts),
    Step(
        "need_prevention_caps_shift",
        ("demography", "non_demographic_growth", "prevention", "co_financing", "hospital_caps", "behaviour"),
        need_prevention_caps_shift,
    ),
    Step("reinvestment", ("behaviour",), reinvestment),
    Step("allocation_and_rebasing", (), allocation_and_rebasing),
    Step("co_financing", ("co_financing",), co_financing),
    Step("budget_totals", (), budget_totals),
    Step("pooled_funds", (), pooled_funds),
    Step("incentive_payments", ("incentives",), incentive_payments),
    Step("transition_costs", (), transition_costs),
    Step("balance_and_risk", ("behaviour",), balance_and_risk),
    Step("floors_and_intervention", (), floors_and_intervention),
    Step("succession", (), succession),
    Step("plan_next_year", ("behaviour",), plan_next_year),
    Step("conservation_check", (), conservation_check),
)
