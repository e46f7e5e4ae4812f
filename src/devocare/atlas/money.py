"""One money truth: the base-year money each budget holder receives under an architecture's money rules,
computed with the allocation engine the simulator runs, and the funding views and checks built on it.

It sits above both the architecture package (the structure it reads) and the allocation engine (the grants
it runs), so neither of those imports it.

A reader's Sankey, graph labels and ``arch show`` flows must not tell a different story from the simulator.
So the amounts are not typed in: for every pot of the ``money`` section, year 1 of
:func:`devocare.allocation.grants.grant_years` (the default envelope, the base year, no growth) gives the
need grant, the fiscal equalisation and the incentive-fund top slice per area, which is exactly what the
simulator's funding step adds up per budget. Two rules then follow the simulator:

* **coverage**: where ``money.coverage`` leaves part of England to another architecture (areas without a
  devolution deal), each of this architecture's pots keeps the part of an area's grant that follows the
  need of the local authority districts inside the coverage, and the ``otherwise`` architecture's pots get
  the rest of theirs (need per district from the same practice files);
* **hospital funding to the local tier**: with ``co_financing.hospital_funding_to_local``, that share of the
  co-financed hospital lines moves from the regional to the local tier's budget.

Typed flows keep their role (who pays whom, under which rule, with which citation);
:func:`money_problems` fails an architecture whose typed flows and money section disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.allocation.grants import (
    BASE_YEAR,
    LINE_WEIGHTS,
    OUTSIDE,
    area_weights,
    check_envelope,
    default_envelope,
    grant_years,
)
from devocare.architecture.geo import canonical_area
from devocare.architecture.loader import load
from devocare.architecture.problems import Problem
from devocare.architecture.schema import Architecture, FundingFlow
from devocare.service_lines import LINE_IDS

#: A typed amount may differ from the money section's base-year figure by this much (the typed amounts are
#: the published 2023/24 figures; the money section runs the 2024/25 envelope of the parameter tree).
AMOUNT_TOLERANCE = 0.25


def _envelope(arch: Architecture) -> dict[str, float]:
    lines: list[str] = [str(line) for pot in arch.money.pots for line in pot.lines]
    env = default_envelope()
    return check_envelope({k: v for k, v in zip(env["line"], env["gbp"], strict=True) if k in lines}, lines)


@lru_cache(maxsize=4)
def _inside_lads(codes: tuple[str, ...] | str, level: str, vintage: int) -> frozenset[str]:
    """Local authority districts (2024) wholly inside the listed areas at ``level`` ('all': every area)."""
    m = geography.membership("lad", level, vintage)
    m = m[m["share"] > 0.999999]
    if codes == "all":
        return frozenset(m["from_code"])
    canon = {canonical_area(c, level, vintage) or c for c in codes}
    return frozenset(m.loc[m["to_code"].isin(canon), "from_code"])


def _inside_share(fy: str, level: str, vintage: int, weight: str, inside: frozenset[str]) -> pd.Series:
    """Per area at ``level``: the share of its need (weight column) in districts inside the coverage."""
    lad = area_weights(fy, "lad").set_index("code")[weight].astype(float)
    if level == "england":
        return pd.Series({"E92000001": float(lad[lad.index.isin(inside)].sum() / lad.sum())})
    m = geography.membership("lad", level, vintage)
    w = m["from_code"].map(lad).fillna(0.0) * m["share"]
    total = w.groupby(m["to_code"]).sum()
    within = (w * m["from_code"].isin(inside)).groupby(m["to_code"]).sum()
    share = (within / total.where(total > 0)).fillna(0.0)
    lad_all = float(lad.sum())
    rest = lad_all - float(total.sum())
    if rest > 1e-6 * lad_all:  # the ~outside pseudo-area of a level that does not cover England
        rest_in = float(lad[lad.index.isin(inside)].sum()) - float(within.sum())
        share[OUTSIDE] = max(rest_in, 0.0) / rest
    return share


def _pot_rows(
    arch: Architecture, rule_set: str, inside: frozenset[str] | None, keep_inside: bool
) -> list[dict[str, Any]]:
    """Year-1 grant per pot and line (need + equalisation + top slice) for the part a rule set runs."""
    gy = grant_years(arch, 1, _envelope(arch), BASE_YEAR, 0.0)[0]
    names = {b.id: b.name for b in arch.bodies}
    rows: list[dict[str, Any]] = []
    for pg in gy.pots:
        held = pg.held if keep_inside else np.ones(len(pg.weights), dtype=bool)
        need = pg.need.astype(float) / 100.0
        total = need.sum(axis=1, keepdims=True)
        eq_share = np.divide(need, total, out=np.full_like(need, 1.0 / need.shape[1]), where=total > 0)
        eq = np.zeros(len(need)) if pg.equalisation is None else pg.equalisation / 100.0
        for j, line in enumerate(pg.pot.lines):
            if pg.sliced is None:
                kept = gy.line_pence[line] - gy.sliced[line]
                held_back = gy.sliced[line] / kept if kept > 0 else 0.0
            else:  # a line split between pots (line_shares): this pot's top slice against its part, as the simulator
                own = float(pg.need[:, j].sum())
                held_back = pg.sliced[line] / own if own > 0 else 0.0
            per_area = need[:, j] * (1.0 + held_back) + eq * eq_share[:, j]
            part = np.ones(len(per_area))  # share of each area's line this rule set runs
            if inside is not None:
                share = _inside_share(gy.financial_year, pg.level, pg.vintage, LINE_WEIGHTS[line][0], inside)
                frac = pg.weights["code"].map(share).fillna(0.0).to_numpy()
                part = frac if keep_inside else 1.0 - frac
            per_area = per_area * part
            base = {
                "architecture": rule_set,
                "holder": pg.body.id,
                "name": names.get(pg.body.id, pg.body.id),
                "pot": pg.pot.id,
                "tier": pg.pot.tier,
                "line": line,
            }
            rows.append({**base, "part": "grant", "gbp": float(per_area[held].sum())})
            raised = pg.local_revenue()
            if raised is not None:  # money.local_revenue: raised by a holder with tax powers, beyond the envelope
                rows.append(
                    {
                        **base,
                        "part": "local_revenue",
                        "gbp": float((raised / 100.0 * eq_share[:, j] * part)[held].sum()),
                    }
                )
    return rows


def _hospital_to_local(arch: Architecture, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The co-financing rule's hospital funding moved from the regional to the local tier (as the simulator)."""
    cof = arch.money.co_financing
    if cof is None or cof.hospital_funding_to_local <= 0:
        return []
    own = [r for r in rows if r["architecture"] == arch.id]
    payer = next((r for r in own if r["tier"] == cof.payer_tier), None)
    receiver = next((r for r in own if r["tier"] == cof.receiver_tier and r["line"] in cof.lines), None)
    if payer is None or receiver is None:
        return []
    out = []
    for line in cof.lines:
        moved = cof.hospital_funding_to_local * sum(r["gbp"] for r in own if r["line"] == line)
        base = {"architecture": arch.id, "line": line, "part": "hospital_funding_to_local"}
        out.append(
            {
                **base,
                "holder": receiver["holder"],
                "name": receiver["name"],
                "pot": receiver["pot"],
                "tier": receiver["tier"],
                "gbp": -moved,
            }
        )
        out.append(
            {
                **base,
                "holder": payer["holder"],
                "name": payer["name"],
                "pot": payer["pot"],
                "tier": payer["tier"],
                "gbp": moved,
            }
        )
    return out


