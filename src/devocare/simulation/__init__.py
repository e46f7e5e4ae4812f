"""Devolution simulator: any architecture's money rules run over real areas, year by year, with
uncertainty. ``simulate()`` returns a :class:`SimulationResult`; ``compare()`` a table of summaries across
architectures, ``sweep()`` across scenarios; ``parameters()`` the cited parameter tree.

The engine (and Numba, when installed) loads on first use of a name that needs it, so reading the
parameter tree or asking a command for ``--help`` does not compile or import it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from devocare.simulation.parameters import parameters

if TYPE_CHECKING:
    from devocare.simulation.distributed import Cancelled
    from devocare.simulation.engine import FACTORS, ConservationError
    from devocare.simulation.results import SimulationResult
    from devocare.simulation.runner import compare, simulate, sweep

#: exported name → the submodule that defines it, imported when the name is first used.
_LAZY = {
    "Cancelled": "distributed",
    "FACTORS": "engine",
    "ConservationError": "engine",
    "SimulationResult": "results",
    "compare": "runner",
    "simulate": "runner",
    "sweep": "runner",
}

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
