"""The reformed centre's rulebook, as the outcome analyses read it: re-exported from :mod:`devocare.rulebook`
(which sits below the simulator, so the simulator and these analyses share one set of floors)."""

from devocare.rulebook import (
    Entitlements,
    Framework,
    FrameworkIndicator,
    Right,
    ServiceLevel,
    Target,
    entitlements,
    framework,
    minimum_service_levels,
    outcome_targets,
)

__all__ = [
    "Entitlements",
    "Framework",
    "FrameworkIndicator",
    "Right",
    "ServiceLevel",
    "Target",
    "entitlements",
    "framework",
    "minimum_service_levels",
    "outcome_targets",
]
