"""Structural metrics of an architecture, computed from its structure and the real geography, never typed in.

All metrics describe the structure on one date (the architecture's ``as_of`` unless given). Residents are
the 33,755 LSOAs with their Census 2021 populations; each function holding covers the LSOAs of its holder's
areas, so "who commissions acute care for this resident" is an array lookup. Spend per service line is
handed in: :func:`devocare.atlas.metrics` passes the base-year money the simulator allocates under the money
rules (the envelope of the parameter tree split by the allocation engine, :mod:`devocare.atlas.money`, a
layer above this package), attributed to a line's commissioners in proportion to the residents each covers
(an assumption: population, not need, weights).

Definitions (the documentation in ``docs/reference/architecture-format.md`` repeats them):

* ``centralism_functions``: share of functions held by national-tier bodies (each function counts once,
  split between its holders by residents covered and by explicit shares).
* ``centralism_spend``: share of line spend commissioned by national-tier bodies.
* ``centralism_index``: the mean of the two.
* ``spend_devolved_share``: share of spend whose commissioner's nearest electorate (fewest accountability
  hops) is a local one; the rest is delegated — its accountability ends at the centre.
* ``distance_mean`` / ``distance_max``: accountability hops from the commissioner of a pound to the nearest
  electorate (Parliament is one hop short of the national electorate), spend-weighted mean and maximum.
* ``fragmentation_commissioners`` / ``fragmentation_pots`` / ``fragmentation_ringfenced_pots``: distinct
  commissioners, budget pots and ring-fenced pots along one resident's pathway through all ten service
  lines (prevention to social care), population-weighted; ``fragmentation`` is commissioners + pots.
  Residents outside ``money.coverage`` hold the pots of the ``otherwise`` architecture.
* ``coterminosity``: over the commissioning functions, the population-weighted share of residents whose
  commissioner's area is aligned with local government (their upper-tier authority lies wholly inside it).
* ``board_*_share``: seats by category over the boards of bodies that commission (``scope: all`` totals
  pro-rata to the share of the template's residents it still covers).
* ``population_devolved_share``: residents whose acute (non-elective) care is commissioned by a devolved body.
* ``accountability_investment_gbp``: £ a year of the funding flows to bodies holding the ``scrutiny`` and
  ``citizen_voice`` functions (``ldh-2020``'s provider-funded scrutiny and citizen-voice investment).
* ``commissioning_population_out_of_hospital`` / ``commissioning_population_hospital``: residents of the area
  whose body commissions a resident's primary, community, public health and social care / hospital and
  specialised care (resident-weighted; a national commissioner's area is England) — Figure 10 of
  ``reform-2024`` weighs the two models on whether each function is commissioned at the scale it needs.
* ``pathway_budget_holders``: distinct budget holders whose pots pay for one resident's care (population-
  weighted) — Figure 10's risk of a split budget fragmenting the pathway.
* ``population_with_deal_share``: residents in a combined authority with a devolution deal in the shipped
  2025 lookup — how far either model could roll out now (the same for every architecture).
* ``central_headcount_planned``: national bodies' headcount at the end of their ``headcount_path`` (the planned
  reductions of ``ham-2017`` and the 2025 announcements), else their headcount.
* ``central_headcount`` / ``running_cost_gbp``: sums of the figures given for national bodies / all bodies
  (each as its ``headcount_path`` or ``running_cost_path`` has it on the date; a template's pro rata to the share of its
  residents it still covers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from devocare.architecture import geo
from devocare.architecture.schema import BOARD_CATEGORIES, Architecture, Body
from devocare.service_lines import ALIASES, FUNCTION_LINES, LINE_IDS, expand


@dataclass(frozen=True)
class _Reach:
    distance: float
    devolved: bool


def reach(arch: Architecture, on: date | None = None) -> dict[str, _Reach]:
    """For every body existing on ``on``: hops to its nearest electorate and whether that electorate is local."""
    on = on or arch.as_of
    g = nx.DiGraph()
    bodies = arch.bodies_on(on)
    g.add_nodes_from(b.id for b in bodies)
    g.add_edges_from((e.from_, e.to) for e in arch.edges_on(on))
    electorates = {b.id: b.tier != "national" for b in bodies if b.kind == "electorate"}
    out = {}
    for b in bodies:
        dist = nx.single_source_shortest_path_length(g, b.id)
        hits = [(d, electorates[n]) for n, d in dist.items() if n in electorates]
        if not hits:
            out[b.id] = _Reach(float("inf"), False)
            continue
        best = min(d for d, _ in hits)
        out[b.id] = _Reach(float(best), any(local for d, local in hits if d == best))
    return out


def _commissioning(arch: Architecture, on: date) -> dict[str, list[tuple[str, np.ndarray]]]:
    """service line → [(holder id, coverage × share vector)] on ``on``."""
    out: dict[str, list[tuple[str, np.ndarray]]] = {line: [] for line in LINE_IDS}
    for i, vec in geo.holding_coverage(arch, on):
        f = arch.functions[i]
        domain, _, qualifier = f.key.partition(".")
        if domain == "commissioning":
            for line in expand([qualifier.split("@")[0]]):  # an alias commissions every line it stands for
                out[line].append((f.holder, vec))
    return out


@lru_cache(maxsize=8)
def _otherwise(arch_id: str) -> Architecture:
    from devocare.architecture.loader import load

    return load(arch_id)


def _pot_vectors(arch: Architecture, on: date) -> list[tuple[str, bool, np.ndarray]]:
    """(pot id, ring-fenced, residents holding it) for this architecture's pots and, outside its coverage,
    the ``otherwise`` architecture's pots."""
    n = len(geo.population())
    cover = geo.body_coverage(arch, on)
    inside = np.ones(n)
    out = []
    if arch.money.coverage is not None:
        cov = arch.money.coverage
        inside = geo.area_codes_mask(cov.devolved, cov.level, cov.vintage)
        other = _otherwise(cov.otherwise)
        other_cover = geo.body_coverage(other, other.as_of)
        for pot in (p for p in other.money.pots if p.active(on)):  # the pots of that date
            vec = other_cover.get(pot.holder, np.ones(n)) * (1 - inside)
            out.append((f"{other.id}:{pot.id}", pot.ring_fenced, vec))
    for pot in (p for p in arch.money.pots if p.active(on)):
        vec = cover.get(pot.holder, np.ones(n)) * inside
        out.append((pot.id, pot.ring_fenced, vec))
    return out