def holder_money(arch: Architecture, on: date | None = None) -> pd.DataFrame:
    """Base-year £ per budget holder, pot and service line under ``arch``'s money rules (and, outside its
    coverage, its ``otherwise`` architecture's), as the simulator allocates them in year 1, with the pots
    that exist on ``on`` (default ``as_of``: the date the architecture describes).

    Columns: architecture (the rule set), holder, name, pot, tier, line, part (grant |
    hospital_funding_to_local | local_revenue: raised by a holder with tax powers, beyond the envelope), gbp.
    """
    on = on or arch.as_of
    return _holder_money(arch.model_dump_json(by_alias=True) + on.isoformat(), arch.pots_on(on), on).copy()


_CACHE: dict[str, pd.DataFrame] = {}


def _holder_money(key: str, arch: Architecture, on: date) -> pd.DataFrame:
    if key in _CACHE:
        return _CACHE[key]
    cov = arch.money.coverage
    rows: list[dict[str, Any]]
    if cov is None:
        rows = _pot_rows(arch, arch.id, None, True)
    else:
        devolved = cov.devolved if cov.devolved == "all" else tuple(cov.devolved)
        inside = _inside_lads(devolved, cov.level, cov.vintage)
        own = _pot_rows(arch, arch.id, inside, True)
        rows = own + _rest_of_england(
            _pot_rows(load(cov.otherwise).pots_on(on), cov.otherwise, inside, False), own, _envelope(arch)
        )
    rows += _hospital_to_local(arch, rows)
    out = pd.DataFrame(rows)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = out
    return out


