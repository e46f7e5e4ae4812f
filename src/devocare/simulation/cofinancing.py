"""Co-financing (Denmark; reform-2024 §4.3.2): the local tier pays a share of the cost of each of its residents'
hospital admissions to the regional tier, and part of hospital funding is granted to the local tier so
that it can pay. Denmark capped the payment per admission (about DKK 15,000 in the flat model), so a
costly admission does not cost the municipality more than the cap; the model prices every emergency
admission at the same unit cost, so the cap makes the share paid on emergency admissions
min(share, cap ÷ unit cost). The best evidence finds no effect on admissions (bibliography
vrangbaek-2013), so the admissions effect is a parameter defaulting to zero, and it is co-financing's only
effect on admissions: the payer's share of hospital cost does not drive the left shift
(:mod:`devocare.simulation.rules`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from devocare.service_lines import index

NE = index("acute_non_elective")


def line_shares(xp: Any, lines: Any, share: float, cap: Any, unit_cost: Any) -> Any:
    """(draw, line) share of residents' spend the payer pays on each line: ``share`` on the co-financed
    ``lines`` (a (line,) bool mask), capped on emergency admissions at ``cap`` £ per admission of
    ``unit_cost`` £ (both (draw, 1)); zero elsewhere."""
    mask = np.asarray(lines, dtype=float)
    capped = xp.minimum(share, cap / unit_cost)  # (D, 1)
    is_ne = np.arange(len(mask)) == NE
    other = np.where(is_ne, 0.0, mask * share)
    ne = np.where(is_ne, mask, 0.0)
    return xp.asarray(other)[None, :] + capped * xp.asarray(ne)[None, :]


def payments(spent: Any, shares: Any) -> Any:
    """£ per (draw, budget) the local tier pays: Σ over lines of the line's share × residents' spend on it;
    ``spent`` is (draw, line, budget), ``shares`` (draw, line) from :func:`line_shares`."""
    return sum(spent[:, j, :] * shares[:, j : j + 1] for j in range(spent.shape[1]))


def hospital_funding_to_local(allocated: Any, lines: Any, fraction: float) -> Any:
    """£ per atom of the regional tier's allocation for co-financed lines granted to the local tier instead;
    ``allocated`` is (line, atom) host NumPy."""
    return fraction * allocated[lines].sum(axis=0)


def admissions_factor(effect: float, covered: Any) -> Any:
    """Multiplier on emergency admissions: 1 + effect where co-financing applies (``covered`` in [0, 1])."""
    return 1.0 + effect * covered
