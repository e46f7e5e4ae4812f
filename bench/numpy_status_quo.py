"""An independent, plain vectorised NumPy model of the status quo's year, the benchmarks' baseline.

A benchmark's baseline is honest only if it does the same work and gets the same answer. This module is the
status quo (``status-quo-2023``) as the engine runs it, written from the model's documentation
(``docs/background/simulation-model.md`` §3, the parameter tree and the architecture YAML), not from the
engine's step code: it imports none of ``simulation/steps.py``, ``atoms.py``, ``balance.py``,
``behaviour.py``, ``fused.py`` or ``engine.run_block``. It takes only the engine's *inputs*: weighted heads
and each atom's LAD (:func:`devocare.simulation.inputs.load_inputs`), the budget groups with their
membership matrices, risk rules and the pooled fund (:func:`devocare.simulation.rules.build_rules`), the
block grants per budget and year (the allocation engine's, from the prepared run), the draws' parameter
values and LAD shocks (:func:`devocare.simulation.montecarlo.draw_values`) and the envelope rule
(:func:`devocare.service_lines.base_year_spend`). ``tests/simulation/test_numpy_baseline.py`` holds it to
the engine at LAD and LSOA level, per budget and nationally, to 1e-9.

Every year, for draws × lines × atoms at once:

1. **Need** = cost per weighted head × weighted heads × growth (population projection in the heads,
   non-demographic growth per line) × (1 + LAD shock × its sd; none in the central draw).
2. **Prevention**: last years' extra upstream spend, weighted by the lag profile's increments, avoids
   emergency cost up to the avoidable share with diminishing returns; admissions = emergency need ÷ unit cost.
3. **Efficiency and cuts**: budgets that keep savings and bear overspends (the councils) save the ramped
   efficiency share; every budget cuts the share its plan set last year; need rationed by cuts is unmet.
4. **Spending beyond need**: the plan's headroom and a share of positive reserves, spread over the
   budget's upstream need (over all its lines where it holds no upstream line); upstream spend feeds step 2.
5. **Pooled fund** (Better Care Fund): the ICBs' minimum contribution, spread by need on the pooled lines
   and grown with the envelope, moves from each ICB to the councils.
6. **Balance**: a surplus first repays a carried deficit, then is kept or returned; a deficit is met by the
   centre (the share the risk rules leave it) up to the support limit, the rest carried in reserves.
7. **Plan**: each budget forecasts next year's spend before cuts against next year's money; it cuts what
   it must bear (at most the largest cut share) and spends forecast headroom.

Membership is applied as sorted index segment sums per budget group (atoms → budgets) and per atom
(budgets → atoms), never as dense products. Each service line is held by exactly one budget group in the
status quo, so a group's lines are summed once per atom and its budget-level factors (efficiency, cuts,
reinvestment rates) apply to that sum.

The status quo has no left shift (no budget both keeps savings and bears acute cost), no hospital cap, no
co-financing, no incentive fund, no rebasing, no transition cost and no reform start; the model refuses an
architecture that has any of them, a pot date within the run (it runs one date's pots: the status quo's
``as_of``), or a dated value of a parameter its year reads. Floors and intervention flags move no money and
are not computed.

:func:`run_simple` is a much lighter model (one budget group, fixed grants, ``min(need, money)``), kept for
comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from devocare.service_lines import LINE_IDS, REGISTRY, UPSTREAM_LINES, base_year_spend

NE = LINE_IDS.index("acute_non_elective")
UPSTREAM = np.array([line in UPSTREAM_LINES for line in LINE_IDS])
#: Non-demographic growth parameter of each line (its growth group).
GROWTH_PARAM = [f"demand.non_demographic_growth.{line.growth_group}" for line in REGISTRY]
#: Parameters a year reads (a dated value of one of them is a rule the baseline does not model). The pooled
#: fund follows its parameter's base-year value grown with the envelope, and the grants come prepared.
YEARLY = ("demand.", "admissions.", "prevention.", "behaviour.", "funding.")
#: Per-budget outputs, each (draws, years, budgets).
BUDGET_OUTPUTS = ("need", "spent", "unmet_need", "reserves", "deficit_support")


@dataclass(frozen=True)
class Segments:
    """One budget group's membership (atoms × areas shares) as entries sorted two ways, for segment sums."""

    n_atoms: int
    n_budgets: int
    b_atom: np.ndarray  # entries sorted by budget: atom of each entry
    b_weight: np.ndarray  # their shares
    b_starts: np.ndarray  # first entry of each budget that has entries
    b_ids: np.ndarray | None  # budgets with entries (None: all)
    a_budget: np.ndarray  # entries sorted by atom: budget of each entry
    a_weight: np.ndarray
    a_starts: np.ndarray
    a_ids: np.ndarray | None
    whole: bool  # every share is 1 (areas nest: each atom wholly in one budget), so nothing to weight

    @classmethod
    def of(cls, H: Any) -> Segments:
        """Segments of an (atoms × budgets) share matrix, dense or SciPy sparse (its non-zero entries only)."""
        if hasattr(H, "tocoo"):
            coo = H.tocoo()
            keep = coo.data != 0
            atom, budget, weight = coo.row[keep], coo.col[keep], np.asarray(coo.data[keep], dtype=float)
        else:
            H = np.asarray(H, dtype=float)
            atom, budget = np.nonzero(H)
            weight = H[atom, budget]
        ob = np.lexsort((atom, budget))
        oa = np.lexsort((budget, atom))

        def starts(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray | None]:
            first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, int)
            ids = keys[first]
            return first, (None if len(ids) == n else ids)

        bs, bid = starts(budget[ob], H.shape[1])
        as_, aid = starts(atom[oa], H.shape[0])
        whole = bool((weight == 1.0).all())
        return cls(H.shape[0], H.shape[1], atom[ob], weight[ob], bs, bid, budget[oa], weight[oa], as_, aid, whole)

    def to_budgets(self, x: np.ndarray) -> np.ndarray:
        """(..., atoms) → (..., budgets): Σ_a share[a, b] x[a]."""
        terms = np.take(x, self.b_atom, axis=-1)
        if not self.whole:
            terms *= self.b_weight
        sums = np.add.reduceat(terms, self.b_starts, axis=-1)
        if self.b_ids is None:
            return sums
        out = np.zeros((*x.shape[:-1], self.n_budgets))
        out[..., self.b_ids] = sums
        return out

    def to_atoms(self, y: np.ndarray) -> np.ndarray:
        """(..., budgets) → (..., atoms): Σ_b share[a, b] y[b] (a gather where each atom is in one budget)."""
        terms = np.take(y, self.a_budget, axis=-1)
        if not self.whole:
            terms *= self.a_weight
        if len(self.a_budget) == self.n_atoms == len(self.a_starts):  # one entry per atom: nothing to sum
            return terms
        sums = np.add.reduceat(terms, self.a_starts, axis=-1)
        if self.a_ids is None:
            return sums
        out = np.zeros((*y.shape[:-1], self.n_atoms))
        out[..., self.a_ids] = sums
        return out