def _board_totals(arch: Architecture, body: Body, own: np.ndarray, now: np.ndarray) -> dict[str, float]:
    board = body.board
    assert board is not None
    totals = dict.fromkeys(BOARD_CATEGORIES, 0.0)
    pop = geo.population()
    if board.scope == "all":
        scale = _still_covered(own, now, pop)
        for cat, n in board.members.items():
            totals[cat] += n * scale
        return totals
    areas = geo.area_of(body)
    if areas is None:
        n_areas = float(body.count_reported or 1)
        for cat, n in board.members.items():
            totals[cat] += n * n_areas
        return totals
    covered = pd.unique(areas[now > 0.5])
    covered = covered[pd.notna(covered)]
    for cat, n in board.members.items():
        totals[cat] += n * len(covered)
    if board.per_constituent is not None:
        col = geo.lsoa_frame()[geo.level_column(board.per_constituent.level, 2024)].to_numpy()
        constituents = len(pd.unique(col[now > 0.5]))
        for cat, n in board.per_constituent.members.items():
            totals[cat] += n * constituents
    return totals


def metrics(arch: Architecture, spend: Mapping[str, float], on: date | None = None) -> dict[str, Any]:
    """Every structural metric of ``arch`` on ``on`` (default ``as_of``) as a flat dict, given the £ per
    service line (``spend``; :func:`devocare.atlas.line_spend` gives the money section's base-year money)."""
    on = on or arch.as_of
    pop = geo.population()
    total_pop = pop.sum()
    bodies = {b.id: b for b in arch.bodies}
    reach_ = reach(arch, on)
    spend = {line: float(spend.get(line, 0.0)) for line in LINE_IDS}
    total_spend = sum(spend.values())
    comm = _commissioning(arch, on)

    # functions held nationally: every function key once, split between holders by residents covered
    by_key: dict[str, list[tuple[str, np.ndarray]]] = {}
    for i, vec in geo.holding_coverage(arch, on):
        by_key.setdefault(arch.functions[i].key, []).append((arch.functions[i].holder, vec))
    national_fn = [
        sum(float((vec * pop).sum()) for h, vec in held if bodies[h].tier == "national") / total_pop
        for held in by_key.values()
    ]

    # spend by commissioner, attributed by residents covered
    national_spend = devolved_spend = dist_sum = 0.0
    dist_max = 0.0
    for line, held in comm.items():
        for holder, vec in held:
            amount = spend[line] * float((vec * pop).sum()) / total_pop
            r = reach_.get(holder, _Reach(float("inf"), False))
            national_spend += amount * (bodies[holder].tier == "national")
            devolved_spend += amount * r.devolved
            dist_sum += amount * r.distance
            if amount > 0 and vec.any():
                dist_max = max(dist_max, r.distance)

    # a resident's pathway: distinct commissioners and pots
    holder_ids = sorted({h for held in comm.values() for h, vec in held if vec.any()})
    covers = np.zeros((len(holder_ids), len(pop)), dtype=bool)
    for held in comm.values():
        for h, vec in held:
            if h in holder_ids:
                covers[holder_ids.index(h)] |= vec > 0
    commissioners = covers.sum(axis=0)
    pots = _pot_vectors(arch, on)
    pot_count = np.sum([vec > 0 for _, _, vec in pots], axis=0)
    fenced_count = np.sum([(vec > 0) & fenced for _, fenced, vec in pots], axis=0)

    # coterminosity of commissioning areas with local government
    aligned = []
    for line in FUNCTION_LINES:  # over the commissioning functions: a split line (specialised) counts once
        held = comm[expand([line])[0]]
        share = 0.0
        for holder, vec in held:
            b = bodies[holder]
            ok = (
                np.ones(len(pop), dtype=bool)
                if b.area_level is None
                else geo.utla_coterminous_with(b.area_level, b.area_vintage)
            )
            share += float((vec * pop * ok).sum()) / total_pop
        aligned.append(share)

    # boards of commissioning bodies
    own = geo.own_coverage(arch)
    now = geo.body_coverage(arch, on, own)
    seats = dict.fromkeys(BOARD_CATEGORIES, 0.0)
    for h in holder_ids:
        if bodies[h].board is not None:
            for cat, n in _board_totals(arch, bodies[h], own[h], now[h]).items():
                seats[cat] += n
    seat_total = sum(seats.values())

    devolved_ne = (
        sum(vec for h, vec in comm["acute_non_elective"] if reach_[h].devolved)
        if comm["acute_non_elective"]
        else np.zeros(len(pop))
    )
    national_bodies = [b for b in arch.bodies_on(on) if b.tier == "national"]
    headcounts = {b.id: _headcount_on(b, on) for b in national_bodies if b.headcount is not None}
    running = {
        b.id: _running_cost_on(b, on) * _still_covered(own[b.id], now[b.id], pop)
        for b in arch.bodies_on(on)
        if b.running_cost_gbp is not None
    }

    out: dict[str, Any] = {
        "id": arch.id,
        "as_of": on.isoformat(),
        "bodies": len(arch.bodies_on(on)),
        "functions": len(by_key),
        "centralism_functions": float(np.mean(national_fn)),
        "centralism_spend": national_spend / total_spend if total_spend else float("nan"),
    }
    out["centralism_index"] = (out["centralism_functions"] + out["centralism_spend"]) / 2
    out.update(
        {
            "spend_gbp": total_spend,
            "spend_devolved_share": devolved_spend / total_spend if total_spend else float("nan"),
            "spend_delegated_share": 1 - devolved_spend / total_spend if total_spend else float("nan"),
            "distance_mean": dist_sum / total_spend if total_spend else float("nan"),
            "distance_max": dist_max,
            "fragmentation_commissioners": float((commissioners * pop).sum() / total_pop),
            "fragmentation_pots": float((pot_count * pop).sum() / total_pop),
            "fragmentation_ringfenced_pots": float((fenced_count * pop).sum() / total_pop),
        }
    )
    out["fragmentation"] = out["fragmentation_commissioners"] + out["fragmentation_pots"]
    out["coterminosity"] = float(np.mean(aligned))
    out["board_members"] = seat_total
    for cat in BOARD_CATEGORIES:
        out[f"board_{cat}_share"] = seats[cat] / seat_total if seat_total else float("nan")
    out["population_devolved_share"] = float((np.minimum(devolved_ne, 1) * pop).sum() / total_pop)
    out["central_headcount"] = float(sum(headcounts.values())) if headcounts else float("nan")
    out["central_headcount_bodies"] = ",".join(sorted(headcounts))
    out["running_cost_gbp"] = float(sum(running.values())) if running else float("nan")
    out["accountability_investment_gbp"] = _accountability_investment(arch, on)
    # Figure 10 of reform-2024: the scale each function is commissioned at, and the pathway's budget holders
    for name, lines in SCALE_GROUPS.items():
        out[f"commissioning_population_{name}"] = _commissioning_population(arch, comm, lines)
    holders_count = np.zeros(len(pop))
    for holder in sorted({h for h, _, _ in _pot_holder_vectors(arch, on)}):
        covered = np.zeros(len(pop), dtype=bool)
        for h, _, vec in _pot_holder_vectors(arch, on):
            if h == holder:
                covered |= vec > 0
        holders_count += covered
    out["pathway_budget_holders"] = float((holders_count * pop).sum() / total_pop)
    out["population_with_deal_share"] = _population_with_deal()
    planned = {b.id: _planned_headcount(b) for b in national_bodies if _planned_headcount(b) is not None}
    out["central_headcount_planned"] = (
        float(sum(v for v in planned.values() if v is not None)) if planned else float("nan")
    )
    return {k: float(v) if isinstance(v, np.floating | np.integer) else v for k, v in out.items()}


