"""Funding: each budget's block grant, from the allocation engine.

The grants are :func:`devocare.allocation.grants.grant_years` — the arithmetic behind
:func:`devocare.allocation.block_grants` — run on the simulator's envelope (the parameter tree's base-year
spend per line) and real growth: need shares fixed at each settlement's start, the envelope grown by real
growth and, inside a settlement, by the architecture's indexation, the incentive fund top-sliced, and
fiscal equalisation for pots held by local government, and the revenue a holder with tax powers raises
locally (``money.local_revenue``, beyond the envelope). So a budget's grant in a deterministic run is the
allocation engine's grant for its holder and area, to the penny.

Where coverage leaves part of an area to another rule set (the status quo outside a devolution deal), the
budget receives the part of its area's grant that follows the need of the atoms it runs. Inside a budget,
an atom's grant follows its need at the settlement's start (its weighted heads), which is how atom-level
figures are reported and how hospital funding granted to the local tier and rebasing are moved atom by atom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from devocare.allocation.grants import GrantYear, grant_years
from devocare.envelope import BASE_YEAR
from devocare.envelope import envelope as envelope_of
from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS
from devocare.simulation import membership
from devocare.simulation.parameters import YEARS_SUFFIX
from devocare.simulation.rules import content_digest


@dataclass
class Funding:
    """Block grants of one run: per budget (before co-financing and rebasing) and per atom."""

    allocated: np.ndarray  # (years, B) grant, top slice included
    top_slice: np.ndarray  # (years, B) held back for the incentive fund
    atoms: dict[str, np.ndarray]  # rule set → (years, L, A) grant per atom and line where that rule set runs it
    #: (years, B) each budget's grant under its phase's rules in every year, also those it does not run in (a
    #: budget that starts at a phase plans from what it would have had the year before); None: ``allocated``
    own_rules: np.ndarray | None = None


def envelope(fixed: Mapping[str, Any]) -> dict[str, float]:
    """Base-year national £ per line from the parameter tree's central values (the one envelope rule,
    :func:`devocare.service_lines.base_year_spend`)."""
    return envelope_of(fixed)


#: Which funding-growth parameter each line's envelope takes (``funding.real_growth`` sets them all).
GROWTH_PARAMETER: dict[str, str] = {line: "funding.growth.nhs" for line in LINE_IDS} | {
    "adult_social_care": "funding.growth.social_care",
    "public_health": "funding.growth.public_health",
    "wider_determinants": "funding.growth.public_health",
}


def line_growth(fixed: Mapping[str, Any]) -> dict[str, Any]:
    """Real growth of each line's national envelope: NHS revenue, adult social care, and the public health
    grant with wider council services (falls back to ``funding.real_growth`` for a tree without them). A rate
    with dated values in the run's years (``<path>@years`` in ``fixed``) is a tuple of the rate in force
    each year."""
    default = float(fixed["funding.real_growth"])
    out: dict[str, Any] = {}
    for line, path in GROWTH_PARAMETER.items():
        by_year = fixed.get(path + YEARS_SUFFIX)
        out[line] = tuple(float(v) for v in by_year) if by_year is not None else float(fixed.get(path, default))
    return out


def spread(grant: np.ndarray, H_full: Any, H: Any, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spread areas' grants over atoms by need (sparse products: the same bits whatever the BLAS threads).

    ``grant`` (areas, L): each area's grant per line; ``H_full`` (atoms, areas): membership; ``H`` the same
    times the share of each atom this rule set runs; ``heads`` (atoms, L): need weights. Returns the grant per
    area this rule set holds (areas, L) — the area's grant times the share of its need that this rule set runs —
    and the grant per atom and line (atoms, L) before that share.
    """
    need_full = membership.to_areas(H_full, heads)
    rate = np.divide(grant, need_full, out=np.zeros_like(grant), where=need_full > 0)
    return rate * membership.to_areas(H, heads), heads * membership.to_atoms(H_full, rate)