def _rest_of_england(
    rest: list[dict[str, Any]], own: list[dict[str, Any]], envelope: Mapping[str, float]
) -> list[dict[str, Any]]:
    """The rule set running the areas outside the coverage gets, line by line, what the envelope leaves once
    the architecture's own holders have their grants (as the simulator shares the envelope), split between
    its holders in proportion to their grants."""
    own_by_line: dict[str, float] = {}
    rest_by_line: dict[str, float] = {}
    for r in own:  # local revenue is raised beyond the envelope: it leaves the rest's share alone
        if r["part"] == "grant":
            own_by_line[r["line"]] = own_by_line.get(r["line"], 0.0) + r["gbp"]
    for r in rest:
        if r["part"] == "grant":
            rest_by_line[r["line"]] = rest_by_line.get(r["line"], 0.0) + r["gbp"]
    out = []
    for r in rest:
        line, given = r["line"], rest_by_line.get(r["line"], 0.0)
        scale = (envelope[line] - own_by_line.get(line, 0.0)) / given if given > 0 and line in envelope else 1.0
        out.append({**r, "gbp": r["gbp"] * scale})
    return out


def holder_totals(arch: Architecture) -> pd.DataFrame:
    """Base-year £ per rule set and holder (the simulator's year-1 ``allocated``, summed over its areas)."""
    m = holder_money(arch)
    return pd.DataFrame(m.groupby(["architecture", "holder", "name"], as_index=False, sort=False)["gbp"].sum())


# --------------------------------------------------------------------------- who pays whom


def _funder(flows: list[FundingFlow], body: str, line: str | None) -> FundingFlow | None:
    """The typed flow bringing ``line`` (or, for a pass-through body, any money) to ``body``."""
    to_body = [f for f in flows if f.to == body]
    carrying = [f for f in to_body if line is not None and line in f.lines]
    for group in (
        [f for f in carrying if not f.pooled],
        carrying,
        [f for f in to_body if not f.lines and not f.pooled],
        [f for f in to_body if not f.pooled],
    ):
        if group:
            return group[0]
    return None


def _chain(flows: list[FundingFlow], holder: str, line: str) -> list[FundingFlow]:
    """Typed flows from the top payer down to ``holder`` for one line (pass-through bodies followed)."""
    out: list[FundingFlow] = []
    seen = {holder}
    flow = _funder(flows, holder, line)
    while flow is not None and flow.from_ not in seen:
        out.append(flow)
        seen.add(flow.from_)
        flow = _funder(flows, flow.from_, line)
    return out


