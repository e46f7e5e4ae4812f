"""Each area against each target of the slimmed national outcome framework (``framework.yaml``).

A target is a published national value (e.g. 75% of cancers diagnosed at stage 1 or 2), the England value
for the same period (the Fingertips convention) or the median of all areas (the Oflog convention). Where
the area's published 95% confidence interval is available, "meets"/"misses" is only called when the interval
excludes the target; otherwise the interval "overlaps" it. Without an interval, the point value decides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.outcomes.aggregate import at_level, source_level
from devocare.outcomes.catalogue import indicator, published_levels, select_period
from devocare.outcomes.framework import framework

__all__ = ["status", "STATUS_COLUMNS"]

STATUS_COLUMNS = [
    "code",
    "name",
    "indicator",
    "period",
    "value",
    "lci",
    "uci",
    "target",
    "target_kind",
    "status",
    "approximate",
]


def _target(indicator_id: str, kind: str, value: float | None, label: str, rows: pd.DataFrame) -> float:
    if kind == "absolute":
        return float(value)  # type: ignore[arg-type]
    if kind == "england":
        if "england" in published_levels(indicator_id):
            eng = at_level(indicator_id, "england", label)
            if len(eng):
                return float(eng["value"].iloc[0])
        return float("nan")
    return float(rows["value"].median())


def status(level: str = "utla", period: str | int = "latest", vintage: int = 2024) -> pd.DataFrame:
    """One row per area and framework indicator: value, target, and meets / misses / overlaps / no target.

    Indicators that cannot be shown at ``level`` are left out; the frame's ``attrs['skipped']`` names them.
    """
    frames, skipped = [], []
    for item in framework().outcome_framework:
        ind = indicator(item.indicator)
        try:
            src = source_level(ind.id, level)
            label = select_period(ind.id, period, src)
        except DevocareError as exc:
            skipped.append(f"{ind.id}: {exc}")
            continue
        rows = at_level(ind.id, level, label, vintage).dropna(subset=["value"])
        target = _target(ind.id, item.target.kind, item.target.value, label, rows)
        v, lo, hi = rows["value"].to_numpy(), rows["lci"].to_numpy(), rows["uci"].to_numpy()
        higher = v >= target if ind.polarity != "lower_is_better" else v <= target
        has_ci = ~np.isnan(lo) & ~np.isnan(hi)
        overlaps = has_ci & (lo <= target) & (hi >= target)
        state = np.where(
            np.isnan(target), "no target", np.where(overlaps, "overlaps", np.where(higher, "meets", "misses"))
        )
        frames.append(
            rows.assign(indicator=ind.id, period=label, target=target, target_kind=item.target.kind, status=state)
        )
    if not frames:
        raise DevocareError(f"no framework indicator can be shown at level {level!r}")
    out = pd.concat(frames, ignore_index=True)[STATUS_COLUMNS]
    out.attrs["skipped"] = skipped
    return out
