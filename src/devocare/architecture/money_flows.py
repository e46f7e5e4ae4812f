"""Where the money views are: :mod:`devocare.atlas` (they need the allocation engine, a layer above this
package). Importing this module says so."""

from devocare.architecture import InAtlasError

raise InAtlasError(
    "devocare.architecture.money_flows: use devocare.atlas.money "
    "(the money views need the allocation engine, a layer above devocare.architecture)"
)
