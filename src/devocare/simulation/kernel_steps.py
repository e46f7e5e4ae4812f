"""The year's steps on NumPy through the fused kernels of :mod:`fused_budgets`: what each step of
:mod:`devocare.simulation.steps` hands its kernel and takes back. The steps call these where the block runs
the kernels (``Block.fused_budgets``); the arithmetic, and so every bit of the results, is the step's own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from devocare.simulation import behaviour, fused_budgets, intervention
from devocare.simulation.backend import year_buffer
from devocare.simulation.state import Block, Carried, Flows


def factors(b: Block, c: Carried, f: Flows) -> np.ndarray:
    """(3, D, L, runs) efficiency factor, cut factor and their product (:func:`fused_budgets.run_factors`)."""
    ramp = float(b.fixed["behaviour.efficiency_ramp_years"])
    saving = b.p["behaviour.efficiency_saving"]
    savings = _host_rows(*(behaviour.efficiency(saving, ramp, max(f.t - since, 0)) for since, _ in b.eff_clocks))
    where = _rows_of(b, *(runs for _, runs in b.eff_clocks))
    spread = b.runs.spread(c.cut, b.rules.holds).reshape(b.D, -1)
    out = year_buffer("factors", (3, *spread.shape), f.t)
    fused_budgets.run_factors(spread, savings, where, out)
    return out.reshape(3, b.D, b.L, -1)


def spend_and_unmet(b: Block, year: Any, factors: np.ndarray, t: int) -> np.ndarray:
    """(2, D, L, runs) run-level spend and unmet need (:func:`fused_budgets.spend_and_unmet`)."""
    need = np.ascontiguousarray(year.demand_lr)
    row_of = np.full(b.L, -1, dtype=np.int64)
    row_of[list(year.rows_lr)] = np.arange(len(year.rows_lr))
    rows = np.stack(list(year.rows_lr.values())) if year.rows_lr else np.zeros((1, *need[:, 0].shape))
    out = year_buffer("spend", (2, *need.shape), t)
    fused_budgets.spend_and_unmet(need, factors, row_of, rows, out)
    return out


def reinvested(b: Block, c: Carried, up_need: Any, planned: Any, t: int) -> np.ndarray:
    """(3, D, B) money spent beyond need, the part drawn from reserves, and its rate per £ of upstream need
    (:func:`fused_budgets.reinvest_year`)."""
    money = year_buffer("money", (3, b.D, b.B), t)
    share = _rows_of(b, b.col["behaviour.reinvest_share"])[0]
    fused_budgets.reinvest_year(_host(up_need, b), _host(c.reserves, b), share, _host(planned, b), money)
    return money


def balance(b: Block, c: Carried, f: Flows, paid_out: Any) -> np.ndarray:
    """(7, D, B) to reserves, returned, borne, support, reserve change, income and reserves after
    (:func:`fused_budgets.balance_year`)."""
    r = b.rules
    settled = year_buffer("settled", (7, b.D, b.B), f.t)
    fused_budgets.balance_year(
        *(_host(x, b) for x in (f.kept, f.paid, f.t_in, f.reinvest_reserves, f.spent_b, f.t_out)),
        _host(paid_out, b),
        _host(f.alloc_b, b),
        _host(c.reserves, b),
        _rows_of(b, r.support_limit, r.savings_retained, r.overspend_borne, r.corridor, r.corridor_centre_share),
        b.corridor_any,
        settled,
    )
    return settled


def plan(b: Block, c: Carried, f: Flows, paid_out: Any) -> np.ndarray:
    """(3, D, B) next year's cut and headroom, and this year's base (:func:`fused_budgets.plan_year`)."""
    r, t = b.rules, f.t + 1
    planned = year_buffer("planned", (3, b.D, b.B), f.t)
    fused_budgets.plan_year(
        *(_host(x, b) for x in (f.spent_b, f.unmet_b, f.reinvest, f.income, paid_out)),
        _host(0.0 if c.last_base is None else c.last_base, b),
        c.last_base is not None,
        _host(c.reserves, b),
        _host_rows(b.alloc[f.t], b.alloc[t]),
        _host(b.transition[:, t][:, None] * b.transition_share[t][None, :], b),
        *_rows_of(b, r.overspend_borne, r.support_limit),
        _rows_of(b, b.col["behaviour.overspend_response"])[0],
        np.ones(b.B) if b.exists is None else _host_rows(b.exists[t])[0],
        b.max_cut,
        float(b.fixed["behaviour.headroom_spend_share"]),
        planned,
    )
    return planned


def floors(b: Block, c: Carried, f: Flows) -> tuple[np.ndarray, np.ndarray]:
    """(D, B) breach streak and (4, D, B) flags: floor breached, deficit, floor, either
    (:func:`fused_budgets.floors_year`)."""
    streak, flags = year_buffer("streak", (b.D, b.B), f.t), year_buffer("flags", (4, b.D, b.B), f.t, np.bool_)
    held = b.held
    fused_budgets.floors_year(
        _host(f.spent_p, b, pairs=True),
        _host(f.demand_p, b, pairs=True),
        held.budgets,
        np.asarray(b.rules.floors, dtype=np.float64)[held.lines],
        _host(0.0 if c.breach_streak is None else c.breach_streak, b),
        f.extra["settled"],
        _host(f.alloc_b, b),
        float(b.fixed[intervention.DEFICIT_SHARE]),
        int(b.fixed[intervention.FLOOR_YEARS]),
        streak,
        flags,
    )
    return streak, flags


def conservation(b: Block, flows: tuple[Any, ...], paid_out: Any, envelope: float) -> tuple[bool, float]:
    """(every flow finite, the largest relative gap) (:func:`fused_budgets.conservation_year`)."""
    finite, worst = fused_budgets.conservation_year(*(_host(x, b) for x in flows), _host(paid_out, b), envelope)
    return bool(finite), float(worst)


def _host(x: Any, b: Block, pairs: bool = False) -> np.ndarray:
    """A (D, B) (or, with ``pairs``, (D, held pairs)) C-contiguous float64 array of ``x`` (a number or an
    array that broadcasts to it): what the kernels of :mod:`fused_budgets` read, one compiled signature."""
    shape = (b.D, len(b.held.lines) if pairs else b.B)
    x = np.asarray(x, dtype=np.float64)
    return x if x.shape == shape and x.flags.c_contiguous else np.ascontiguousarray(np.broadcast_to(x, shape))


def _rows_of(b: Block, *rows: Any) -> np.ndarray:
    """:func:`_host_rows` of arrays that stay the same from year to year (a phase's rules, a block's
    parameters), made once per block: each entry keeps its arrays alive, so an id is never reused."""
    key = tuple(map(id, rows))
    hit = b.kernel_rows.get(key)
    if hit is None or any(x is not y for x, y in zip(hit[0], rows, strict=True)):
        hit = b.kernel_rows[key] = (rows, _host_rows(*rows))
    return hit[1]


def _host_rows(*rows: Any) -> np.ndarray:
    """Per-budget (or per-draw) vectors as one C-contiguous float64 (n, length) array."""
    return np.ascontiguousarray(np.stack([np.asarray(r, dtype=np.float64).reshape(-1) for r in rows]))
