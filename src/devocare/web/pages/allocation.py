"""Allocation: a place builder like NHS England's place-based tool (places by local authority, sub-ICB,
PCN or a list of practices), with need indices, the £ each place's practices are allocated, and downloads."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare.errors import DevocareError
from devocare.web import charts, render
from devocare.web.places import parse_places

router = APIRouter()

BUILD = [
    ("lad", "Local authority districts"),
    ("utla", "Upper-tier local authorities"),
    ("ca", "Combined authorities"),
    ("sicb", "Sub-ICB locations"),
    ("pcn", "Primary care networks (2022/23)"),
    ("practices", "My own places, from GP practice codes"),
]
MAP_LEVELS = {"lad", "utla", "ca", "sicb"}
INDEX_COLUMNS = [
    "index_core_overall",
    "index_general_acute",
    "index_community",
    "index_mental_health",
    "index_maternity",
    "index_prescribing",
    "index_health_inequalities",
    "index_primary_medical_care_final",
]


@router.get("/allocation")
def allocation_page(
    request: Request,
    year: str = Query("2025/26", max_length=7),
    icb: str = Query("", max_length=60),
    build: str = Query("lad", max_length=10),
    places: str = Query("", max_length=20_000),
    mode: str = Query("exact", max_length=10),
) -> Response:
    """The place builder (``/allocation?year=2025/26&icb=QOP&build=lad``)."""
    from devocare.allocation import YEARS
    from devocare.allocation.money import MONEY_YEARS, place_money
    from devocare.allocation.need import MODES, need_indices, place_practices
    from devocare.allocation.practices import icbs

    errors: dict[str, str] = {}
    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    if year not in YEARS:
        errors["year"] = f"unknown year {year!r}; choose one of {', '.join(YEARS)}"
        year = "2025/26"
    icb_list = icbs(year)
    icb = icb or ("QOP" if "QOP" in set(icb_list["icb_code"]) else str(icb_list["icb_code"].iloc[0]))
    if build not in dict(BUILD):
        errors["build"] = f"unknown way to build places {build!r}; choose one of {', '.join(dict(BUILD))}"
    if mode not in MODES:
        errors["mode"] = f"unknown mode {mode!r}; choose one of {', '.join(MODES)}"
    parsed = None
    if build == "practices" and not errors:
        try:
            parsed = parse_places(places)
        except DevocareError as exc:
            errors["places"] = str(exc)
    if not errors:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                table = need_indices(year, icb, places=parsed, place_level=None if parsed else build, mode=mode)
            context["warnings"] = [str(w.message) for w in caught]
            context["uncovered"] = table.attrs.get("uncovered", [])
            datasets["need_indices"] = table
            context["indices"] = table
            icb_code = str(table["icb_code"].iloc[0])
            place_rows = table[table["kind"] == "place"]
            context["index_chart"] = charts.bars(
                place_rows.assign(place=place_rows["place"].astype(str)),
                "place",
                "index_core_overall",
                f"Core need index of each place relative to {table['icb_name'].iloc[0]}",
                horizontal=True,
                ytitle="index (ICB = 1)",
            )
            if build in MAP_LEVELS:
                context["map"] = charts.choropleth(
                    place_rows.rename(columns={"place_code": "code", "place": "name"}),
                    build,
                    "index_core_overall",
                    "Core need index by place (ICB = 1)",
                    colorbar="index",
                )
            place_level = None if parsed else build
            datasets["practices_in_places"] = place_practices(year, icb_code, parsed, place_level)
            if year in MONEY_YEARS:
                gbp = place_money(year, icb_code, parsed, place_level)
                datasets["allocation_gbp"] = gbp
                wide = gbp.pivot_table(
                    index=["place_code", "place"], columns="line", values="gbp", aggfunc="sum"
                ).reset_index()
                context["money"] = wide
                context["money_lines"] = [c for c in wide.columns if c not in {"place_code", "place"}]
                context["money_chart"] = charts.bars(
                    gbp,
                    "place",
                    "gbp",
                    "£ allocated to each place's practices by allocation line",
                    color="line",
                    horizontal=True,
                    ytitle="£",
                )
            else:
                context["money_note"] = (
                    f"NHS England publishes ICB £ allocations for {', '.join(MONEY_YEARS)}; "
                    f"{year} has need indices only."
                )
        except DevocareError as exc:
            errors["places" if build == "practices" else "icb"] = str(exc)
    return render.page(
        request,
        "allocation.html",
        "Allocation: place builder",
        "allocation",
        datasets=datasets,
        form={"year": year, "icb": icb, "build": build, "places": places, "mode": mode},
        errors=errors,
        years=[(y, y) for y in YEARS],
        icbs=[(r.icb_code, f"{r.icb_name} ({r.icb_code})") for r in icb_list.itertuples()],
        builds=BUILD,
        modes=[(m, m) for m in MODES],
        index_columns=INDEX_COLUMNS,
        **context,
    )
