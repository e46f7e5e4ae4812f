"""Views of an architecture's structure: the accountability and funding graph (networkx, Mermaid, Graphviz
DOT, JSON), the function matrix and the accountability chain from any body to its electorate.

All views read the structure on one date (default ``as_of``). The £ on funding edges is handed in
(``amounts``, per flow id): :mod:`devocare.atlas` passes the base-year money the simulator allocates under
the architecture's money rules, so a reader and the model see the same amounts; a typed amount is shown
only on flows those amounts leave out (pooled transfers, shares of a budget).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from devocare.architecture import geo
from devocare.architecture.schema import Architecture
from devocare.architecture.structure_metrics import reach
from devocare.errors import UnknownChoiceError


def graph(arch: Architecture, on: date | None = None, amounts: Mapping[str, float] | None = None) -> nx.MultiDiGraph:
    """Bodies as nodes; accountability edges (``relation='accountability'``) and funding flows
    (``relation='funding'``) as edges, each with ``amounts[flow id]`` where given, else its typed amount."""
    on = on or arch.as_of
    g = nx.MultiDiGraph(id=arch.id, name=arch.name, as_of=on.isoformat())
    for b in arch.bodies_on(on):
        g.add_node(
            b.id,
            name=b.name_on(on),
            kind=b.kind,
            tier=b.tier,
            leadership=b.leadership,
            statutory=b.statutory,
            area_level=b.area_level or "",
        )
    for e in arch.edges_on(on):
        g.add_edge(e.from_, e.to, key=e.key, relation="accountability", type=e.type)
    derived = dict(amounts or {})
    for f in arch.flows_on(on):
        amount = derived.get(f.id, f.amount_gbp)
        g.add_edge(
            f.from_,
            f.to,
            key=f.id,
            relation="funding",
            amount_gbp=amount,
            share=f.share,
            lines=list(f.lines),
            ring_fenced=f.ring_fenced,
            pooled=f.pooled,
            amount_basis="money rules, base year" if f.id in derived else ("cited" if amount else ""),
        )
    return g


def graph_json(
    arch: Architecture, on: date | None = None, amounts: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """Nodes and edges as JSON-ready lists (for the web app)."""
    g = graph(arch, on, amounts)
    nodes = [{"id": n, **attrs} for n, attrs in g.nodes(data=True)]
    edges = [{"id": k, "source": u, "target": v, **attrs} for u, v, k, attrs in g.edges(keys=True, data=True)]
    return {"id": arch.id, "name": arch.name, "as_of": g.graph["as_of"], "nodes": nodes, "edges": edges}


def _money(value: float | None, share: float | None) -> str:
    if value is not None:
        return f"£{value / 1e9:.1f}bn"
    if share is not None:
        return f"{share:.0%}"
    return ""


def _safe(node: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", node)


def to_mermaid(arch: Architecture, on: date | None = None, amounts: Mapping[str, float] | None = None) -> str:
    """Mermaid flowchart: solid arrows for accountability (labelled by type), dotted for funding."""
    g = graph(arch, on, amounts)
    lines = ["flowchart BT"]
    for n, attrs in g.nodes(data=True):
        label = attrs["name"].replace('"', "'")
        lines.append(f'    {_safe(n)}["{label}<br/><i>{attrs["tier"]}, {attrs["leadership"]}</i>"]')
    for u, v, attrs in g.edges(data=True):
        if attrs["relation"] == "accountability":
            lines.append(f"    {_safe(u)} -->|{attrs['type']}| {_safe(v)}")
        else:
            label = _money(attrs["amount_gbp"], attrs["share"]) or "funding"
            lines.append(f"    {_safe(u)} -.->|{label}| {_safe(v)}")
    return "\n".join(lines) + "\n"


def to_dot(arch: Architecture, on: date | None = None, amounts: Mapping[str, float] | None = None) -> str:
    """Graphviz DOT: accountability edges solid, funding flows dashed and green."""
    g = graph(arch, on, amounts)
    out = [f'digraph "{arch.id}" {{', "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];']
    for n, attrs in g.nodes(data=True):
        shape = "ellipse" if attrs["kind"] in ("electorate", "parliament") else "box"
        label = attrs["name"].replace('"', "'")
        out.append(f'  "{n}" [label="{label}\\n({attrs["tier"]}, {attrs["leadership"]})", shape={shape}];')
    for u, v, attrs in g.edges(data=True):
        if attrs["relation"] == "accountability":
            out.append(f'  "{u}" -> "{v}" [label="{attrs["type"]}"];')
        else:
            label = _money(attrs["amount_gbp"], attrs["share"])
            out.append(f'  "{u}" -> "{v}" [label="{label}", style=dashed, color="#007f3b"];')
    out.append("}")
    return "\n".join(out) + "\n"


def function_matrix(arch: Architecture, on: date | None = None) -> pd.DataFrame:
    """Who holds each function: function, domain, holder, holder_name, tier, residents_share, start, end."""
    on = on or arch.as_of
    pop = geo.population()
    bodies = {b.id: b for b in arch.bodies}
    rows = []
    for i, vec in geo.holding_coverage(arch, on):
        f = arch.functions[i]
        share = float((vec * pop).sum() / pop.sum())
        if share <= 0:
            continue
        b = bodies[f.holder]
        rows.append(
            {
                "function": f.key,
                "domain": f.key.split(".")[0],
                "holder": b.id,
                "holder_name": b.name_on(on),
                "tier": b.tier,
                "residents_share": round(share, 6),
                "start": f.start.isoformat() if f.start else None,
                "end": f.end.isoformat() if f.end else None,
            }
        )
    return pd.DataFrame(rows).sort_values(["function", "holder"]).reset_index(drop=True)


def accountability_chain(arch: Architecture, body_id: str, on: date | None = None) -> list[dict[str, str]]:
    """The shortest accountability path from ``body_id`` to its nearest electorate, one edge per step."""
    on = on or arch.as_of
    alive = {b.id: b for b in arch.bodies_on(on)}
    if body_id not in alive:
        raise UnknownChoiceError(f"body in {arch.id} on {on}", body_id, sorted(alive))
    g = nx.DiGraph()
    types = {}
    for e in arch.edges_on(on):
        g.add_edge(e.from_, e.to)
        types[(e.from_, e.to)] = e.type
    g.add_nodes_from(alive)
    dist = nx.single_source_shortest_path_length(g, body_id)
    electorates = [n for n in dist if alive[n].kind == "electorate"]
    if not electorates:
        return []
    best = min(dist[n] for n in electorates)
    local = [n for n in electorates if dist[n] == best and alive[n].tier != "national"]
    target = (local or [n for n in electorates if dist[n] == best])[0]
    path = nx.shortest_path(g, body_id, target)
    return [
        {"from": u, "from_name": alive[u].name_on(on), "to": v, "to_name": alive[v].name_on(on), "type": types[(u, v)]}
        for u, v in zip(path, path[1:], strict=False)
    ]


def chain_summary(arch: Architecture, body_id: str, on: date | None = None) -> dict[str, Any]:
    """The chain plus its length and whether it ends at a local electorate (devolved) or the centre."""
    chain = accountability_chain(arch, body_id, on)
    r = reach(arch, on).get(body_id)
    distance = None if r is None or not np.isfinite(r.distance) else int(r.distance)
    return {
        "architecture": arch.id,
        "body": body_id,
        "distance": distance,
        "devolved": bool(r.devolved) if r else False,
        "chain": chain,
    }
