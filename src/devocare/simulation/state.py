"""Typed state of a block of draws: what is fixed for the block (:class:`Block`), what a year hands to the
next (:class:`Carried`) and one year's flows (:class:`Flows`). The steps of :mod:`devocare.simulation.steps`
read and write these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devocare.simulation.atoms import AtomYear
from devocare.simulation.backend import HeldLines, RunMatrix


@dataclass
class BudgetRules:
    """Per-budget money rules on the backend, each (B,) unless stated: the fields a year's steps read."""

    holds: Any  # (L, B) 1 where budget b holds line l
    savings_retained: Any
    overspend_borne: Any
    up_holds: Any  # (L, B) lines that spending goes to: upstream lines held, or every line held where none is
    upstream: Any  # (L, B) upstream lines held (the prevention-spend criterion's measure)
    has_upstream: Any  # (B,) 1 where a budget holds an upstream line (its spending beyond need is upstream)
    criteria: list[Any]  # per incentive criterion: (B,) 1 where the fund pays on it
    floors: Any  # (L,) minimum need-adjusted spend ratio per line
    corridor: Any  # (B,) risk-corridor width as a share of allocation (inf: no corridor)
    corridor_centre_share: Any  # (B,) share of a result beyond the corridor taken by the centre
    support_limit: Any  # (B,) most deficit support a year as a share of allocation (inf: no limit)
    fund_group: Any = None  # (B,) host integer budget group of each budget (a holder's budgets of the same pots)
    unpaid_to_tier: Any = None  # (B,) 1 where incentive money not earned stays with the budget's group
    n_groups: int = 0


@dataclass
class Block:
    """What every year of a block needs and no year changes: backend, parameters, switches, rules."""

    xp: Any
    arch: str
    prep: Any  # engine.Prepared
    rules: BudgetRules
    fixed: dict[str, Any]
    p: dict[str, Any]  # parameter path → (D,)
    col: dict[str, Any]  # parameter path → (D, 1)
    D: int
    A: int
    L: int
    B: int
    years: int
    n_proj: int
    heads: Any  # (projected years, L, A) sorted atoms, backend
    runs: RunMatrix
    held: HeldLines  # the (line, budget) pairs the budgets hold
    atom_stage: Any  # atoms.GenericAtoms | atoms.FusedAtoms
    cost_per_head: Any  # (D, L)
    pop_growth: Any
    ageing: Any
    nd: Any  # (D, L) non-demographic growth
    central: Any  # (D, 1) 1 for the central draw
    live: Any  # (D, 1) 1 for Monte Carlo draws
    any_eff: bool
    obl_any: bool  # cuts after a negative reserve run (the behaviour factor is on)
    top_any: bool
    reinvesting: bool
    pooling: bool
    corridor_any: bool
    eff_runs: Any  # (L, runs)
    #: ``eff_runs`` split by the year its budgets' clocks start: ((start, (L, runs)), ...)
    eff_clocks: tuple[tuple[int, Any], ...]
    noise: Any  # (D, years, B, 3) criteria noise
    alloc: Any  # (years, B) allocation before rebasing
    fund: Any  # (years, B) incentive fund held back
    grant: Any  # (years, B) block grant
    transition: Any  # (D, years) £ net transition charge (one-off costs less running-cost savings)
    transition_share: Any  # (years, B) each budget's share of the charge
    pool_out: Any
    pool_in: Any
    cof: list[tuple[str, np.ndarray, Any, Any, float]]
    reb: list[tuple[str, Any, Any, float, int]]
    max_cut: float  # behaviour.max_cut_share (this year's value where it is dated)
    keep: bool  # keep the central draw's atom detail
    c0: int
    atom_draws: bool
    check: bool
    #: the year's per-budget rules run as the fused kernels of :mod:`fused_budgets` (NumPy with Numba)
    fused_budgets: bool = False
    kernel_rows: dict[tuple[int, ...], Any] = field(default_factory=dict)  # their per-budget rules, made once
    #: a reform on its start date (:mod:`devocare.simulation.phases`): the year its budgets take over (None: one
    #: phase), whether a rule set runs in a year, which budgets exist each year (years, B), the (B, B)
    #: handover of ceasing budgets' balances and (B,) those that go to the centre
    switch: int | None = None
    phase: int = 0  # the phase whose budgets exist this year (0 from the base year, then one per phase start)
    phase_starts: tuple[int, ...] = ()  # the years a phase starts (a reform's start, a pot's date)
    ceases: Any = None  # (B,) the year each budget hands its balance over (-1: runs to the end)
    rule_sets_in: Any = None
    #: the year each rule set started (a reform's own: its start; absent: the base year): its budgets'
    #: efficiency ramp and its settlement cycle count from it
    since: dict[str, int] = field(default_factory=dict)
    #: rule set → the rule set of the phase before it that runs the same architecture (its held rebase goes on)
    carries: dict[str, str] = field(default_factory=dict)
    investing_groups: list[int] = field(default_factory=list)
    exists: Any = None
    prevention_on: bool = True
    #: dated parameters: path → each year's (D,) values, and the growth of need they give (None: constant)
    dated: dict[str, list[Any]] = field(default_factory=dict)
    growth_path: list[Any] | None = None
    handover: Any = None  # RunMatrix over the (B, B) handover matrix
    held_in: Any = None  # phase index → that phase's HeldLines (a starting budget's first plan reads them)
    runs_in: Any = None  # phase index → that phase's RunMatrix
    grant_own: Any = None  # (years, B) each budget's grant under its phase's rules, also in years it does not run
    succeeded: Any = None  # (B,) 1 where a ceasing budget has successors
    to_centre: Any = None