def sankey(arch: Architecture, on: date | None = None) -> dict[str, list[Any]]:
    """Funding Sankey from the money rules: payer → … → budget holder → service line, base-year £.

    Each budget holder receives what the simulator allocates it in year 1 (:func:`holder_money`); the payer
    above it is the body of the typed flow that brings it that line (followed up through pass-through bodies
    such as NHS England in the status quo). Holders outside the coverage, running the ``otherwise``
    architecture's rules, are shown as such. Co-financing payments are the base year's (hospital spending at
    its grant). Returns Plotly's shape: ``{"nodes": [{"id", "label"}], "links": [{"source", "target",
    "value", "label"}]}``.
    """
    on = on or arch.as_of
    money = holder_money(arch)
    nodes: list[dict[str, str]] = []
    index: dict[str, int] = {}
    links: dict[tuple[int, int, str], float] = {}

    def node(key: str, label: str) -> int:
        if key not in index:
            index[key] = len(nodes)
            nodes.append({"id": key, "label": label})
        return index[key]

    def link(src: int, dst: int, label: str, value: float) -> None:
        links[(src, dst, label)] = links.get((src, dst, label), 0.0) + value

    archs = {arch.id: arch}
    cov = arch.money.coverage
    if cov is not None:
        archs[cov.otherwise] = load(cov.otherwise)
    alive = {b.id for b in arch.bodies_on(on)}
    for (rule_set, holder), rows in money.groupby(["architecture", "holder"], sort=False):
        rs_arch = archs[str(rule_set)]
        own = rule_set == arch.id or holder in alive
        # a holder that exists in this architecture is paid as its flows say; one that only exists in the
        # ``otherwise`` architecture (outside the coverage) is paid as that architecture says
        flows = arch.flows_on(on) if own else rs_arch.flows_on(rs_arch.as_of)
        names = {b.id: b.name_on(on if own else rs_arch.as_of) for b in (arch.bodies if own else rs_arch.bodies)}
        if own:
            rule_set = arch.id
        key = str(holder) if own else f"{rule_set}:{holder}"
        label = names[str(holder)] if own else f"{names[str(holder)]} ({rule_set} rules, areas without a deal)"
        h = node(key, label)
        raised = rows[rows["part"] == "local_revenue"]["gbp"].sum()
        if raised >= 0.5:
            link(node("local_taxation", "Local taxation"), h, "local_revenue", float(raised))
        for line, amount in rows[rows["part"] != "local_revenue"].groupby("line", sort=False)["gbp"].sum().items():
            if abs(amount) < 0.5:
                continue
            chain = _chain(flows, str(holder), str(line))
            below = h
            for flow in chain:
                payer_own = flow.from_ in alive
                pkey = flow.from_ if payer_own else f"{rule_set}:{flow.from_}"
                plabel = names.get(flow.from_, flow.from_)
                src = node(pkey, plabel if payer_own else f"{plabel} ({rule_set} rules)")
                link(src, below, flow.id, float(amount))
                below = src
            funder = _funder(flows, str(holder), str(line))
            if not chain and (funder is None or funder.from_ != holder):  # a self-funded holder has no inflow
                link(node("envelope", "National envelope"), h, "unattributed", float(amount))
        grants = rows[rows["part"].isin(["grant", "local_revenue"])].groupby("line", sort=False)["gbp"].sum()
        for line, amount in grants.items():
            if amount < 0.5:
                continue
            target = node(f"line:{line}", str(line).replace("_", " "))
            kept = float(amount)
            for delegate, share in _delegations(arch, on, str(holder), str(line)) if own else []:
                # the delegate commissions the share; the pot (and its risk) stays the holder's
                d = node(f"delegate:{delegate}:{key}", f"{names.get(delegate, delegate)} (delegated by {label})")
                link(h, d, f"delegated:{key}:{line}", float(amount) * share)
                link(d, target, f"{delegate}:{line}", float(amount) * share)
                kept -= float(amount) * share
            if kept >= 0.5:
                link(h, target, f"{key}:{line}", kept)
    _co_financing(arch, money, node, link)
    out_links = [{"source": s, "target": t, "value": v, "label": lab} for (s, t, lab), v in links.items() if v > 0]
    return {"nodes": nodes, "links": out_links}


def _delegations(arch: Architecture, on: date, holder: str, line: str) -> list[tuple[str, float]]:
    """(delegate, share) for each commissioning holding of ``line`` that ``holder`` delegates on ``on``
    (``delegated_by``): that share of the holder's money on the line is commissioned by the delegate."""
    return [
        (f.holder, float(f.share))
        for f in arch.functions_on(on)
        if f.delegated_by == holder and f.key.split("@")[0] == f"commissioning.{line}"
    ]


def _co_financing(arch: Architecture, money: pd.DataFrame, node: Any, link: Any) -> None:
    """Base-year co-financing payments local → regional tier: the share of the regional tier's hospital
    grant on the co-financed lines (spending equal to grant in the base year)."""
    cof = arch.money.co_financing
    if cof is None or cof.share <= 0:
        return
    own = money[(money["architecture"] == arch.id) & (money["part"] == "grant")]
    payer = own[own["tier"] == cof.payer_tier]
    receiver = own[(own["tier"] == cof.receiver_tier) & own["line"].isin(cof.lines)]
    if payer.empty or receiver.empty:
        return
    amount = cof.share * float(receiver["gbp"].sum())
    src = node(str(payer["holder"].iloc[0]), str(payer["name"].iloc[0]))
    dst = node(str(receiver["holder"].iloc[0]), str(receiver["name"].iloc[0]))
    link(src, dst, "co_financing (base year)", amount)