@dataclass(frozen=True)
class Group:
    """A budget group: its budgets' slice of the budget axis, its lines' segments, membership and risk rules."""

    budgets: slice
    segments: slice  # its segments of the grouped lines: the lines it spends beyond need on, then the rest
    upstream: bool  # it holds upstream lines (its first segment), whose extra spend prevents admissions
    seg: Segments
    cover: np.ndarray  # (A,) share of each atom under the group
    saves: float  # savings retained × overspend borne: 1 where the group's budgets make efficiency savings


@dataclass(frozen=True)
class Model:
    """The draw-independent arrays of a status-quo run (original atom order, lines grouped by budget group)."""

    heads: np.ndarray  # (projected years, L, A), lines in ``order``
    order: np.ndarray  # (L,) line of each grouped position
    seg_bounds: tuple[tuple[int, int], ...]  # (first, end) grouped positions of each line segment
    atom_lad: np.ndarray  # (A,)
    groups: tuple[Group, ...]
    alloc: np.ndarray  # (years, B) block grant per budget
    pool_out: np.ndarray  # (years, B) pooled fund paid
    pool_in: np.ndarray  # (years, B) pooled fund received
    savings_retained: np.ndarray  # (B,)
    overspend_borne: np.ndarray  # (B,)
    support_limit: np.ndarray  # (B,) most deficit support a year as a share of allocation (inf: none)
    fixed: Mapping[str, Any]


