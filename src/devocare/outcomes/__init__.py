"""Outcomes and variation monitor: the reformed centre's outcome framework on real indicator data.

Indicator catalogue and loaders (:mod:`.catalogue`), aggregation to any level (:mod:`.aggregate`),
variation statistics (:mod:`.variation`), funnel plots (:mod:`.funnel`), the outcome framework, entitlements
and minimum service levels (:mod:`.framework`), and synthetic-control evaluation (:mod:`.evaluation`).
"""

from devocare.outcomes.framework import entitlements, minimum_service_levels, outcome_targets

__all__ = ["entitlements", "minimum_service_levels", "outcome_targets"]