def flow_amounts(arch: Architecture, on: date | None = None) -> dict[str, float]:
    """£ a typed flow carries under the money rules in the base year: for each flow whose recipient holds
    the flow's lines in a pot, the recipient's year-1 money on those lines (pooled transfers excluded)."""
    money = holder_money(arch)
    money = money[money["part"] != "local_revenue"]  # raised locally: no typed flow carries it
    per = money.groupby(["holder", "line"])["gbp"].sum()
    out: dict[str, float] = {}
    for flow in arch.flows_on(on):
        if flow.pooled and not _holds(money, flow.to):
            continue
        lines = [line for line in flow.lines if (flow.to, line) in per.index]
        if lines:
            out[flow.id] = float(sum(per[(flow.to, line)] for line in lines))
    return out


def _holds(money: pd.DataFrame, body: str) -> bool:
    return bool((money["holder"] == body).any())


# --------------------------------------------------------------------------- validation


def money_problems(arch: Architecture, on: date | None = None, file: str = "") -> list[Problem]:
    """Disagreements between the typed flows and the money section, each with its path.

    * a non-pooled flow carrying a line to a body that holds no pot with that line (under this
      architecture or, outside its coverage, the ``otherwise`` one);
    * a pot's holder that no typed flow funds (its lines then have no payer to show);
    * a typed amount more than :data:`AMOUNT_TOLERANCE` away from the money section's base-year figure.
    """
    on = on or arch.as_of
    file = file or arch.id
    money = holder_money(arch)
    held = set(zip(money["holder"], money["line"], strict=True))
    flows = arch.flows_on(on)
    index = {f.id: i for i, f in enumerate(arch.flows)}
    problems = []
    for flow in flows:
        path = f"flows[{index[flow.id]}]"
        if flow.pooled:
            continue
        for line in flow.lines:
            if (flow.to, line) not in held:
                holders = sorted({h for h, ln in held if ln == line})
                problems.append(
                    Problem(
                        file,
                        f"{path}.lines",
                        (
                            f"flow {flow.id!r} gives {line} to {flow.to!r}, but the money section gives it to "
                            f"{', '.join(holders) or 'no pot'}"
                        ),
                    )
                )
    amounts = flow_amounts(arch, on)
    for flow in flows:
        if flow.amount_gbp is None or flow.id not in amounts or flow.pooled:
            continue
        derived = amounts[flow.id]
        if abs(flow.amount_gbp - derived) > AMOUNT_TOLERANCE * max(derived, 1.0):
            problems.append(
                Problem(
                    file,
                    f"flows[{index[flow.id]}].amount_gbp",
                    (
                        f"flow {flow.id!r} states £{flow.amount_gbp / 1e9:.2f}bn but the money section gives "
                        f"{flow.to!r} £{derived / 1e9:.2f}bn on {', '.join(flow.lines)} in the base year "
                        f"(tolerance {AMOUNT_TOLERANCE:.0%}); drop the amount or correct the money rules"
                    ),
                )
            )
    own = money[(money["architecture"] == arch.id) & (money["part"] == "grant") & (money["gbp"].abs() > 0.5)]
    pot_index = {p.id: i for i, p in enumerate(arch.money.pots)}
    for (holder, pot), _ in own.groupby(["holder", "pot"], sort=False):
        if _funder(flows, str(holder), None) is None:
            problems.append(
                Problem(
                    file,
                    f"money.pots[{pot_index[str(pot)]}]",
                    (f"pot {pot!r} is held by {holder!r}, but no funding flow on {on} brings money to {holder!r}"),
                )
            )
    return problems


def check_line_totals(money: pd.DataFrame, envelope: Mapping[str, float]) -> dict[str, float]:
    """Per line: base-year £ across all holders minus the envelope (for tests and diagnostics); local revenue
    is raised beyond the envelope and left out."""
    by_line = money[money["part"] != "local_revenue"].groupby("line")["gbp"].sum()
    return {line: float(by_line.get(line, 0.0) - envelope.get(line, 0.0)) for line in LINE_IDS}
