"""An architecture with its money: metrics, graphs, the funding Sankey, the diff and the money checks.

:mod:`devocare.architecture` describes who holds which function and budget; the money each budget holder
receives comes from the allocation engine (:mod:`devocare.allocation`), a layer above it. The views that show
money (the £ on funding edges, spend-weighted metrics, the Sankey, the check of typed flows against the money
section) therefore sit here, above both, and read the base-year money the simulator allocates in year 1:
one money truth for readers and the model.
"""

from devocare.atlas.money import flow_amounts, holder_money, holder_totals, money_problems, sankey
from devocare.atlas.views import diff, graph, graph_json, line_spend, metrics, metrics_table, to_dot, to_mermaid

__all__ = [
    "diff",
    "flow_amounts",
    "graph",
    "graph_json",
    "holder_money",
    "holder_totals",
    "line_spend",
    "metrics",
    "metrics_table",
    "money_problems",
    "sankey",
    "to_dot",
    "to_mermaid",
]
