"""Transition costs of a reorganisation, year by year: what a reform that starts on a date costs to get
there (redundancy, reorganisation, double running) and what it saves once done.

Why a profile and not a lump: the 2012 reorganisation's costs fell over about three years as the new
bodies took over (NAO 2013) and the 2025 plan halves central headcount over three years; savings in running
costs come after. The cited parameters are ``transition.*``; this module turns them into a per-year array
the engine can charge to the body that reorganises, per draw.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from devocare import data
from devocare.simulation.parameters import BASE_DATE, year_start

RUNNING_COSTS = "nhse_icb_allocations_2023_25_icb_running_cost_allowance"


def icb_running_costs() -> float:
    """ICB running-cost allowance for England, 2024/25, £bn (the base that double running applies to)."""
    df = data.load(RUNNING_COSTS)
    return float(df.loc[df["level"] == "England", "2024/25 £k"].iloc[0]) / 1e6


def profile(values: dict[str, Any], start: str | int | dt.date, years: int) -> dict[str, np.ndarray]:
    """Per-year one-off costs and recurrent savings, £bn, for ``years`` financial years from 2024/25.

    ``values``: the ``transition.*`` parameters (scalars, or arrays of draws of equal length); ``start``:
    the date the reform takes effect. One-off costs (redundancy, reorganisation, double running of a share
    of a year's ICB running costs) are spread evenly over the ``transition.years`` years from
    the start year on (the new bodies pay them as they take over: old bodies close, both run side by side for a
    while), clipped to the horizon; the recurrent saving applies from the start year on. Returns arrays
    (years,) or (draws, years).
    """
    first = BASE_DATE.year
    begin = year_start(start).year - first  # index of the start year (may be negative or past the horizon)
    n = int(round(float(np.max(values["transition.years"]))))
    one_off = (
        np.asarray(values["transition.redundancy"], dtype=float)
        + np.asarray(values["transition.reorganisation"], dtype=float)
        + np.asarray(values["transition.double_running"], dtype=float) * icb_running_costs()
    )
    saving = np.asarray(values["transition.running_cost_saving"], dtype=float)
    t = np.arange(years)
    paying = ((t >= max(begin, 0)) & (t < begin + n)).astype(float)
    shape = (*np.shape(one_off), years)
    costs = np.broadcast_to(np.asarray(one_off)[..., None] / n * paying, shape).copy()
    savings = np.broadcast_to(np.asarray(saving)[..., None] * (t >= begin).astype(float), shape).copy()
    return {"one_off": costs, "saving": savings}


def reform_start(arch: Any) -> dt.date | None:
    """The date a reform takes effect: the first start of a body after the base date (new bodies are what
    a reorganisation creates), or ``None`` for an architecture that creates none (the status quo)."""
    starts = [b.start for b in getattr(arch, "bodies", []) if b.start is not None and b.start > BASE_DATE]
    return min(starts) if starts else None


def charges(values: dict[str, Any], start: dt.date | None, years: int) -> np.ndarray:
    """Net transition charge per year, £ (one-off costs less the recurrent running-cost saving), shape
    ``(draws, years)`` for draws of the ``transition.*`` parameters (or ``(years,)`` for scalars); zero
    without a reform date."""
    n = np.shape(np.asarray(values["transition.redundancy"]))
    if start is None:
        return np.zeros((*n, years))
    p = profile(values, start, years)
    return (p["one_off"] - p["saving"]) * 1e9


def shares(grant: np.ndarray, own: np.ndarray) -> np.ndarray:
    """(years, B) share of each of the reforming architecture's budgets in its grants each year: a holder
    pays the transition charge in proportion to its grant (the bodies whose budgets it takes over pay the
    redundancy and double running); budgets of a rule set that runs the rest of England pay nothing."""
    held = grant * own[None, :]
    total = held.sum(axis=1, keepdims=True)
    return np.divide(held, total, out=np.zeros_like(held), where=total > 0)