@dataclass
class Carried:
    """State a year hands to the next: reserves, cuts, the readmission walk, last year's incentive
    measures, rebasing sums and the emergency cost avoided last year."""

    reserves: Any
    cut: Any
    walk: Any
    rebase: dict[str, Any]
    rebase_b: dict[str, Any]
    last_avoided: Any
    prev_adm: Any = None
    prev_readm: Any = None
    prev_up: Any = None  # (D, B) last year's share of spend on upstream services
    began: Any = None  # (B,) 1.0 for a budget that began this year: it has no last year's measures
    max_gap: float = 0.0
    breach_streak: Any = None  # (D, B) consecutive years each budget has breached a floor
    headroom: Any = None  # (D, B) £ of this year's planned headroom each budget spends upstream
    last_base: Any = None  # (D, B) last year's spend before cuts, excluding reinvestment (the plan's history)
    last_base_lr: Any = None  # (D, L, runs) the same per line and run, kept the year before a phase's plan


@dataclass
class Flows:
    """One year's flows, filled step by step (arrays (D, B) per budget unless stated)."""

    t: int
    ty: int
    eff_lr: Any = None  # (D, L, runs) efficiency factor, None where no budget saves
    cut_lr: Any = None  # (D, L, runs) cut factor after overspends, None where no budget bears them
    factor_lr: Any = None  # their product
    year: AtomYear | None = None
    spent_lr: Any = None  # (D, L, runs)
    spent_p: Any = None  # (D, pairs) spend on each line a budget holds (:class:`HeldLines` pairs)
    demand_p: Any = None  # (D, pairs) need on each line a budget holds
    spent_lb: Any = None  # (D, L, B) residents' spend on every line, only where co-financing pays on it
    unmet_lr: Any = None  # (D, L, runs) need rationed away by cuts
    unmet_b: Any = None  # (D, B) unmet need per budget
    reinvest: Any = None  # (D, B) £ spent upstream beyond need: planned headroom plus reserves drawn
    reinvest_reserves: Any = None  # (D, B) the part of ``reinvest`` drawn from reserves
    reinvest_lr: Any = None  # (D, L, runs) rate × need (None where the fused kernels add it as they read it)
    rate_lr: Any = None
    alloc_b: Any = None
    t_in: Any = None
    t_out: Any = None
    counts_r: Any = None  # (3, D, runs): admissions, avoided, avoidable
    adm_b: Any = None
    avoided_b: Any = None
    avoidable_b: Any = None
    pop_b: Any = None
    spent_b: Any = None
    need_b: Any = None
    fund: Any = None
    kept: Any = None
    paid: Any = None
    to_res: Any = None
    returned: Any = None
    borne: Any = None
    support: Any = None
    change: Any = None
    income: Any = None  # (D, B) £ the year's money in less transfers out, before any hand-over of balances
    breached: Any = None
    flag: Any = None
    flag_deficit: Any = None  # (D, B) intervention because of a deficit beyond the stated share
    transition: Any = None  # (D, B) £ transition charge paid out of each budget this year
    flag_floor: Any = None  # (D, B) intervention because floors were breached for consecutive years
    handed_over: Any = 0.0  # (D, B) £ balance a ceasing budget passes to its successors (part of ``t_out``)
    taken_over: Any = 0.0  # (D, B) £ balance a successor receives from ceasing budgets (part of ``t_in``)
    extra: dict[str, Any] = field(default_factory=dict)
