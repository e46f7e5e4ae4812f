"""Reforms on their start dates: the years before a reform's bodies start run the architecture it replaces.

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
from typing import Any

import numpy as np

from devocare.errors import DevocareError
from devocare.simulation import membership
from devocare.simulation.parameters import BASE_DATE
from devocare.simulation.rules import PoolingRule, Rules, build_rules
from devocare.simulation.transition import reform_start

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


def phased_rules(arch: Any, atom_level: str = "lad") -> Rules:
    """Rules of ``arch`` that switch from its predecessor's at its start year; plain :func:`build_rules`
    for an architecture with no start after the base date (or one that replaces itself)."""
    start = reform_start(arch)
    before_id = predecessor(arch)
    if start is None or before_id == str(arch.id):
        return build_rules(arch, atom_level)
    from devocare.architecture.loader import builtin_ids, shared_builtin

    if before_id not in builtin_ids():
        raise DevocareError(f"architecture {arch.id!r}: money.replaces {before_id!r} is not a built-in architecture")
    before_arch = shared_builtin(before_id)
    if reform_start(before_arch) is not None:
        raise DevocareError(
            f"architecture {arch.id!r}: it replaces {before_id!r}, which itself starts after the base year"
        )
    return join(build_rules(arch, atom_level), build_rules(before_arch, atom_level), start_index(start))


def join(after: Rules, before: Rules, switch: int) -> Rules:
    """One set of rules on one budget axis: ``after``'s budgets first (from year ``switch``), then
    ``before``'s (until then). Neither input is changed (built rules are shared)."""
    base_g, base_b = len(after.groups), after.n_budgets
    renamed = {rs: f"{rs}{BEFORE}" for rs in before.weight}
    groups = list(after.groups)
    for g in before.groups:
        rs = renamed[g.architecture]
        groups.append(
            dataclasses.replace(g, key=f"{rs}/{g.key.split('/', 1)[1]}", architecture=rs, offset=g.offset + base_b)
        )
    cof = dict(after.cofinancing)
    for rs, c in before.cofinancing.items():
        cof[renamed[rs]] = dataclasses.replace(c, payer=c.payer + base_g, receiver=c.receiver + base_g)
    reb = dict(after.rebasing)
    for rs, r in before.rebasing.items():
        reb[renamed[rs]] = dataclasses.replace(r, toward=r.toward + base_g, away=r.away + base_g)
    pooling = list(after.pooling) + [
        PoolingRule(
            renamed[p.architecture], p.flow, p.sender + base_g, p.receiver + base_g, p.amount, p.lines, p.parameter
        )
        for p in before.pooling
    ]
    phase = dict.fromkeys(after.weight, 1) | {renamed[rs]: 0 for rs in before.weight}
    return Rules(
        after.architecture,
        after.atoms,
        after.atom_level,
        groups,
        dict(after.weight) | {renamed[rs]: w for rs, w in before.weight.items()},
        cof,
        reb,
        f"{after.digest}+{before.digest}@{switch}",
        pooling,
        dict(after.archs) | {renamed[rs]: a for rs, a in before.archs.items()},
        switch=switch,
        phase=phase,
        parts=(after, before),
        since=dict.fromkeys(after.weight, switch) | {renamed[rs]: 0 for rs in before.weight},
    )


def handover_matrix(rules: Rules, population: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where each ceasing budget's balance goes at the switch: a (B, B) matrix ``S`` whose row ``b`` shares
    ceasing budget ``b``'s balance among its successors (rows sum to 1), and (B,) 1 where it goes to the
    centre (no successor). The successor is the reform's budget of the same holder over the same area that
    holds most of the same lines (successors tied on that share equally, whatever their order); failing that,
    the reform's budgets that take over any of its lines in its area, in proportion to the population
    (``population``, (atoms,); equal atoms if not given) they take over."""
    B = rules.n_budgets
    S, to_centre = np.zeros((B, B)), np.zeros(B)
    if rules.switch is None:
        return S, to_centre
    pop = np.ones(len(rules.atoms)) if population is None else np.asarray(population, dtype=float)
    later = [g for g in rules.groups if rules.phase.get(g.architecture) == 1]
    for g in rules.groups:
        if rules.phase.get(g.architecture) != 0:
            continue
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


def mask_years(x: np.ndarray, rules: Rules) -> np.ndarray:
    """(years, B) per-budget amounts with the budgets that do not exist in a year set to zero."""
    if rules.switch is None:
        return x
    live = np.array([rules.active(t) for t in range(x.shape[0])], dtype=float).reshape(x.shape[0], -1)
    return x * live
