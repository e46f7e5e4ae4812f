"""Resource allocation: need indices from practice weighted populations, £ splits of NHS England's ICB
allocations, convergence toward target shares, and multi-year block grants for an architecture."""

from devocare.allocation.practices import COMPONENT_IDS, COMPONENTS, YEARS, practices, weighted_population

__all__ = ["COMPONENTS", "COMPONENT_IDS", "YEARS", "practices", "weighted_population"]