#: Service lines grouped by the scale reform-2024 (Figure 10, §4.3.2) says they need: out-of-hospital care
#: benefits from local tailoring, hospital and specialist care from a larger population.
SCALE_GROUPS: dict[str, tuple[str, ...]] = {
    "out_of_hospital": ("primary_medical", "community_health", "public_health", "adult_social_care"),
    "hospital": ("acute_elective", "acute_non_elective", "specialised_national", "specialised_delegated"),
}


def _commissioning_population(
    arch: Architecture, comm: dict[str, list[tuple[str, np.ndarray]]], lines: tuple[str, ...]
) -> float:
    """Residents of the area that commissions a resident's care on ``lines`` (resident-weighted mean over the
    lines; a national commissioner's area is England)."""
    pop = geo.population()
    bodies = {b.id: b for b in arch.bodies}
    total = weight = 0.0
    for line in lines:
        # the lines of a split line (specialised) count as one line between them, as before the split
        part = 1.0 / next((len(m) for m in ALIASES.values() if line in m), 1)
        for holder, vec in comm[line]:
            codes = geo.area_of(bodies[holder])
            if codes is None or bodies[holder].area_level == "england":
                size = np.full(len(pop), pop.sum())
            else:
                sizes = pd.Series(pop).groupby(codes).sum()
                size = pd.Series(codes).map(sizes).fillna(0.0).to_numpy()
            w = vec * pop * part
            total += float((w * size).sum())
            weight += float(w.sum())
    return total / weight if weight else float("nan")


