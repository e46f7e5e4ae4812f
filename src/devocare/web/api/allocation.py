"""Allocation API: weighted populations, need indices for places (by area level or practice lists), £."""

from __future__ import annotations

import warnings
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.api.common import Pagination, pagination
from devocare.web.frames import jsonable

router = APIRouter(prefix="/allocation", tags=["allocation"])

YEAR = Query("2025/26", max_length=7, description="Financial year, e.g. 2025/26.")


@router.get("/years", summary="Financial years shipped")
def years() -> dict[str, Any]:
    """Years with practice weighted populations, and years with published £ allocations."""
    from devocare.allocation import YEARS
    from devocare.allocation.money import MONEY_YEARS

    return {"weighted_population": list(YEARS), "money": list(MONEY_YEARS)}


@router.get("/weighted-population", summary="Registered and needs-weighted populations by area")
def weighted_population(
    request: Request,
    year: str = YEAR,
    level: str = Query("lad", max_length=20, description="Area level."),
    pages: Pagination = Depends(pagination),
) -> dict[str, Any]:
    """``devocare.allocation.weighted_population(year, level)``, paginated."""
    from devocare.allocation import weighted_population as wp

    return pages.apply(wp(year, level), request)


def _indices(
    year: str, icb: str, places: dict[str, list[str]] | None, place_level: str | None, mode: str
) -> dict[str, Any]:
    from devocare.allocation.need import need_indices

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = need_indices(year, icb, places=places, place_level=place_level, mode=mode)
    return {
        "items": jsonable(table),
        "replaced": jsonable(table.attrs.get("replaced", [])),
        "uncovered": list(table.attrs.get("uncovered", [])),
        "warnings": [str(w.message) for w in caught],
    }


@router.get("/need-indices", summary="Need indices of the places inside one ICB")
def need_indices(
    year: str = YEAR,
    icb: str = Query(..., max_length=60, description="ICB code or name."),
    place_level: str = Query("lad", max_length=10, description="lad, utla, ca, sicb or pcn."),
    mode: Literal["exact", "nhse-tool"] = "exact",
) -> dict[str, Any]:
    """One row for the ICB (against England) and one per place (against the ICB)."""
    return _indices(year, icb, None, place_level, mode)


class _Places(BaseModel):
    """Places made of GP practices inside one ICB."""

    model_config = ConfigDict(extra="forbid")
    year: str = Field("2025/26", max_length=7)
    icb: str = Field(max_length=60)
    places: dict[str, list[str]] = Field(min_length=1, max_length=200, description="Place name → practice codes.")


class PlacesRequest(_Places):
    """Places made of GP practices inside one ICB, and how to read blank published values."""

    mode: Literal["exact", "nhse-tool"] = "exact"


class PlaceMoneyRequest(_Places):
    """Places made of GP practices inside one ICB, and optionally one allocation line."""

    line: str | None = Field(None, max_length=30, description="Only this allocation line.")


@router.post("/need-indices", summary="Need indices of your own places (lists of practices)")
def need_indices_for_places(body: PlacesRequest) -> dict[str, Any]:
    """Like the GET form, with places given as practice lists (validated: unknown, outside or repeated
    practices are 400 errors naming them)."""
    return _indices(body.year, body.icb, body.places, None, body.mode)


@router.get("/money", summary="£ by area and allocation line")
def money(
    request: Request,
    year: str = YEAR,
    level: str = Query("lad", max_length=20),
    line: str | None = Query(None, max_length=30, description="Only this allocation line."),
    pages: Pagination = Depends(pagination),
) -> dict[str, Any]:
    """NHS England's published ICB lines split by need down to areas (sums to the published totals)."""
    from devocare.allocation.money import money as area_money

    return pages.apply(area_money(year, level, [line] if line else None), request)


def _place_money(
    year: str, icb: str, places: dict[str, list[str]] | None, place_level: str | None, line: str | None
) -> dict[str, Any]:
    from devocare.allocation.money import place_money

    table = place_money(year, icb, places=places, place_level=place_level, lines=[line] if line else None)
    return {"items": jsonable(table), "uncovered": list(table.attrs["uncovered"])}


@router.get("/place-money", summary="£ by place inside one ICB and allocation line")
def place_money(
    year: str = YEAR,
    icb: str = Query(..., max_length=60, description="ICB code or name."),
    place_level: str = Query("lad", max_length=10, description="lad, utla, ca, sicb or pcn."),
    line: str | None = Query(None, max_length=30, description="Only this allocation line."),
) -> dict[str, Any]:
    """The ICB's published lines split to practices by need and summed over each place (to the penny)."""
    return _place_money(year, icb, None, place_level, line)


@router.post("/place-money", summary="£ by line for your own places (lists of practices)")
def place_money_for_places(body: PlaceMoneyRequest) -> dict[str, Any]:
    """Like the GET form, with places given as practice lists (validated as for need indices)."""
    return _place_money(body.year, body.icb, body.places, None, body.line)
