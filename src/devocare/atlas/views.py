"""An architecture's metrics, graphs and diff with its money: the structural views of
:mod:`devocare.architecture`, handed the base-year money the simulator allocates (:mod:`devocare.atlas.money`).

The structure views take the money as an argument so that the architecture package never calls the
allocation engine; these functions are the ones users call, one money truth for every view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pandas as pd

from devocare.architecture import structure_metrics, views
from devocare.architecture.diff import ArchitectureDiff
from devocare.architecture.diff import diff as structural_diff
from devocare.architecture.loader import load
from devocare.architecture.schema import Architecture
from devocare.atlas.money import flow_amounts, holder_money
from devocare.service_lines import LINE_IDS


def line_spend(arch: Architecture, on: date | None = None) -> dict[str, float]:
    """£ per service line: the base-year money the simulator allocates under the money rules (one truth with
    the Sankey; :func:`devocare.atlas.holder_money`). ``on`` is accepted for symmetry: the money is the base
    year's whatever date the structure is read on."""
    out = dict.fromkeys(LINE_IDS, 0.0)
    by_line = holder_money(arch).groupby("line")["gbp"].sum()
    for line, amount in by_line.items():
        out[str(line)] += float(amount)
    return out


def metrics(arch: Architecture, on: date | None = None) -> dict[str, Any]:
    """Every structural metric of ``arch`` on ``on`` (default ``as_of``) as a flat dict, spend weighted by the
    money section's base-year money (definitions: :mod:`devocare.architecture.structure_metrics`)."""
    return structure_metrics.metrics(arch, line_spend(arch, on), on)


def metrics_table(ids_or_archs: list[str | Architecture]) -> pd.DataFrame:
    """One row of metrics per architecture (ids are loaded), columns in a fixed order."""
    rows = [metrics(a if isinstance(a, Architecture) else load(a)) for a in ids_or_archs]
    return pd.DataFrame(rows)


def graph(arch: Architecture, on: date | None = None) -> nx.MultiDiGraph:
    """Bodies as nodes; accountability edges (``relation='accountability'``) and funding flows
    (``relation='funding'``, £ from the money rules where they fund the flow) as edges."""
    on = on or arch.as_of
    return views.graph(arch, on, flow_amounts(arch, on))


def graph_json(arch: Architecture, on: date | None = None) -> dict[str, Any]:
    """Nodes and edges of :func:`graph` as JSON-ready lists (for the web app)."""
    on = on or arch.as_of
    return views.graph_json(arch, on, flow_amounts(arch, on))


def to_mermaid(arch: Architecture, on: date | None = None) -> str:
    """Mermaid flowchart of :func:`graph`: solid arrows for accountability, dotted (with £) for funding."""
    on = on or arch.as_of
    return views.to_mermaid(arch, on, flow_amounts(arch, on))


def to_dot(arch: Architecture, on: date | None = None) -> str:
    """Graphviz DOT of :func:`graph`: accountability edges solid, funding flows dashed and green (with £)."""
    on = on or arch.as_of
    return views.to_dot(arch, on, flow_amounts(arch, on))


def diff(a: str | Architecture, b: str | Architecture, with_metrics: bool = True) -> ArchitectureDiff:
    """The reorganisation from ``a`` to ``b`` (ids, paths or loaded architectures), with every metric
    before → after unless ``with_metrics`` is false."""
    arch_a = a if isinstance(a, Architecture) else load(a)
    arch_b = b if isinstance(b, Architecture) else load(b)
    return structural_diff(arch_a, arch_b, metrics if with_metrics else None)
