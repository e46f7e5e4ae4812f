"""One intervention trigger for every architecture and every budget holder.

Why one rule: intervention counts are compared across architectures, so a body must be flagged for the same
reason wherever it sits. A body needs intervention when its deficit goes beyond a stated share of its
allocation (in the year, before anyone meets it, or accumulated in its reserves), or when it breaches a
minimum service level for a stated number of consecutive years. The status quo registers it too: an NHS
body whose overspend the centre meets still ran the deficit. A small negative reserve does not trigger.
"""

from __future__ import annotations

from typing import Any

#: Parameter paths of the trigger (labelled assumptions in ``parameters.yaml``).
DEFICIT_SHARE = "intervention.deficit_share"
FLOOR_YEARS = "intervention.floor_years"


def deficit_trigger(xp: Any, surplus: Any, reserves: Any, allocation: Any, share: float) -> Any:
    """True where the in-year deficit (before reserves or deficit support) or the accumulated negative
    reserve is more than ``share`` of the budget's allocation."""
    limit = share * xp.abs(allocation)
    return (-surplus > limit) | (-reserves > limit)


def breach_streak(xp: Any, previous: Any, breached: Any) -> Any:
    """Consecutive years a floor has been breached, this year included (0 where it is not breached now)."""
    return xp.where(breached, previous + 1.0, 0.0)


def floor_trigger(streak: Any, years: int) -> Any:
    """True where a floor has been breached for at least ``years`` consecutive years."""
    return streak >= years