def build(inputs: Any, rules: Any, alloc: np.ndarray, fixed: Mapping[str, Any]) -> Model:
    """The model of ``rules`` (the status quo) over ``inputs``' atoms, with the block grants ``alloc``
    (years × budgets, the allocation engine's) and central parameter values ``fixed``."""
    _refuse_other_mechanics(rules, fixed)
    held = np.sum([np.asarray(g.lines, dtype=int) for g in rules.groups], axis=0)
    if not (held == 1).all():
        raise ValueError("the baseline needs every line held by exactly one budget group")
    order: list[int] = []
    seg_starts: list[int] = []
    groups = []
    for g in rules.groups:
        lines = np.asarray(g.lines, dtype=bool)
        up = lines & UPSTREAM
        first = np.flatnonzero(up if up.any() else lines)  # what it spends beyond need on, then the rest
        rest = np.flatnonzero(lines & ~np.isin(np.arange(len(lines)), first))
        lo = len(seg_starts)
        for segment in (first, rest):
            if len(segment):
                seg_starts.append(len(order))
                order.extend(int(j) for j in segment)
        seg = Segments.of(g.H)
        saves = float(g.savings_retained) * float(g.overspend_borne_locally)
        groups.append(
            Group(
                slice(g.offset, g.offset + g.n),
                slice(lo, len(seg_starts)),
                bool(up.any()),
                seg,
                seg.to_atoms(np.ones(seg.n_budgets)),  # each atom's share under the group
                saves,
            )
        )
    B = rules.n_budgets
    per_budget = {k: np.zeros(B) for k in ("sr", "obl", "limit")}
    for g, grp in zip(rules.groups, groups, strict=True):
        per_budget["sr"][grp.budgets] = g.savings_retained
        per_budget["obl"][grp.budgets] = g.overspend_borne_locally
        national = g.tier == "national"  # the centre absorbs its own national budgets' results
        per_budget["limit"][grp.budgets] = np.inf if national else float(fixed["behaviour.deficit_support_limit"])
    heads = np.ascontiguousarray(np.transpose(inputs.weighted_heads, (0, 2, 1)))  # (Y, L, A)
    pool_out, pool_in = _pooled(rules, groups, heads, fixed, alloc.shape[0])
    return Model(
        np.ascontiguousarray(heads[:, order, :]),
        np.array(order),
        tuple(zip(seg_starts, [*seg_starts[1:], len(order)], strict=True)),
        np.asarray(inputs.atom_lad),
        tuple(groups),
        np.asarray(alloc, dtype=float),
        pool_out,
        pool_in,
        per_budget["sr"],
        per_budget["obl"],
        per_budget["limit"],
        fixed,
    )


