"""Devolution simulator: any architecture's money rules run over real areas, year by year, with
uncertainty. ``simulate()`` returns a :class:`SimulationResult`; ``compare()`` a table of summaries across
architectures, ``sweep()`` across scenarios; ``parameters()`` the cited parameter tree."""

from devocare.simulation.distributed import Cancelled
from devocare.simulation.engine import FACTORS, ConservationError
from devocare.simulation.parameters import parameters
from devocare.simulation.results import SimulationResult
from devocare.simulation.runner import compare, simulate, sweep

__all__ = [
    "FACTORS",
    "Cancelled",
    "ConservationError",
    "SimulationResult",
    "compare",
    "parameters",
    "simulate",
    "sweep",
]
