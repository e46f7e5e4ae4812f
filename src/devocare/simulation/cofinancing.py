"""Co-financing (Denmark; 004 §4.3.2): the local tier pays a share of the cost of each of its residents'
hospital admissions to the regional tier, and part of hospital funding is granted to the local tier so
that it can pay. The best evidence finds no effect on admissions (bibliography vrangbaek-2013), so the admissions
effect is a parameter defaulting to zero."""

from __future__ import annotations

from typing import Any


def payments(spent: Any, lines: Any, share: float) -> Any:
    """£ per (draw, budget) the local tier pays: ``share`` × residents' spend on the co-financed lines;
    ``spent`` is (draw, line, budget), ``lines`` a (line,) bool mask."""
    return share * sum(spent[:, j, :] for j in range(len(lines)) if lines[j])


def hospital_funding_to_local(allocated: Any, lines: Any, fraction: float) -> Any:
    """£ per atom of the regional tier's allocation for co-financed lines granted to the local tier instead;
    ``allocated`` is (line, atom) host NumPy."""
    return fraction * allocated[lines].sum(axis=0)


def admissions_factor(effect: float, covered: Any) -> Any:
    """Multiplier on emergency admissions: 1 + effect where co-financing applies (``covered`` in [0, 1])."""
    return 1.0 + effect * covered
