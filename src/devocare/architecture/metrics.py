"""Where the money views are: :mod:`devocare.atlas` (they need the allocation engine, a layer above this
package). Importing this module says so."""

from devocare.architecture import InAtlasError

raise InAtlasError(
    "devocare.architecture.metrics: use devocare.atlas.metrics "
    "(the money views need the allocation engine, a layer above devocare.architecture)"
)
