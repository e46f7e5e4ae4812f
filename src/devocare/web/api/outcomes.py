"""Outcomes API: indicator catalogue, values at any level, variation, funnel data, trends."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from devocare.web.api.common import Pagination, pagination
from devocare.web.frames import jsonable

router = APIRouter(prefix="/outcomes", tags=["outcomes"])

LEVEL = Query("utla", max_length=20, description="Area level.")
PERIOD = Query("latest", max_length=20, description="Period label or 'latest'.")


@router.get("/indicators", summary="Indicator catalogue")
def indicators() -> list[dict[str, Any]]:
    """Every indicator with unit, polarity, periods, levels and source."""
    from devocare.outcomes.catalogue import catalogue

    out: list[dict[str, Any]] = jsonable(catalogue())
    return out


@router.get("/indicators/{indicator}", summary="One indicator's definition")
def definition(indicator: str) -> dict[str, Any]:
    """Title, definition, unit, periods, polarity, levels, publisher, licence and the provenance note."""
    from devocare.outcomes.definitions import definition as compute

    out: dict[str, Any] = jsonable(compute(indicator))
    return out


@router.get("/profile", summary="One area on every indicator against England")
def profile(
    area: str = Query(..., max_length=200, description="Area code or exact name."),
    level: str | None = Query(
        None,
        max_length=10,
        description="Level to compare within (lad, utla, icb, ca, region); default: the area's own.",
    ),
) -> list[dict[str, Any]]:
    """Per indicator: latest value, 95% interval, England, better/similar/worse and the spread of areas."""
    from devocare import geography
    from devocare.outcomes.benchmark import area_profile

    resolved = geography.resolve(area, level=level or None, vintage=2024 if level == "icb" else None)
    out: list[dict[str, Any]] = jsonable(area_profile(resolved.code, resolved.level))
    return out


@router.get("/indicators/{indicator}/values", summary="Indicator values at a level")
def values(
    request: Request,
    indicator: str,
    level: str = LEVEL,
    period: str | None = Query(None, max_length=20),
    pages: Pagination = Depends(pagination),
) -> dict[str, Any]:
    """Tidy values (code, name, period, value, lci, uci, ...) at a level; all periods unless one is named."""
    from devocare.outcomes.aggregate import at_level

    return pages.apply(at_level(indicator, level, period), request)


@router.get("/indicators/{indicator}/variation", summary="Variation between areas")
def variation(indicator: str, level: str = LEVEL, period: str = PERIOD) -> dict[str, Any]:
    """Spread statistics, best and worst areas, and the share associated with deprivation."""
    from devocare.outcomes.variation import variation as compute

    out: dict[str, Any] = jsonable(compute(indicator, level, period))
    return out


@router.get("/indicators/{indicator}/funnel", summary="Funnel plot data")
def funnel(
    indicator: str, level: str = LEVEL, period: str = PERIOD, adjust: Literal["none", "additive"] = "none"
) -> dict[str, Any]:
    """Per-area precision, z-score and position against 95% and 99.8% limits, plus the limit curves."""
    from devocare.outcomes.funnel import funnel as compute

    out: dict[str, Any] = jsonable(compute(indicator, level, period, adjust=adjust))
    return out


@router.get("/indicators/{indicator}/trends", summary="Trends by area and by period")
def trends(indicator: str, level: str = LEVEL) -> dict[str, Any]:
    """Per-area slopes and change, and the spread between areas for each period."""
    from devocare.outcomes.variation import trends as compute

    per_area, per_period = compute(indicator, level)
    return {"by_area": jsonable(per_area), "by_period": jsonable(per_period)}
