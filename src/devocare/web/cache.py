"""Memoised library calls for the web layer: results are pure functions of their arguments and the
embedded data, so each is computed once per process and copied on the way out."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pandas as pd

from devocare import data, geography

BOUNDARIES = {
    "lad": "lad24_england_bsc",
    "utla": "ctyua23_utla_england_bsc",
    "icb": "icb23_england_bsc",
    "sicb": "sicbl23_england_bsc",
    "ca": "cauth23_england_buc",
    "region": "nhser24_england_bsc",
    "ons_region": "rgn23_england_buc",
}
"""Shipped boundary dataset for each level (ICB boundaries are for the 2024 set of 42)."""


@lru_cache(maxsize=64)
def _areas(level: str, vintage: int, within: str | None, year: int) -> pd.DataFrame:
    return geography.areas(level, vintage=vintage, within=within, year=year)


def areas(level: str, vintage: int = 2024, within: str | None = None, year: int = 2024) -> pd.DataFrame:
    """``geography.areas`` memoised."""
    return _areas(level, vintage, within, year).copy()


@lru_cache(maxsize=512)
def _area_info(code: str, vintage: int | None) -> str:
    return json.dumps(geography.area_info(code, vintage=vintage))


def area_info(code: str, vintage: int | None = None) -> dict[str, Any]:
    """``geography.area_info`` memoised."""
    out: dict[str, Any] = json.loads(_area_info(code, vintage))
    return out


def _round(coords: Any) -> Any:
    if isinstance(coords, list):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), 4) for c in coords]
        return [_round(c) for c in coords]
    return coords


@lru_cache(maxsize=8)
def boundaries(level: str) -> dict[str, Any]:
    """GeoJSON for a level with properties slimmed to code and name and coordinates to 4 decimals (~10 m)."""
    geography.check_level(level)
    if level not in BOUNDARIES:
        from devocare.errors import UnknownChoiceError

        raise UnknownChoiceError("boundary level", level, sorted(BOUNDARIES))
    raw = data.load_geojson(BOUNDARIES[level])
    features = []
    for f in raw["features"]:
        props = f["properties"]
        code = next(v for k, v in props.items() if k.upper().endswith("CD"))
        name = next((v for k, v in props.items() if k.upper().endswith("NM")), code)
        geom = {"type": f["geometry"]["type"], "coordinates": _round(f["geometry"]["coordinates"])}
        features.append({"type": "Feature", "id": code, "properties": {"code": code, "name": name}, "geometry": geom})
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=32)
def _builtin_metrics(arch_id: str) -> str:
    from devocare import architecture, atlas

    return json.dumps(atlas.metrics(architecture.load(arch_id)), default=str)


def builtin_metrics(arch_id: str) -> dict[str, Any]:
    """``atlas.metrics`` of a built-in architecture, memoised (built-ins do not change while serving)."""
    out: dict[str, Any] = json.loads(_builtin_metrics(arch_id))
    return out


@lru_cache(maxsize=16)
def _builtin_metrics_table(ids: tuple[str, ...]) -> pd.DataFrame:
    from devocare import atlas

    return atlas.metrics_table(list(ids))


def builtin_metrics_table(ids: list[str]) -> pd.DataFrame:
    """``atlas.metrics_table`` of built-in architectures, memoised."""
    return _builtin_metrics_table(tuple(ids)).copy()


@lru_cache(maxsize=8)
def _outcome_status(level: str, vintage: int) -> pd.DataFrame:
    from devocare.outcomes.status import status

    return status(level, vintage=vintage)


def outcome_status(level: str, vintage: int = 2024) -> pd.DataFrame:
    """``outcomes.status(level)`` memoised: every area against the outcome framework."""
    return _outcome_status(level, vintage).copy()


@lru_cache(maxsize=16)
def _place_indices(year: str, level: str) -> pd.DataFrame:
    from devocare.allocation.need import all_place_indices

    return all_place_indices(year, level)


def place_indices(year: str, level: str) -> pd.DataFrame:
    """``allocation.need.all_place_indices`` memoised: every place's need indices against its ICB."""
    return _place_indices(year, level).copy()


@lru_cache(maxsize=16)
def _money(year: str, level: str) -> pd.DataFrame:
    from devocare.allocation.money import money

    return money(year, level)


def money(year: str, level: str) -> pd.DataFrame:
    """``allocation.money`` memoised: £ by area and allocation line."""
    return _money(year, level).copy()


@lru_cache(maxsize=16)
def _coverage(arch_id: str) -> dict[str, Any]:
    from devocare import architecture
    from devocare.architecture.geo import body_coverage

    return body_coverage(architecture.load(arch_id))


def coverage(arch_id: str) -> dict[str, Any]:
    """Each body's coverage of England's LSOAs (1 = covered) in a built-in architecture, memoised."""
    return _coverage(arch_id)


def warm() -> None:
    """Fill the memoised results every visitor needs first (run once in a background thread at start-up)."""
    import logging

    try:
        from devocare import architecture
        from devocare.simulation import simulate

        ids = architecture.builtin_ids()
        builtin_metrics_table(ids)
        for arch_id in ids:
            builtin_metrics(arch_id)
        for level, vintage in (("lad", 2024), ("utla", 2024), ("icb", 2024), ("icb", 2026), ("ca", 2024)):
            areas(level, vintage)
        simulate("status-quo-2023", years=1, draws=0, waterfall=False)
    except Exception:  # warming is an optimisation: a failure here must not stop the server
        logging.getLogger("devocare.web").exception("warming the caches failed")