def _refuse_other_mechanics(rules: Any, fixed: Mapping[str, Any]) -> None:
    """The baseline is the status quo's mechanics only: refuse rules it does not implement."""
    reasons = [
        name
        for name, present in (
            ("co-financing", bool(rules.cofinancing)),
            ("rebasing", bool(rules.rebasing)),
            ("a reform start", rules.switch is not None),
            ("a pot date within the run", bool(rules.starts)),
            ("an incentive fund", any(g.top_slice > 0 for g in rules.groups)),
            ("a left shift", any(g.incentive_strength > 0 for g in rules.groups)),
            ("a hospital input cap", any(g.hospital_input_cap is not None for g in rules.groups)),
            ("a risk corridor", any(g.corridor is not None for g in rules.groups)),
            ("dated parameters of its year", any(k.endswith("@years") and k.startswith(YEARLY) for k in fixed)),
        )
        if present
    ]
    if reasons:
        raise ValueError(f"the NumPy baseline models the status quo only; these rules have {', '.join(reasons)}")


def _pooled(
    rules: Any, groups: list[Group], heads: np.ndarray, fixed: Mapping[str, Any], years: int
) -> tuple[np.ndarray, np.ndarray]:
    """(years, B) paid into and out of pooled funds: the amount grown with the envelope
    (``funding.real_growth``), spread over atoms by the base-year spend of the pooled lines shared by
    each year's weighted heads, summed to the sender's and the receiver's budgets."""
    spend = np.array([float(base_year_spend(fixed, line)) for line in LINE_IDS])
    B = rules.n_budgets
    out, into = np.zeros((years, B)), np.zeros((years, B))
    growth = 1.0 + float(fixed["funding.real_growth"])
    for rule in rules.pooling:
        amount = rule.amount if rule.parameter is None else float(fixed[rule.parameter]) * 1e9
        lines = np.asarray(rule.lines, dtype=bool)
        for t in range(years):
            h = heads[min(t, heads.shape[0] - 1)]
            need = (spend[:, None] * h / h.sum(axis=1)[:, None])[lines].sum(axis=0)
            total = need.sum()
            atom_amount = amount * growth**t * need / total if total > 0 else np.zeros_like(need)
            send, receive = groups[rule.sender], groups[rule.receiver]
            out[t, send.budgets] += send.seg.to_budgets(atom_amount)
            into[t, receive.budgets] += receive.seg.to_budgets(atom_amount)
    return out, into


