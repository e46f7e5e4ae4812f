"""Resource allocation: need indices from practice weighted populations, £ splits of NHS England's ICB
allocations, convergence toward target shares, and multi-year block grants for an architecture.

The package exports the functions other capabilities call. ``money`` here is the function; import the
module's other names with ``from devocare.allocation.money import ...``.
"""

from devocare.allocation.convergence import convergence_path, pace_of_change, target_shares
from devocare.allocation.grants import block_grants, default_envelope
from devocare.allocation.money import money
from devocare.allocation.need import all_place_indices, need_indices, place_indices
from devocare.allocation.practices import COMPONENT_IDS, COMPONENTS, YEARS, practices, weighted_population

__all__ = [
    "COMPONENTS",
    "COMPONENT_IDS",
    "YEARS",
    "all_place_indices",
    "block_grants",
    "convergence_path",
    "default_envelope",
    "money",
    "need_indices",
    "pace_of_change",
    "place_indices",
    "practices",
    "target_shares",
    "weighted_population",
]
