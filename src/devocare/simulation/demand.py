"""Demand: need-weighted population × cost per weighted head per line, grown by demography and
non-demographic pressure.

Weighted populations (NHS England's formula, practice level, mapped to LADs by the allocation engine) give
each atom's share of need per line for 2024/25–2028/29; after 2028/29 the registered population grows at a
documented rate. The practice files normalise weighted populations to list size, so ageing (more need per
head) is added as its own growth rate. Cost per weighted head is the national base-year spend on the line
divided by England's weighted population for it.
"""

from __future__ import annotations

from typing import Any

from devocare.service_lines import LINE_IDS

BASE_YEAR = "2024/25"

#: The weighted-population column that spreads each line's national spend over areas. Lines without an
#: NHS formula component use the nearest one (labelled assumption in docs/background/simulation-model.md).
NEED_BASIS: dict[str, str] = {
    "specialised": "wp_general_acute",  # assumption: specialised allocations follow acute need
    "acute_elective": "wp_general_acute",
    "acute_non_elective": "wp_general_acute",
    "mental_health": "wp_mental_health",
    "community_health": "wp_community",
    "primary_medical": "wp_primary_medical_care_final",
    "prescribing": "wp_prescribing",
    "adult_social_care": "wp_community",  # assumption: the community formula is the most age-weighted
    "public_health": "wp_health_inequalities",  # assumption: the public health grant follows premature mortality
    "wider_determinants": "population",  # assumption: spread per head
}

#: Which non-demographic growth parameter each line takes.
GROWTH_GROUP: dict[str, str] = {line: "nhs" for line in LINE_IDS} | {
    "adult_social_care": "adult_social_care",
    "public_health": "local_services",
    "wider_determinants": "local_services",
}


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


def need_cost(xp: Any, cost_per_head: Any, weighted_heads: Any, growth_factor: Any, shock: Any) -> Any:
    """£ need per (draw, atom, line): cost per weighted head (draw, line) × weighted heads (atom, line)
    × growth (draw, line) × area demand shock (draw, atom)."""
    return (cost_per_head * growth_factor)[:, None, :] * weighted_heads[None, :, :] * shock[:, :, None]
