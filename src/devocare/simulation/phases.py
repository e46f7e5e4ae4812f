"""Reforms on their start dates, and pots on their own dates: a run is a sequence of phases on one budget axis.

Pots on their dates: an architecture's pots carry ``start``/``end`` (the ICBs' delegated specialised pot from
2025-04-01, NHS England's until 2025-03-31). Each distinct pot date opens a phase from the financial year
containing it, whose rules are built from the pots that exist on that date. A budget the date leaves unchanged
(same holder, pots, lines and areas) runs on through it; a budget that changes ceases and hands its balance
to its successor, as at a reform's start.

Reforms on their start dates: the years before a reform's bodies start run the architecture it replaces.

Why: an architecture dates its new bodies (combined-authority ACOs from 1 April 2027, NHS England's
abolition); applying the reformed money rules from the base year would credit (or charge) a reform with
years in which it does not exist. So a run of a dated reform joins two sets of rules on one budget axis:
the reform's own (with its ``coverage.otherwise`` fallback) and those of the architecture it replaces
(``money.replaces``, else ``coverage.otherwise``, else the status quo). The predecessor's budgets hold money
in the years before the start year — the financial year containing the start date — and the reform's from
it. Budgets that do not exist in a year get no grant, spend and need nothing.

At the switch, a ceasing budget's reserves (or carried deficit) pass to its successors as transfers: the
reform's budget of the same holder over the same area that holds most of the same lines, else the reform's
budgets that take over its lines in its area, by the population they take over. Only a budget with no
successor at all would hand its balance to the centre (a positive balance returned, a deficit written off as
deficit support). Either way the engine's conservation check covers the year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from devocare.architecture.schema import pot_change_dates, reform_start
from devocare.errors import DevocareError
from devocare.simulation import membership
from devocare.simulation.parameters import BASE_DATE
from devocare.simulation.rules import BudgetGroup, PoolingRule, Rules, build_rules

#: The architecture a reform replaces where it names none and runs no partial coverage.
DEFAULT_PREDECESSOR = "status-quo-2023"
#: Suffix of the predecessor's rule sets in a joined run.
BEFORE = "@before"


def start_index(start: dt.date) -> int:
    """Index of the financial year containing ``start`` (2027-04-01 → 2027/28 → 3 from 2024/25)."""
    return start.year - (1 if start.month < 4 else 0) - BASE_DATE.year


def predecessor(arch: Any) -> str:
    """The built-in architecture whose money rules run before ``arch``'s start: ``money.replaces``, else
    ``money.coverage.otherwise``, else :data:`DEFAULT_PREDECESSOR`."""
    money = getattr(arch, "money", None)
    named = getattr(money, "replaces", None)
    if named:
        return str(named)
    cov = getattr(money, "coverage", None)
    return str(cov.otherwise) if cov is not None else DEFAULT_PREDECESSOR


def change_dates(arch: Any) -> list[dt.date]:
    """Dates after the base date on which ``arch``'s pots (or those of the architecture its uncovered areas
    run) change: each pot's start and the day after each pot's end."""
    out: set[dt.date] = set()
    archs = [arch]
    cov = getattr(getattr(arch, "money", None), "coverage", None)
    if cov is not None:
        from devocare.architecture.loader import builtin_ids, shared_builtin

        if str(cov.otherwise) in builtin_ids():
            archs.append(shared_builtin(str(cov.otherwise)))
    for a in archs:
        out.update(pot_change_dates(a))
    return sorted(d for d in out if d > BASE_DATE)


def _segments(arch: Any, first: dt.date, until: int | None = None) -> list[tuple[int, dt.date]]:
    """(start year, date of its pots) of each phase of ``arch`` from ``first`` (before year ``until``): a date
    opens a phase from the financial year containing it; of two dates in one year, the later one's pots run."""
    by_year = {start_index(first): first}
    for d in change_dates(arch):
        k = start_index(d)
        if d > first and (until is None or k < until):
            by_year[k] = max(by_year.get(k, d), d)
    return sorted(by_year.items())


def phased_rules(arch: Any, atom_level: str = "lad") -> Rules:
    """Rules of ``arch`` by phase: its pots switch on their dates, and a reform switches from its
    predecessor's rules at its start year. Plain :func:`build_rules` for an architecture with no start
    after the base date (or one that replaces itself) and no pot dated within the run."""
    start = reform_start(arch)
    before_id = predecessor(arch)
    if start is None or before_id == str(arch.id):
        after = [(k, build_rules(arch, atom_level, on=d)) for k, d in _segments(arch, BASE_DATE)]
        return after[0][1] if len(after) == 1 else _joined(after, [], None)
    from devocare.architecture.loader import builtin_ids, shared_builtin

    if before_id not in builtin_ids():
        raise DevocareError(f"architecture {arch.id!r}: money.replaces {before_id!r} is not a built-in architecture")
    before_arch = shared_builtin(before_id)
    if reform_start(before_arch) is not None:
        raise DevocareError(
            f"architecture {arch.id!r}: it replaces {before_id!r}, which itself starts after the base year"
        )
    switch = start_index(start)
    after = [(k, build_rules(arch, atom_level, on=d)) for k, d in _segments(arch, start)]
    before = [(k, build_rules(before_arch, atom_level, on=d)) for k, d in _segments(before_arch, BASE_DATE, switch)]
    return _joined(after, before, switch)


