"""Demand: need-weighted population × cost per weighted head per line, grown by demography and
non-demographic pressure.

Weighted populations (NHS England's formula, practice level, mapped to LADs by the allocation engine, with
residents aged 65+ for adult social care) give each atom's share of need per line in 2024/25; later years
grow them by population projections by age weighted by cost per head
(:mod:`devocare.simulation.population`), so ageing is in the weighted heads and the separate ageing rate is
zero from 2024/25. Cost per weighted head is the national base-year spend on the line divided by England's
weighted population for it.
"""

from __future__ import annotations

from typing import Any

from devocare.envelope import BASE_YEAR
from devocare.service_lines import REGISTRY

__all__ = ["BASE_YEAR", "GROWTH_GROUP", "NEED_BASIS", "financial_years", "growth"]

#: The need-weight column that spreads each line's national spend over areas: the service-line registry's,
#: shared with the allocation engine's block grants (each with its source or assumption label there).
NEED_BASIS: dict[str, str] = {line.id: line.need_basis for line in REGISTRY}

#: Which non-demographic growth parameter each line takes (the registry's growth group).
GROWTH_GROUP: dict[str, str] = {line.id: line.growth_group for line in REGISTRY}


def financial_years(start: str, n: int) -> list[str]:
    """``n`` financial years from ``start`` ('2024/25' → '2024/25', '2025/26', ...)."""
    first = int(start[:4])
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + n)]


def growth(xp: Any, t: int, projected_years: int, population_growth: Any, ageing: Any, non_demographic: Any) -> Any:
    """Growth of need per weighted head... beyond the projection: (draw, line) factor for year ``t``.

    ``population_growth`` and ``ageing`` are (draw,), ``non_demographic`` is (draw, line); population growth
    applies only to years after the last projected year (the projection already holds list growth).
    """
    beyond = max(0, t - (projected_years - 1))
    demographic = (1.0 + population_growth) ** beyond * (1.0 + ageing) ** t
    return demographic[:, None] * (1.0 + non_demographic) ** t
