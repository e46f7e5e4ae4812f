"""My area: pick an LAD, UTLA, ICB or combined authority; see where it sits, what covers it, its money
and its outcomes (each section drawn from the library capability that computes it)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare import geography
from devocare.errors import DevocareError
from devocare.web import cache, charts, render
from devocare.web.pages import sections

router = APIRouter()

PICKABLE = [
    ("", "Any level"),
    ("lad", "Local authority district (LAD)"),
    ("utla", "Upper-tier local authority"),
    ("icb", "Integrated care board (ICB)"),
    ("ca", "Combined authority"),
]


def _choices() -> list[tuple[str, str]]:
    """Names and codes offered in the area box."""
    out: list[tuple[str, str]] = []
    for level, vintage in (("lad", 2024), ("utla", 2024), ("icb", 2024), ("icb", 2026), ("ca", 2024)):
        frame = cache.areas(level, vintage)
        suffix = f"{level.upper()}{' ' + str(vintage) if level == 'icb' else ''}"
        out += [(str(code), f"{name} ({suffix})") for code, name in zip(frame["code"], frame["name"], strict=True)]
    return out


@router.get("/area")
def my_area(
    request: Request,
    area: str = Query("", max_length=200),
    level: str = Query("", max_length=10),
    vintage: int = Query(2024, ge=2000, le=2100),
) -> Response:
    """The area page; ``area`` is a code or exact name (``/area?area=E08000003``)."""
    errors: dict[str, str] = {}
    info: dict[str, Any] | None = None
    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    if area.strip():
        try:
            if level and level not in dict(PICKABLE):
                raise DevocareError(f"unknown level {level!r}; choose lad, utla, icb or ca")
            resolved = geography.resolve(area, level=level or None, vintage=vintage if level == "icb" else None)
            info = cache.area_info(resolved.code, resolved.vintage)
        except DevocareError as exc:
            errors["area"] = str(exc)
    if info is not None:
        parents = pd.DataFrame(
            [
                {"level": lvl, "code": p["code"], "name": p["name"], "share": p["share"]}
                for lvl, items in info["parents"].items()
                for p in items
            ]
        )
        datasets["parents"] = parents
        if info["level"] in {"utla", "icb", "ca", "region", "ons_region", "sicb"}:
            lads = cache.areas("lad", info["vintage"], info["code"])
            datasets["local_authority_districts"] = lads
            context["lads"] = lads
        map_level = info["level"] if (info["level"] in cache.BOUNDARIES and info["vintage"] == 2024) else "lad"
        shown = cache.areas(map_level, 2024)
        highlight = info["code"] if map_level == info["level"] else None
        context["map"] = charts.choropleth(
            shown,
            map_level,
            "population",
            f"{info['name']} among {map_level.upper()}s: population, mid-2024",
            colorbar="people",
            link=f"/area?area={{code}}&level={map_level}",
            highlight=highlight,
        )
        datasets["map_population"] = shown
        for section in sections.area_sections(info):
            context.setdefault("sections", []).append(section)
            datasets.update(section.get("datasets", {}))
        context["parents"] = parents
    return render.page(
        request,
        "area.html",
        info["name"] if info else "My area",
        "area",
        datasets=datasets,
        form={"area": area, "level": level, "vintage": vintage},
        errors=errors,
        info=info,
        choices=_choices(),
        levels=PICKABLE,
        **context,
    )