_JOINED: OrderedDict[tuple[Any, ...], tuple[Rules, Any, Any]] = OrderedDict()
_JOINED_LOCK = threading.Lock()


def _joined(after: list[tuple[int, Rules]], before: list[tuple[int, Rules]], switch: int | None) -> Rules:
    """:func:`join_phases`, kept for the last few joins: the parts come from :func:`build_rules`'s cache, so a
    repeated run gets the same joined rules (and with them the engine's prepared arrays) instead of a new copy
    each time. The cached value holds its parts, so their ids in the key stay theirs."""
    key = (tuple((k, id(r)) for k, r in after), tuple((k, id(r)) for k, r in before), switch)
    with _JOINED_LOCK:
        if key in _JOINED:
            _JOINED.move_to_end(key)
            return _JOINED[key][0]
    rules = join_phases(after, before, switch)
    with _JOINED_LOCK:
        _JOINED[key] = (rules, after, before)
        while len(_JOINED) > 16:
            _JOINED.popitem(last=False)
    return rules


def _same_budget(g: BudgetGroup, h: BudgetGroup) -> bool:
    """Whether two groups of consecutive phases are one budget: the same holder, pots, lines, areas and rules."""
    plain = (
        "holder",
        "pots",
        "tier",
        "ring_fenced",
        "area_codes",
        "savings_retained",
        "overspend_borne_locally",
        "settlement_years",
        "indexation",
        "hospital_input_cap",
        "top_slice",
        "unpaid_to_tier",
        "acute_cost_borne",
        "corridor",
    )
    if any(getattr(g, k) != getattr(h, k) for k in plain):
        return False
    if (g.H_full is None) != (h.H_full is None):
        return False
    arrays = [(g.lines, h.lines), (g.weights, h.weights), (g.criteria, h.criteria), (g.H, h.H)]
    if g.H_full is not None and h.H_full is not None:
        arrays.append((g.H_full, h.H_full))
    return all(a.shape == b.shape and np.array_equal(a, b) for a, b in arrays)


def join_phases(after: list[tuple[int, Rules]], before: list[tuple[int, Rules]], switch: int | None) -> Rules:
    """One set of rules on one budget axis from the rules of each phase: ``after``'s phases (the architecture
    run, from their start years) first on the axis, then ``before``'s (the architecture a reform replaces,
    until ``switch``). A rule set of a later phase is named with the calendar year it starts (``@2025``),
    the predecessor's with :data:`BEFORE`; a group the next phase of the same architecture leaves unchanged is
    one budget through both. Neither input is changed (built rules are shared)."""
    order = before + after  # time order: the phase index of each part
    parts = after + before  # axis order
    suffix = [("" if i == 0 else f"@{BASE_DATE.year + k}") for i, (k, _) in enumerate(after)]
    suffix += [(BEFORE if i == 0 else f"{BEFORE}@{BASE_DATE.year + k}") for i, (k, _) in enumerate(before)]
    chrono = [len(before) + i for i in range(len(after))] + list(range(len(before)))
    groups: list[BudgetGroup] = []
    group_phases: list[set[int]] = []
    part_groups: list[list[int]] = []
    offset = 0
    for i, (_k, r) in enumerate(parts):
        same_side_previous = i - 1 if i not in (0, len(after)) else None
        mapping = []
        for g in r.groups:
            prior = None if same_side_previous is None else part_groups[same_side_previous]
            prev_part = None if same_side_previous is None else parts[same_side_previous][1]
            shared = None
            if prior is not None and prev_part is not None:
                shared = next((c for c, h in zip(prior, prev_part.groups, strict=True) if _same_budget(g, h)), None)
            if shared is not None:
                group_phases[shared].add(chrono[i])
                mapping.append(shared)
                continue
            rs = f"{g.architecture}{suffix[i]}"
            groups.append(dataclasses.replace(g, key=f"{rs}/{g.key.split('/', 1)[1]}", architecture=rs, offset=offset))
            group_phases.append({chrono[i]})
            offset += g.n
            mapping.append(len(groups) - 1)
        part_groups.append(mapping)
    cof, reb, pooling = {}, {}, []
    weight, archs, phase, since = {}, {}, {}, {}
    predecessors = {rs for _, r in before for rs in r.weight}  # the architectures that run before the switch
    for i, (_k, r) in enumerate(parts):
        m, sx = part_groups[i], suffix[i]
        for rs, c in r.cofinancing.items():
            cof[rs + sx] = dataclasses.replace(c, payer=m[c.payer], receiver=m[c.receiver])
        for rs, rr in r.rebasing.items():
            reb[rs + sx] = dataclasses.replace(rr, toward=m[rr.toward], away=m[rr.away])
        pooling += [
            PoolingRule(p.architecture + sx, p.flow, m[p.sender], m[p.receiver], p.amount, p.lines, p.parameter)
            for p in r.pooling
        ]
        for rs, w in r.weight.items():
            weight[rs + sx], archs[rs + sx], phase[rs + sx] = w, r.archs.get(rs), chrono[i]
            # a reform's own rule sets start at its switch; one that goes on running the architecture it
            # replaces (its uncovered areas' fallback) keeps that architecture's clock, from the base year
            since[rs + sx] = (switch or 0) if i < len(after) and rs not in predecessors else 0
    first = after[0][1]
    starts = tuple(k for k, _ in order[1:])
    return Rules(
        first.architecture,
        first.atoms,
        first.atom_level,
        groups,
        weight,
        cof,
        reb,
        "+".join(r.digest for _, r in parts) + f"@{starts}",
        pooling,
        archs,
        switch=switch,
        phase=phase,
        parts=tuple(r for _, r in parts),
        since=since,
        starts=starts,
        group_phases=[frozenset(p) for p in group_phases],
        part_groups=part_groups,
        part_suffix=tuple(suffix),
    )


