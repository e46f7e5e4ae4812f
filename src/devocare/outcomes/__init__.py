"""Outcomes and variation monitor: the reformed centre's outcome framework on real indicator data.

Indicator catalogue and loaders (:mod:`.catalogue`), aggregation to any level (:mod:`.aggregate`),
variation statistics (:mod:`.variation`), funnel plots (:mod:`.funnel`), the outcome framework, entitlements
and minimum service levels (:mod:`.framework`), each area against the framework's targets (:mod:`.status`),
the evaluation of devolution (:mod:`.evaluation`: design in :mod:`.design`, deal dates in :mod:`.deals`,
methods in :mod:`.synth`, :mod:`.conformal` and :mod:`.factor`, checks in :mod:`.robustness`, wording in
:mod:`.verdict`, every deal area pooled in :mod:`.staggered`) and charts (:mod:`.charts`).
"""

from devocare.outcomes.aggregate import at_level, for_bodies
from devocare.outcomes.catalogue import catalogue, load_indicator, periods
from devocare.outcomes.evaluation import evaluate
from devocare.outcomes.framework import entitlements, minimum_service_levels, outcome_targets
from devocare.outcomes.funnel import funnel
from devocare.outcomes.staggered import all_deals
from devocare.outcomes.status import status
from devocare.outcomes.variation import trends, variation

__all__ = [
    "all_deals",
    "at_level",
    "catalogue",
    "entitlements",
    "evaluate",
    "for_bodies",
    "funnel",
    "load_indicator",
    "minimum_service_levels",
    "outcome_targets",
    "periods",
    "status",
    "trends",
    "variation",
]