def _budget_grants(
    gy: GrantYear, holder: str, pots: tuple[str, ...], codes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(areas, L) grant and top slice per line for the budget areas ``codes`` of one holder's pots."""
    grant, sliced = np.zeros((len(codes), len(LINE_IDS))), np.zeros((len(codes), len(LINE_IDS)))
    for pg in gy.pots:
        if pg.pot.id not in pots:
            continue
        index = {c: i for i, c in enumerate(pg.weights["code"])}
        missing = [c for c in codes if c not in index]
        if missing:
            raise DevocareError(f"holder {holder!r}: no grant for area(s) {', '.join(missing[:5])}")
        rows = np.array([index[c] for c in codes], dtype=np.int64)
        need = pg.need[rows].astype(float) / 100.0  # (areas, pot lines)
        cols = [LINE_IDS.index(line) for line in pg.pot.lines]
        if pg.sliced is None:
            held_back = np.array(
                [
                    gy.sliced[line] / (gy.line_pence[line] - gy.sliced[line])
                    if gy.line_pence[line] > gy.sliced[line]
                    else 0.0
                    for line in pg.pot.lines
                ]
            )
        else:  # a line split between pots: this pot's own top slice against its own part of the line
            part = pg.need.sum(axis=0).astype(float)  # the pot's whole part of each line, pence
            cut = np.array([float(pg.sliced[line]) for line in pg.pot.lines])
            held_back = np.divide(cut, part, out=np.zeros_like(cut), where=part > 0)
        eq = np.zeros(len(codes)) if pg.equalisation is None else pg.equalisation[rows] / 100.0
        total = need.sum(axis=1, keepdims=True)
        eq_share = np.divide(need, total, out=np.full_like(need, 1.0 / need.shape[1]), where=total > 0)
        raised = pg.local_revenue()
        if raised is not None:  # local taxation (money.local_revenue) joins the grant, spread like equalisation
            eq = eq + raised[rows] / 100.0
        grant[:, cols] += need * (1.0 + held_back) + eq[:, None] * eq_share
        sliced[:, cols] += need * held_back
    return grant, sliced


_PLANS: dict[tuple[Any, ...], list[GrantYear]] = {}


def _plan(arch: Any, years: int, env: dict[str, float], growth: float | Mapping[str, Any]) -> list[GrantYear]:
    """The allocation engine's grants of ``arch``, kept by its content: a reform joined to its predecessor
    runs the status quo in both parts (the rest of England after the start, all of it before), one plan."""
    rates = tuple(sorted(growth.items())) if isinstance(growth, Mapping) else growth
    key = (content_digest(arch), years, tuple(env.items()), rates)
    plan = _PLANS.get(key)  # read once: a parallel sweep's thread may clear the cache meanwhile
    if plan is None:
        if len(_PLANS) > 32:
            _PLANS.clear()
        plan = _PLANS[key] = grant_years(arch, years, env, BASE_YEAR, growth)
    return plan


def block_grants(
    inputs: Any, rules: Any, env: dict[str, float], growth: float | Mapping[str, Any], years: int
) -> Funding:
    """Each budget's block grant per year from the allocation engine, and its spread over atoms; ``growth``
    is one real growth rate or a rate per line (:func:`line_growth`)."""
    from devocare.simulation.inputs import PROJECTED

    if rules.parts:  # a reform on its start date: each part's grants, in the years its budgets exist
        return _joined(inputs, rules, env, growth, years)
    A, B, L = len(rules.atoms), rules.n_budgets, len(LINE_IDS)
    allocated, top = np.zeros((years, L, B)), np.zeros((years, L, B))
    atoms: dict[str, np.ndarray] = {}
    target = np.zeros((years, L))
    for rs, arch in rules.archs.items():
        plan = _plan(arch, years, env, growth)
        atoms[rs] = np.zeros((years, L, A))
        for t, gy in enumerate(plan):
            if rs == rules.architecture:
                target[t] = [gy.line_pence.get(line, 0) / 100.0 for line in LINE_IDS]
            heads = inputs.weighted_heads[min(PROJECTED.index(gy.financial_year), len(inputs.weighted_heads) - 1)]
            for g in rules.groups:
                if g.architecture != rs:
                    continue
                grant, sliced = _budget_grants(gy, g.holder, g.pots, g.area_codes)
                lines = g.lines  # spread only the lines the budget holds, grant and top slice in one pass
                both, per_atom = spread(
                    np.hstack([grant[:, lines], sliced[:, lines]]),
                    g.sparse(full=True),
                    g.sparse(),
                    np.hstack([heads[:, lines]] * 2),
                )
                k = int(lines.sum())
                sl = slice(g.offset, g.offset + g.n)
                allocated[t, lines, sl] = both[:, :k].T
                top[t, lines, sl] = both[:, k:].T
                atoms[rs][t][lines] += per_atom[:, :k].T
    if len(rules.archs) > 1:
        _share_the_envelope(allocated, top, atoms, rules, target)
    return Funding(allocated.sum(axis=1), top.sum(axis=1), atoms)


def _joined(inputs: Any, rules: Any, env: dict[str, float], growth: float | Mapping[str, Any], years: int) -> Funding:
    """Grants of rules joined by phase (:mod:`devocare.simulation.phases`): each phase's as the allocation
    engine gives them, kept only in the years that phase runs, on the joined budget axis (a budget that runs
    through several phases takes each phase's grant in its years)."""
    allocated, top = np.zeros((years, rules.n_budgets)), np.zeros((years, rules.n_budgets))
    own_rules = np.zeros((years, rules.n_budgets))
    atoms: dict[str, np.ndarray] = {}
    for part, groups, suffix in zip(rules.parts, rules.part_groups, rules.part_suffix, strict=True):
        got = block_grants(inputs, part, env, growth, years)
        k = rules.phase[f"{next(iter(part.weight))}{suffix}"]
        live = np.array([rules.phase_at(t) == k for t in range(years)], dtype=float)
        for j, g in enumerate(part.groups):
            c = rules.groups[groups[j]]
            allocated[:, c.offset : c.offset + c.n] += got.allocated[:, g.offset : g.offset + g.n] * live[:, None]
            top[:, c.offset : c.offset + c.n] += got.top_slice[:, g.offset : g.offset + g.n] * live[:, None]
            own_rules[:, c.offset : c.offset + c.n] = got.allocated[:, g.offset : g.offset + g.n]
        for rs, x in got.atoms.items():
            atoms[f"{rs}{suffix}"] = x * live[:, None, None]
    return Funding(allocated, top, atoms, own_rules)


def _share_the_envelope(
    allocated: np.ndarray, top: np.ndarray, atoms: dict[str, np.ndarray], rules: Any, target: np.ndarray
) -> None:
    """Where an architecture covers part of England and another rule set (the status quo) runs the rest,
    each spreads its grants by its own need weights, so their parts need not add up to the national
    envelope (the ACO and split models were £29m short in 2024/25). The architecture's own budgets keep the
    allocation engine's grants to the penny; the rule sets running the rest share, line by line, what the
    envelope leaves, in proportion to their grants. So money is conserved against the parameter envelope,
    not only against the grants (in place)."""
    own = rules.architecture
    given = {rs: (atoms[rs] * rules.weight[rs][None, None, :]).sum(axis=2) for rs in atoms}  # (years, L)
    rest = sum(v for rs, v in given.items() if rs != own)
    left = target - given[own]
    scale = np.divide(left, rest, out=np.ones_like(rest), where=rest > 0)
    for rs in atoms:
        if rs == own:
            continue
        atoms[rs] *= scale[:, :, None]
        for g in rules.groups:
            if g.architecture == rs:
                sl = slice(g.offset, g.offset + g.n)
                allocated[:, :, sl] *= scale[:, :, None]
                top[:, :, sl] *= scale[:, :, None]