def _values(values: Any, fixed: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Each parameter's (D,) values: drawn where the block drew it, else its central value."""
    D = len(values.draws)
    out = {k: np.asarray(v, dtype=float) for k, v in values.scalars.items()}
    for k, v in fixed.items():
        if k not in out and not isinstance(v, list):
            out[k] = np.full(D, float(v))
    return out


def lag_increments(profile: list[float]) -> np.ndarray:
    """Weight of upstream spend made k + 1 years ago: the yearly increments of the cumulative lag profile."""
    shares = np.asarray(profile, dtype=float)
    return np.diff(np.r_[0.0, shares])


@dataclass
class Draws:
    """A block's per-draw values, each (D,) or (D, L) with lines grouped, and the year's state."""

    p: dict[str, np.ndarray]
    cost_per_head: np.ndarray  # (D, L)
    nd: np.ndarray  # (D, L) non-demographic growth
    shock_sd: np.ndarray  # (D, 1): zero for the central draw
    shocks: np.ndarray  # (D, years, LADs) standard normal


def run(model: Model, values: Any, years: int) -> dict[str, np.ndarray]:
    """One block of draws (``values``: :class:`devocare.simulation.engine.DrawValues`) for ``years`` years.

    Returns per (draw, year, budget) ``need``, ``spent``, ``unmet_need``, ``reserves`` and
    ``deficit_support``; per (draw, year) ``admissions`` (national emergency admissions) and
    ``national_need`` / ``national_spent`` (£ over England)."""
    m, fx = model, model.fixed
    p = _values(values, fx)
    D, B = len(values.draws), m.alloc.shape[1]
    spend = np.stack([base_year_spend(p, line) for line in LINE_IDS], axis=1)[:, m.order]  # (D, L) grouped
    central = np.asarray(values.central, dtype=bool)
    dr = Draws(
        p,
        spend / m.heads[0].sum(axis=1),
        np.stack([p[GROWTH_PARAM[j]] for j in m.order], axis=1),
        np.where(central, 0.0, p["demand.area_shock_sd"])[:, None],
        values.shocks,
    )
    out = {k: np.zeros((D, years, B)) for k in BUDGET_OUTPUTS}
    out |= {k: np.zeros((D, years)) for k in ("admissions", "national_need", "national_spent")}
    lags = lag_increments(fx["prevention.lag"])
    reserves, cut, headroom = np.zeros((D, B)), np.zeros((D, B)), np.zeros((D, B))
    last_base: np.ndarray | None = None
    history: list[np.ndarray] = []  # extra upstream spend per atom, latest year first
    need = np.empty((D, *m.heads.shape[1:]))  # (D, L, A), reused every year
    for t in range(years):
        effective = sum((w * history[k] for k, w in enumerate(lags) if k < len(history) and w), np.zeros((D, 1)))
        admissions = _need(m, dr, t, effective, need)
        out["admissions"][:, t] = admissions.sum(axis=1)
        segments = [need[:, lo:hi, :].sum(axis=1) for lo, hi in m.seg_bounds]  # each (D, A)
        out["national_need"][:, t] = sum(x.sum(axis=1) for x in segments)
        y = _spend(m, dr, t, segments, reserves, cut, headroom)
        history = [y["extra_up"], *history][: len(lags)]
        out["national_spent"][:, t] = y["national_spent"]
        alloc, t_in, t_out = m.alloc[t][None, :], m.pool_in[t][None, :], m.pool_out[t][None, :]
        spent_b = y["spent"] + y["reinvest"] + (t_in - t_out)  # the pooled fund moves who pays
        reserves, support = _settle(m, alloc + t_in + y["from_reserves"] - spent_b - t_out, alloc, reserves)
        reserves = reserves - y["from_reserves"]
        for k, v in (("need", y["need"]), ("spent", spent_b), ("unmet_need", y["unmet"]), ("reserves", reserves)):
            out[k][:, t] = v
        out["deficit_support"][:, t] = support
        base = spent_b + y["unmet"] - y["reinvest"]  # spend before cuts and beyond need
        if t + 1 < years:
            money = alloc + t_in - t_out
            expected = money + (m.alloc[t + 1] - m.alloc[t])[None, :]
            cut, headroom = _plan(base, last_base, money, expected, reserves, p, m, t + 1)
        last_base = base
    return out


def _need(m: Model, dr: Draws, t: int, effective: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Year ``t``'s need per draw, line and atom into ``need`` (emergency need after prevention) and the
    emergency admissions per draw and atom. ``effective`` is the lag-weighted extra upstream spend per atom."""
    p, Y_proj = dr.p, m.heads.shape[0]
    beyond = max(0, t - (Y_proj - 1))  # population growth applies beyond the projected years only
    demographic = (1.0 + p["demand.population_growth_after_projection"]) ** beyond
    demographic = demographic * (1.0 + p["demand.ageing_growth"]) ** t
    growth = demographic[:, None] * (1.0 + dr.nd) ** t  # (D, L)
    shock = 1.0 + dr.shock_sd * dr.shocks[:, t, m.atom_lad]  # (D, A)
    np.multiply(m.heads[min(t, Y_proj - 1)][None, :, :], shock[:, None, :], out=need)
    need *= (dr.cost_per_head * growth)[:, :, None]
    ne_at = int(np.flatnonzero(m.order == NE)[0])
    ne = need[:, ne_at, :]
    ceiling = p["admissions.avoidable_share"][:, None] * ne  # only avoidable admissions can be avoided
    safe = np.where(ceiling > 0, ceiling, 1.0)
    avoided = np.where(ceiling > 0, safe * (1.0 - np.exp(-p["prevention.effect"][:, None] * effective / safe)), 0.0)
    unit_cost = p["admissions.unit_cost"][:, None]
    admissions = (ne - avoided) / unit_cost
    need[:, ne_at, :] = admissions * unit_cost
    return admissions


def _spend(
    m: Model,
    dr: Draws,
    t: int,
    segments: list[np.ndarray],
    reserves: np.ndarray,
    cut: np.ndarray,
    headroom: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each budget's need, spend after efficiency and cuts, unmet need and spending beyond need (planned
    headroom and reserves drawn, spread over the need it goes to), group by group; the extra upstream spend
    per atom that prevents admissions later; and the national spend."""
    p, fx = dr.p, m.fixed
    D, B = reserves.shape
    saving = p["behaviour.efficiency_saving"] * min(1.0, t / max(float(fx["behaviour.efficiency_ramp_years"]), 1.0))
    drawn = p["behaviour.reinvest_share"][:, None] * np.maximum(reserves, 0.0)
    y: dict[str, np.ndarray] = {k: np.zeros((D, B)) for k in ("need", "spent", "unmet", "reinvest", "from_reserves")}
    y["extra_up"], y["national_spent"] = np.zeros(segments[0].shape), np.zeros(D)
    for g in m.groups:
        bs = g.budgets
        up_a = segments[g.segments.start]  # (D, A) need on the lines it spends beyond need on
        own = up_a + segments[g.segments.start + 1] if g.segments.stop - g.segments.start > 1 else up_a
        eff = 1.0 - saving[:, None] * (g.saves * g.cover)[None, :]
        cut_a = g.seg.to_atoms(cut[:, bs])
        kept = own * eff
        spent_a = own * (eff * (1.0 - cut_a))
        sums = g.seg.to_budgets(np.stack([own, spent_a, kept * cut_a, up_a]))  # (4, D, n)
        y["need"][:, bs], y["spent"][:, bs], y["unmet"][:, bs], up_b = sums
        has = up_b > 0
        y["from_reserves"][:, bs] = np.where(has, drawn[:, bs], 0.0)
        y["reinvest"][:, bs] = np.where(has, drawn[:, bs] + headroom[:, bs], 0.0)
        rate_a = g.seg.to_atoms(y["reinvest"][:, bs] / np.where(has, up_b, 1.0))  # £ per £ of that need
        beyond_need = rate_a * up_a
        y["national_spent"] += spent_a.sum(axis=1) + beyond_need.sum(axis=1)
        if g.upstream:
            y["extra_up"] += beyond_need
    return y


def _cap(m: Model, alloc: np.ndarray) -> np.ndarray:
    """(1, B) £ of deficit support the centre gives at most: the limit × |allocation| (none for national)."""
    limit = m.support_limit[None, :]
    finite = np.isfinite(limit)
    return np.where(finite, np.where(finite, limit, 0.0) * np.abs(alloc), np.inf)


def _settle(m: Model, surplus: np.ndarray, alloc: np.ndarray, reserves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(reserves after the year, deficit support): a surplus first repays a carried deficit, then the
    budget keeps its retained share (the rest returns to the centre); of a deficit the centre meets the
    share the budget does not bear, up to its limit, and the rest is borne from reserves."""
    gain, loss = np.maximum(surplus, 0.0), np.maximum(-surplus, 0.0)
    repay = np.minimum(gain, np.maximum(-reserves, 0.0))
    support = np.minimum((1.0 - m.overspend_borne[None, :]) * loss, _cap(m, alloc))
    return reserves + repay + m.savings_retained[None, :] * (gain - repay) - (loss - support), support


def _plan(
    base: np.ndarray,
    last: np.ndarray | None,
    money: np.ndarray,
    expected: np.ndarray,
    reserves: np.ndarray,
    p: dict[str, np.ndarray],
    m: Model,
    t: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Year ``t``'s (cut share, £ headroom spent): spend before cuts forecast at its last growth (with no
    history, at the money's growth) against the money expected; the budget cuts the part of a forecast
    deficit the centre will not meet, plus the overspend response × a carried deficit, at most the largest
    cut share, and spends forecast headroom."""
    fallback = np.where(money > 0, expected / np.where(money > 0, money, 1.0), 1.0)
    growth = fallback if last is None else np.where(last > 0, base / np.where(last > 0, last, 1.0), fallback)
    forecast = base * growth
    gap = forecast - expected
    deficit = np.maximum(gap, 0.0)
    met = np.minimum((1.0 - m.overspend_borne[None, :]) * deficit, _cap(m, m.alloc[t][None, :]))
    to_bear = deficit - met + p["behaviour.overspend_response"][:, None] * np.maximum(-reserves, 0.0)
    max_cut = float(m.fixed["behaviour.max_cut_share"])
    cut = np.where(forecast > 0, np.minimum(to_bear / np.where(forecast > 0, forecast, 1.0), max_cut), 0.0)
    return cut, float(m.fixed["behaviour.headroom_spend_share"]) * np.maximum(-gap, 0.0)


# The earlier, lighter model, kept for comparison (``engine_over_simple_baseline`` in bench_honest.py).


@dataclass(frozen=True)
class Layout:
    """Atoms sorted by budget for segment sums: ``order`` permutes atoms, ``starts`` opens each budget."""

    order: np.ndarray  # (atoms,) atom indices grouped by budget
    starts: np.ndarray  # (budgets,) first position of each budget in ``order``
    budget_of: np.ndarray  # (atoms,) budget of each atom (in ``order``'s positions)
    lines: np.ndarray  # (budgets, lines) bool: the lines each budget pays for


def layout(atom_budget: np.ndarray, budget_lines: np.ndarray) -> Layout:
    """The segment layout of atoms whose budget is ``atom_budget`` (every budget has at least one atom)."""
    order = np.argsort(atom_budget, kind="stable")
    sorted_budget = atom_budget[order]
    starts = np.flatnonzero(np.r_[True, sorted_budget[1:] != sorted_budget[:-1]])
    return Layout(order, starts, sorted_budget, budget_lines)


def run_simple(
    heads: np.ndarray, atom_lad: np.ndarray, shocks: np.ndarray, lay: Layout, growth: float = 0.02
) -> dict[str, np.ndarray]:
    """The simple model: one budget group, grants grown from base-year need, ``spend = min(need, grant +
    reserves)``. Spend per (draw, year, budget) and national spend per (draw, year, line).

    ``heads`` is (years, atoms, lines) need in £ at base-year prices; ``shocks`` (draws, years, lads)."""
    Y, _, L = heads.shape
    D = shocks.shape[0]
    h = heads[:, lay.order, :]  # atoms grouped by budget, once
    lad = atom_lad[lay.order]
    B = len(lay.starts)
    mask = lay.lines.astype(np.float64)  # (B, L)
    base_need = np.add.reduceat(h[0], lay.starts, axis=0) * mask  # (B, L)
    reserves = np.zeros((D, B))
    spent = np.empty((D, Y, B))
    national = np.empty((D, Y, L))
    need = np.empty((D, h.shape[1], L))
    for t in range(Y):
        np.multiply(h[t][None, :, :], (1.0 + shocks[:, t, lad])[:, :, None], out=need)  # (D, A, L)
        budget_need = np.add.reduceat(need, lay.starts, axis=1)  # (D, B, L)
        budget_need *= mask
        total_need = budget_need.sum(axis=2)  # (D, B)
        grant = base_need.sum(axis=1) * (1.0 + growth) ** t  # (B,)
        spend = np.minimum(total_need, grant + reserves)
        reserves = grant + reserves - spend
        spent[:, t, :] = spend
        share = np.divide(spend, total_need, out=np.zeros_like(spend), where=total_need > 0)  # (D, B)
        atom_scale = share[:, lay.budget_of]  # (D, A) gather back to atoms
        national[:, t, :] = np.einsum("dal,da->dl", need, atom_scale, optimize=False)
    return {"spent": spent, "national": national}
