"""An independent, plain vectorised NumPy model of the status quo, for the benchmark's baseline.

Written without the engine's code (only its input data): every year, each atom's need on each service line
grows with its weighted heads and a demand shock per LAD; each budget's need is the segment sum of its
atoms' need on its lines; its grant grows with the envelope from the base year's need; it spends
``min(need, grant + reserves)`` and carries the rest; its spend is shared back to atoms in proportion to
need. That is the work any implementation of the status quo must do per atom, line, year and draw, so the
engine's time over this one's says what the engine's extra mechanics and overheads cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layout:
    """Atoms sorted by budget for segment sums: ``order`` permutes atoms, ``starts`` opens each budget."""

    order: np.ndarray  # (atoms,) atom indices grouped by budget
    starts: np.ndarray  # (budgets,) first position of each budget in ``order``
    budget_of: np.ndarray  # (atoms,) budget of each atom (in ``order``'s positions)
    lines: np.ndarray  # (budgets, lines) bool: the lines each budget pays for


def layout(atom_budget: np.ndarray, budget_lines: np.ndarray) -> Layout:
    """The segment layout of atoms whose budget is ``atom_budget`` (every budget has at least one atom)."""
    order = np.argsort(atom_budget, kind="stable")
    sorted_budget = atom_budget[order]
    starts = np.flatnonzero(np.r_[True, sorted_budget[1:] != sorted_budget[:-1]])
    return Layout(order, starts, sorted_budget, budget_lines)


def run(
    heads: np.ndarray, atom_lad: np.ndarray, shocks: np.ndarray, lay: Layout, growth: float = 0.02
) -> dict[str, np.ndarray]:
    """Spend per (draw, year, budget) and national spend per (draw, year, line).

    ``heads`` is (years, atoms, lines) need in £ at base-year prices; ``shocks`` (draws, years, lads)."""
    Y, _, L = heads.shape
    D = shocks.shape[0]
    h = heads[:, lay.order, :]  # atoms grouped by budget, once
    lad = atom_lad[lay.order]
    B = len(lay.starts)
    mask = lay.lines.astype(np.float64)  # (B, L)
    base_need = np.add.reduceat(h[0], lay.starts, axis=0) * mask  # (B, L)
    reserves = np.zeros((D, B))
    spent = np.empty((D, Y, B))
    national = np.empty((D, Y, L))
    need = np.empty((D, h.shape[1], L))
    for t in range(Y):
        np.multiply(h[t][None, :, :], (1.0 + shocks[:, t, lad])[:, :, None], out=need)  # (D, A, L)
        budget_need = np.add.reduceat(need, lay.starts, axis=1)  # (D, B, L)
        budget_need *= mask
        total_need = budget_need.sum(axis=2)  # (D, B)
        grant = base_need.sum(axis=1) * (1.0 + growth) ** t  # (B,)
        spend = np.minimum(total_need, grant + reserves)
        reserves = grant + reserves - spend
        spent[:, t, :] = spend
        share = np.divide(spend, total_need, out=np.zeros_like(spend), where=total_need > 0)  # (D, B)
        atom_scale = share[:, lay.budget_of]  # (D, A) gather back to atoms
        national[:, t, :] = np.einsum("dal,da->dl", need, atom_scale, optimize=False)
    return {"spent": spent, "national": national}
