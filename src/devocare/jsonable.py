"""Plain JSON values from results, shared by every output edge (CLI and web): numpy scalars become Python
scalars, NaN, infinities and pandas' missing values become null."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def plain(value: Any) -> Any:
    """``value`` with dict keys as strings, tuples as lists, numpy scalars as Python ones, non-finite as None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value
