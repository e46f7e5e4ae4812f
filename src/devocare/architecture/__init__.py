"""Architecture as code: England's health and care systems as validated data, with metrics, diffs and views.

``load(id_or_path)`` returns a fully validated :class:`Architecture` (``extends:`` resolved) or raises
:class:`ArchitectureError` listing every problem; ``builtin_ids()`` lists the eight built-ins.
"""

from devocare.architecture.diff import ArchitectureDiff
from devocare.architecture.diff import diff as _diff
from devocare.architecture.loader import builtin_ids, load, load_raw, load_text
from devocare.architecture.metrics import line_spend, metrics, metrics_table
from devocare.architecture.money_flows import holder_money, money_problems
from devocare.architecture.problems import ArchitectureError, Problem
from devocare.architecture.schema import Architecture
from devocare.architecture.views import (
    accountability_chain,
    chain_summary,
    function_matrix,
    graph,
    graph_json,
    sankey,
    to_dot,
    to_mermaid,
)


def diff(a: "str | Architecture", b: "str | Architecture", with_metrics: bool = True) -> ArchitectureDiff:
    """The reorganisation from ``a`` to ``b`` (ids, paths or loaded architectures)."""
    arch_a = a if isinstance(a, Architecture) else load(a)
    arch_b = b if isinstance(b, Architecture) else load(b)
    return _diff(arch_a, arch_b, with_metrics=with_metrics)


__all__ = [
    "Architecture",
    "ArchitectureDiff",
    "ArchitectureError",
    "Problem",
    "accountability_chain",
    "builtin_ids",
    "chain_summary",
    "diff",
    "function_matrix",
    "graph",
    "graph_json",
    "holder_money",
    "line_spend",
    "load",
    "load_raw",
    "money_problems",
    "load_text",
    "metrics",
    "metrics_table",
    "sankey",
    "to_dot",
    "to_mermaid",
]