def _pot_holder_vectors(arch: Architecture, on: date) -> list[tuple[str, bool, np.ndarray]]:
    """(holder id, ring-fenced, residents) for every pot a resident's money sits in (as :func:`_pot_vectors`)."""
    holders = {p.id: p.holder for p in arch.money.pots}
    cov = arch.money.coverage
    other = (
        {f"{cov.otherwise}:{p.id}": f"{cov.otherwise}:{p.holder}" for p in _otherwise(cov.otherwise).money.pots}
        if cov is not None
        else {}
    )
    return [(holders.get(pid) or other[pid], fenced, vec) for pid, fenced, vec in _pot_vectors(arch, on)]


@lru_cache(maxsize=1)
def _population_with_deal() -> float:
    """Share of residents in a combined authority of the shipped 2025 lookup (devolution deals agreed by 2025)."""
    mask = geo.area_codes_mask("all", "ca", 2024)
    pop = geo.population()
    return float((mask * pop).sum() / pop.sum())


def _planned_headcount(body: Body) -> int | None:
    """The end of a body's headcount path (its last planned figure), else its headcount."""
    if body.headcount_path:
        return body.headcount_path[max(body.headcount_path)]
    return body.headcount


def _headcount_on(body: Body, on: date) -> int:
    """A body's headcount on ``on``: the last step of its ``headcount_path`` on or before it, else ``headcount``."""
    past = [d for d in body.headcount_path if d <= on]
    return int(body.headcount_path[max(past)] if past else body.headcount or 0)


def _running_cost_on(body: Body, on: date) -> float:
    """A body's running cost on ``on``: the last step of its ``running_cost_path`` on or before it, else its
    ``running_cost_gbp`` (the figure before the path)."""
    past = [d for d in body.running_cost_path if d <= on]
    return float(body.running_cost_path[max(past)] if past else body.running_cost_gbp or 0.0)


def _accountability_investment(arch: Architecture, on: date) -> float:
    """£ a year of the typed flows funding scrutiny and citizen voice (the bodies holding those functions)."""
    holders = {f.holder for f in arch.functions_on(on) if f.key.split(".")[0] in ("scrutiny", "citizen_voice")}
    return float(sum(f.amount_gbp or 0.0 for f in arch.flows_on(on) if f.to in holders))


def _still_covered(own: np.ndarray, now: np.ndarray, pop: np.ndarray) -> float:
    """Share of a template body's own residents it still covers (figures for all areas scale pro rata)."""
    base = float((own * pop).sum())
    return float((now * pop).sum()) / base if base > 0 else 0.0
