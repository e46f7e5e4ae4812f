"""Architecture as code: England's health and care systems as validated data, with metrics, diffs and views.

``load(id_or_path)`` returns a fully validated :class:`Architecture` (``extends:`` resolved) or raises
:class:`ArchitectureError` listing every problem; ``builtin_ids()`` lists the eight built-ins.
"""

from devocare.architecture.loader import builtin_ids, load, load_raw, load_text
from devocare.architecture.problems import ArchitectureError, Problem
from devocare.architecture.schema import Architecture

__all__ = ["Architecture", "ArchitectureError", "Problem", "builtin_ids", "load", "load_raw", "load_text"]
