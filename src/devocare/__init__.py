"""devocare: England's health and care system as executable structure.

Layers, each a subpackage: ``data`` (embedded official data) → ``geography`` → ``architecture``
→ ``allocation`` → ``atlas`` (an architecture's views with its money) → ``simulation`` → ``outcomes``
→ interfaces (``cli``, ``web``, ``reports``).

Subpackages load on first use (``import devocare as dc; dc.geography.areas(...)``), so importing the package
costs nothing and the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from devocare._version import __version__

#: What ``from devocare import *`` gives: the subpackages a core install (no extras) can import.
__all__ = [
    "__version__",
    "allocation",
    "architecture",
    "atlas",
    "data",
    "errors",
    "extras",
    "geography",
    "outcomes",
    "paths",
    "service_lines",
    "simulation",
]

#: Every public subpackage and module, loaded on first attribute access; ``reports`` needs the ``charts``
#: extra, ``storage`` and ``web`` the ``web`` extra.
SUBMODULES = frozenset(__all__[1:]) | {"cli", "reports", "storage", "web"}


def __getattr__(name: str) -> Any:
    """Import a subpackage the first time it is named (``dc.geography``), not when ``devocare`` is."""
    if name in SUBMODULES:
        return importlib.import_module(f"devocare.{name}")
    raise AttributeError(f"module 'devocare' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *SUBMODULES})