def architecture_of(rule_set: str) -> str:
    """The architecture a (phase-suffixed) rule set runs: ``X@2033`` → ``X``, ``Y@before@2025`` → ``Y``."""
    return rule_set.split("@", 1)[0]


def continues(rules: Rules) -> dict[str, str]:
    """Rule set → the rule set of the phase just before it that runs the same architecture (``X@2033`` →
    ``X``; a reform's fallback ``status-quo-2023`` → ``status-quo-2023@before``): what it carries on from, such
    as the rebase held for a settlement. Why: a pot's date opens a phase and renames every rule set, but an
    architecture's settlement does not restart because one of its pots changes."""
    by_phase: dict[tuple[int, str], str] = {}
    for part, suffix in zip(rules.parts, rules.part_suffix, strict=True):
        for rs in part.weight:
            by_phase[(rules.phase[rs + suffix], rs)] = rs + suffix
    return {name: by_phase[(k - 1, rs)] for (k, rs), name in by_phase.items() if k > 0 and (k - 1, rs) in by_phase}


def handover_matrix(rules: Rules, population: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where each ceasing budget's balance goes at the start of the phase after its last: a (B, B) matrix
    ``S`` whose row ``b`` shares ceasing budget ``b``'s balance among its successors (rows sum to 1), and (B,)
    1 where it goes to the centre (no successor). The successor is the next phase's budget of the same holder
    over the same area that holds most of the same lines (successors tied on that share equally, whatever
    their order); failing that, the next phase's budgets that take over any of its lines in its area, in
    proportion to the population (``population``, (atoms,); equal atoms if not given) they take over."""
    B = rules.n_budgets
    S, to_centre = np.zeros((B, B)), np.zeros(B)
    pop = np.ones(len(rules.atoms)) if population is None else np.asarray(population, dtype=float)
    for gi, last in _ceasing(rules):
        g = rules.groups[gi]
        later = [h for h, phases in zip(rules.groups, rules.group_phases, strict=True) if last + 1 in phases]
        for j, code in enumerate(g.area_codes):
            b = g.offset + j
            same = [
                (int((g.lines & h.lines).sum()), h.offset + h.area_codes.index(code))
                for h in later
                if h.holder == g.holder and code in h.area_codes and (g.lines & h.lines).any()
            ]
            if same:  # successors tied on the most lines in common share the balance equally
                most = max(n for n, _ in same)
                tied = [i for n, i in same if n == most]
                S[b, tied] = 1.0 / len(tied)
                continue
            share = np.zeros(B)
            for h in later:
                if (g.lines & h.lines).any():
                    share[h.offset : h.offset + h.n] = membership.to_areas(h.sparse(), g.H[:, j] * pop)
            if share.sum() > 0:
                S[b] = share / share.sum()
            else:
                to_centre[b] = 1.0
    return S, to_centre


def ceasing_years(rules: Rules) -> np.ndarray:
    """(B,) the year each budget's balance is handed over (the start of the phase after its last), -1 for a
    budget that runs to the end."""
    out = np.full(rules.n_budgets, -1.0)
    for gi, last in _ceasing(rules):
        g = rules.groups[gi]
        out[g.offset : g.offset + g.n] = rules.starts[last]
    return out


def _ceasing(rules: Rules) -> list[tuple[int, int]]:
    """(group, its last phase) of each group whose budgets cease before the run ends: they hand their
    balances over at the start of the phase after (none where the run has one phase)."""
    n = len(rules.starts)
    return [(gi, max(phases)) for gi, phases in enumerate(rules.group_phases) if n and max(phases) < n]


def mask_years(x: np.ndarray, rules: Rules) -> np.ndarray:
    """(years, B) per-budget amounts with the budgets that do not exist in a year set to zero."""
    if not rules.starts:
        return x
    live = np.array([rules.active(t) for t in range(x.shape[0])], dtype=float).reshape(x.shape[0], -1)
    return x * live
