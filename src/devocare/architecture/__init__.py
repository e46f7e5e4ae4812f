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

#: The money views, which live in :mod:`devocare.atlas` (they need the allocation engine, a layer above).
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


class InAtlasError(ImportError):
    """A money view asked of :mod:`devocare.architecture`. An ``ImportError`` so that ``from
    devocare.architecture import sankey`` shows this message rather than Python's generic one."""


def in_atlas(name: str) -> InAtlasError:
    """The error for ``devocare.architecture.<name>`` when ``name`` is a money view."""
    return InAtlasError(
        f"devocare.architecture.{name}: use devocare.atlas.{name} (the money views need the allocation engine, "
        "a layer above devocare.architecture)"
    )


def diff(a: "str | Architecture", b: "str | Architecture", with_metrics: bool = True) -> ArchitectureDiff:
    """The structural reorganisation from ``a`` to ``b`` (ids, paths or loaded architectures). The metrics
    before → after need the allocation engine: :func:`devocare.atlas.diff` gives the diff with them, so here
    ``with_metrics`` must be ``False``."""
    if with_metrics:
        raise InAtlasError(
            "devocare.architecture.diff: use devocare.atlas.diff(a, b) for the diff with every metric before → "
            "after, or diff(a, b, with_metrics=False) here for the structure only"
        )
    arch_a = a if isinstance(a, Architecture) else load(a)
    arch_b = b if isinstance(b, Architecture) else load(b)
    return _diff(arch_a, arch_b)


def __getattr__(name: str) -> object:
    if name in MOVED_TO_ATLAS:
        raise in_atlas(name)
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
