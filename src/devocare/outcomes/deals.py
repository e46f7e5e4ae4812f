"""Devolution deal dates (a small cited table shipped with the package) and the year each area is treated from.

The shipped data hold no deal dates, so ``deals.yaml`` records them (sources in its header and in
docs/background/evaluation.md). Outcome data are calendar-year periods, so a date becomes a first treated year
by one documented rule (:func:`treated_from`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from devocare.errors import DevocareError

__all__ = ["Deal", "EVENTS", "deals", "deal_for", "treated_from"]

Event = Literal["agreement", "health"]
EVENTS: tuple[str, ...] = ("agreement", "health")


@dataclass(frozen=True)
class Deal:
    """One combined authority's deal: dates as ``YYYY-MM``."""

    code: str
    name: str
    agreement: str
    health: str | None = None
    first_member_deal: str | None = None
    note: str = ""

    def date(self, event: str) -> str:
        """The date of ``event`` (agreement or health); a clear error where the area has no such event."""
        if event not in EVENTS:
            raise DevocareError(f"unknown deal event {event!r}; choose one of {', '.join(EVENTS)}")
        value = getattr(self, event)
        if value is None:
            raise DevocareError(
                f"{self.name} has no {event} devolution date in the deal table (it has: agreement {self.agreement})"
            )
        return str(value)

    @property
    def earliest(self) -> str:
        """The earliest deal touching any current member (for keeping treated areas out of donor pools)."""
        return min(d for d in (self.agreement, self.first_member_deal) if d)


def treated_from(date: str) -> int:
    """First calendar year counted as treated: the event's own year if it falls in January–June, else the next.

    Assumption (documented in docs/background/evaluation.md): a year is treated when most of it follows the
    event. November 2014 → 2015; April 2016 → 2016.
    """
    year, month = (int(x) for x in date.split("-")[:2])
    return year if month <= 6 else year + 1


@cache
def _deals() -> tuple[Deal, ...]:
    text = resources.files("devocare.outcomes").joinpath("deals.yaml").read_text(encoding="utf-8")
    out = []
    for d in yaml.safe_load(text)["deals"]:
        fields = {str(k): str(v) for k, v in d.items() if v is not None}
        out.append(Deal(code=fields.pop("code"), name=fields.pop("name"), agreement=fields.pop("agreement"), **fields))
    return tuple(out)


def deals() -> tuple[Deal, ...]:
    """Every combined authority with a deal, in the order of the table."""
    return _deals()


def deal_for(code: str) -> Deal | None:
    """The deal for a combined authority code, or None where the area has none in the table."""
    return next((d for d in _deals() if d.code == code), None)
