"""Areas of England at every level: lists, one area's parents and children, boundaries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from devocare import geography
from devocare.errors import UnknownChoiceError
from devocare.web import cache
from devocare.web.api.common import Pagination, pagination
from devocare.web.problems import ProblemError

router = APIRouter(tags=["areas"])

LEVEL = Query("lad", description=f"Area level: {', '.join(geography.LEVELS)}.", max_length=20)
VINTAGE = Query(2024, description="ICB set: 2024 (42 ICBs) or 2026 (36 ICBs).", ge=2000, le=2100)


@router.get("/areas", summary="Areas at a level")
def list_areas(
    request: Request,
    level: str = LEVEL,
    vintage: int = VINTAGE,
    within: str | None = Query(None, max_length=200, description="Only areas overlapping this one."),
    year: int = Query(2024, ge=1991, le=2100, description="Mid-year of the population estimate."),
    pages: Pagination = Depends(pagination),
) -> dict[str, Any]:
    """Code, name, population (ONS mid-year) of every area at a level, paginated."""
    return pages.apply(cache.areas(level, vintage, within, year), request)


@router.get("/areas/{code}", summary="One area")
def show_area(
    code: str,
    vintage: int | None = Query(None, ge=2000, le=2100, description="ICB vintage when the code is ambiguous."),
) -> dict[str, Any]:
    """Name, level, parents with population shares, children counts and population of one area."""
    try:
        return cache.area_info(code, vintage)
    except UnknownChoiceError as exc:
        raise ProblemError(404, str(exc)) from exc


@router.get("/boundaries/{level}", summary="Boundaries of a level (GeoJSON)")
def boundaries(level: str) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the areas at a level (properties: code, name)."""
    return cache.boundaries(level)
