"""Architecture as code: England's health and care systems as validated data, with diffs and structural views.

``load(id_or_path)`` returns a fully validated :class:`Architecture` (``extends:`` resolved) or raises
:class:`ArchitectureError` listing every problem; ``builtin_ids()`` lists the eight built-ins.

What shows an architecture's money (metrics, graphs with £ on the flows, the Sankey, the money checks) needs
the allocation engine, a layer above this package, so it lives in :mod:`devocare.atlas`; asking this package
for one of those names says where it went.
"""

from devocare.architecture.diff import ArchitectureDiff
from devocare.architecture.diff import diff as _diff
from devocare.architecture.loader import builtin_ids, load, load_raw, load_text
from devocare.architecture.problems import ArchitectureError, Problem
from devocare.architecture.schema import Architecture
from devocare.architecture.views import accountability_chain, chain_summary, function_matrix

#: Names this package exported before its money views moved to :mod:`devocare.atlas`.
MOVED_TO_ATLAS = frozenset(
    {
        "graph",
        "graph_json",
        "holder_money",
        "line_spend",
        "metrics",
        "metrics_table",
        "money_problems",
        "sankey",
        "to_dot",
        "to_mermaid",
    }
)


def diff(a: "str | Architecture", b: "str | Architecture") -> ArchitectureDiff:
    """The structural reorganisation from ``a`` to ``b`` (ids, paths or loaded architectures); with every
    metric before → after, see :func:`devocare.atlas.diff`."""
    arch_a = a if isinstance(a, Architecture) else load(a)
    arch_b = b if isinstance(b, Architecture) else load(b)
    return _diff(arch_a, arch_b)


def __getattr__(name: str) -> object:
    if name in MOVED_TO_ATLAS:
        raise AttributeError(
            f"devocare.architecture.{name} is now devocare.atlas.{name} (it shows the money the allocation engine "
            "gives an architecture, a layer above devocare.architecture)"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "load",
    "load_raw",
    "load_text",
]
