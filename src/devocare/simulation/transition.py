"""Transition costs of a reorganisation, year by year: what a reform that starts on a date costs to get
there (redundancy, reorganisation, double running) and what it saves once done.

Why a profile and not a lump: the 2012 reorganisation's costs fell over about three years as the new
bodies took over (NAO 2013) and the 2025 plan halves central headcount over three years; savings in running
costs come after. The cited parameters are ``transition.*``; this module turns them into a per-year array
the engine can charge to the body that reorganises, per draw.

Planned headcount and running-cost paths (``headcount_path`` and ``running_cost_path`` of a body: the King's
Fund's merged teams, the 2025 halving of the centre, the ACO's slimmed centre) are costed step by step, each
date with the timing of a reform starting on it: each post removed costs ``transition.redundancy_per_head``
once and saves ``transition.cost_per_head`` a year from the step on; a running-cost step saves its difference. An
architecture with such paths is costed from them instead of the lump figures ``transition.redundancy`` and
``transition.running_cost_saving`` (which estimate the same cuts), so nothing is counted twice; its
reorganisation and double-running costs still follow the reform's start date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from devocare import data
from devocare.architecture.schema import reform_start as reform_start  # the date a reform takes effect
from devocare.simulation.parameters import BASE_DATE, year_start

RUNNING_COSTS = "nhse_icb_allocations_2023_25_icb_running_cost_allowance"


def icb_running_costs() -> float:
    """ICB running-cost allowance for England, 2024/25, £bn (the base that double running applies to)."""
    df = data.load(RUNNING_COSTS)
    return float(df.loc[df["level"] == "England", "2024/25 £k"].iloc[0]) / 1e6


@dataclass(frozen=True)
class Step:
    """One dated step of a body's planned path: posts removed (negative: added) and £ a year of running cost
    removed, from ``on``."""

    body: str
    on: dt.date
    heads: float
    running_cost_gbp: float


def planned_steps(arch: Any) -> tuple[Step, ...]:
    """Every step of the bodies' ``headcount_path`` and ``running_cost_path``, from the figure before each step
    (the body's ``headcount`` or ``running_cost_gbp``, then the previous step's). A path without a starting
    figure has nothing to step from and is skipped (validation asks for one)."""
    out: list[Step] = []
    for body in getattr(arch, "bodies", []):
        for attr, base, heads in (
            ("headcount_path", "headcount", True),
            ("running_cost_path", "running_cost_gbp", False),
        ):
            path, previous = getattr(body, attr, None) or {}, getattr(body, base, None)
            if previous is None:
                continue
            for on in sorted(path):
                cut = float(previous) - float(path[on])
                out.append(Step(body.id, on, cut if heads else 0.0, 0.0 if heads else cut))
                previous = path[on]
    return tuple(out)


def step_profile(values: dict[str, Any], steps: tuple[Step, ...], years: int) -> dict[str, np.ndarray]:
    """Per-year redundancy costs and recurrent savings of planned steps, £bn (same shapes as :func:`profile`).

    Each date is costed as a reform starting on it, with :func:`profile`'s timing: its redundancies (posts
    removed on it, net of posts other bodies gain on it — a transfer is not a redundancy — times
    ``transition.redundancy_per_head``) are its one-off cost, and its saving (posts × ``transition.cost_per_head``
    plus running cost removed) recurs from it on. A date before the horizon has been paid for already."""
    per_head = np.asarray(values["transition.cost_per_head"], dtype=float) / 1e9
    redundancy = np.asarray(values["transition.redundancy_per_head"], dtype=float) / 1e9
    ones = np.ones(np.broadcast_shapes(np.shape(per_head), np.shape(redundancy)))
    costs, savings = np.zeros((*ones.shape, years)), np.zeros((*ones.shape, years))
    removed: dict[dt.date, float] = {}
    saved: dict[dt.date, Any] = {}
    for step in steps:
        removed[step.on] = removed.get(step.on, 0.0) + step.heads
        saved[step.on] = saved.get(step.on, 0.0) + step.heads * per_head + step.running_cost_gbp / 1e9
    for on in removed:
        p = profile(
            {
                "transition.redundancy": max(removed[on], 0.0) * redundancy * ones,
                "transition.reorganisation": 0.0 * ones,
                "transition.double_running": 0.0 * ones,
                "transition.years": values["transition.years"],
                "transition.running_cost_saving": saved[on] * ones,
            },
            on,
            years,
        )
        costs += p["one_off"]
        savings += p["saving"]
    return {"one_off": costs, "saving": savings}


def profile(values: dict[str, Any], start: str | int | dt.date, years: int) -> dict[str, np.ndarray]:
    """Per-year one-off costs and recurrent savings, £bn, for ``years`` financial years from 2024/25.

    ``values``: the ``transition.*`` parameters (scalars, or arrays of draws of equal length); ``start``:
    the date the reform takes effect. One-off costs (redundancy, reorganisation, double running of a share
    of a year's ICB running costs) are spread evenly over the ``transition.years`` years from
    the start year on (the new bodies pay them as they take over: old bodies close, both run side by side for a
    while), clipped to the horizon; the recurrent saving applies from the start year on. Returns arrays
    (years,) or (draws, years).
    """
    day = year_start(start)
    # index of the financial year holding the date (1 April to 31 March; may be negative or past the horizon)
    begin = day.year - (1 if day.month < 4 else 0) - BASE_DATE.year
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


def charges(values: dict[str, Any], start: dt.date | None, years: int, steps: tuple[Step, ...] = ()) -> np.ndarray:
    """Net transition charge per year, £ (one-off costs less the recurrent running-cost saving), shape
    ``(draws, years)`` for draws of the ``transition.*`` parameters (or ``(years,)`` for scalars); zero
    without a reform date or planned steps. With ``steps`` (:func:`planned_steps`) redundancy and savings are
    theirs, in place of the lump ``transition.redundancy`` and ``transition.running_cost_saving``. A step
    dated before the reform's ``start`` counts from the start: until then the architecture it replaces runs,
    and the reform has no budget to pay or receive it."""
    n = np.shape(np.asarray(values["transition.redundancy"]))
    out = np.zeros((*n, years))
    if steps and start is not None:
        steps = tuple(replace(s, on=max(s.on, start)) for s in steps)
    if steps:
        values = {**values, "transition.redundancy": np.zeros(n), "transition.running_cost_saving": np.zeros(n)}
        p = step_profile(values, steps, years)
        out = out + (p["one_off"] - p["saving"]) * 1e9
    if start is not None:
        p = profile(values, start, years)
        out = out + (p["one_off"] - p["saving"]) * 1e9
    return out


def shares(grant: np.ndarray, own: np.ndarray) -> np.ndarray:
    """(years, B) share of each of the reforming architecture's budgets in its grants each year: a holder
    pays the transition charge in proportion to its grant (the bodies whose budgets it takes over pay the
    redundancy and double running); budgets of a rule set that runs the rest of England pay nothing."""
    held = grant * own[None, :]
    total = held.sum(axis=1, keepdims=True)
    return np.divide(held, total, out=np.zeros_like(held), where=total > 0)
