"""Area profile: one area on every outcome indicator against England and the spread of areas (a spine chart)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare import geography
from devocare.errors import DevocareError
from devocare.web import cache, charts, render

router = APIRouter()

LEVELS = [
    ("", "The area's own level"),
    ("lad", "Local authority districts"),
    ("utla", "Upper-tier local authorities"),
    ("icb", "ICBs (2024)"),
    ("ca", "Combined authorities"),
    ("region", "NHS regions"),
]


def _choices() -> list[tuple[str, str]]:
    """One option per area code, its name and the levels it is at (a unitary authority is LAD and UTLA)."""
    names: dict[str, str] = {}
    levels: dict[str, list[str]] = {}
    for level in ("lad", "utla", "icb", "ca", "region"):
        frame = cache.areas(level, 2024)
        for code, name in zip(frame["code"], frame["name"], strict=True):
            names.setdefault(str(code), str(name))
            levels.setdefault(str(code), []).append(level.upper())
    return [(code, f"{names[code]} ({', '.join(levels[code])})") for code in names]


@router.get("/outcomes/profile")
def profile_page(
    request: Request, area: str = Query("", max_length=200), level: str = Query("", max_length=10)
) -> Response:
    """``/outcomes/profile?area=Salford``: every indicator for one area, coloured better/similar/worse."""
    from devocare.outcomes.benchmark import CATEGORIES, area_profile, format_value, spine_positions
    from devocare.outcomes.definitions import LEVEL_LABELS

    errors: dict[str, str] = {}
    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    if level not in dict(LEVELS):
        errors["level"] = f"unknown level {level!r}; choose lad, utla, icb, ca or region"
    elif area.strip():
        try:
            resolved = geography.resolve(area, level=level or None, vintage=2024 if level == "icb" else None)
            if resolved.level == "icb" and resolved.vintage != 2024:
                raise DevocareError("outcome profiles use the 2024 ICBs; choose a 2024 ICB code")
            prof = area_profile(resolved.code, resolved.level)
            pos = spine_positions(prof)
            counts = prof["comparison"].value_counts()
            context.update(
                area_name=str(prof["name"].iloc[0]) or resolved.code,
                code=resolved.code,
                level_used=resolved.level,
                level_label=LEVEL_LABELS.get(resolved.level, resolved.level),
                rows=prof.to_dict(orient="records"),
                counts=[(k, CATEGORIES[k][0], int(counts[k])) for k in CATEGORIES if k in counts],
                spine=charts.spine(
                    pos,
                    prof,
                    f"{prof['name'].iloc[0]} against England and all {int(prof['n_areas'].max())} areas of its level",
                    CATEGORIES,
                ),
            )
            datasets["profile"] = prof
        except DevocareError as exc:
            errors["area"] = str(exc)
    return render.page(
        request,
        "outcomes_profile.html",
        f"{context['area_name']}: outcome profile" if "area_name" in context else "Area profile",
        "outcomes",
        datasets=datasets,
        errors=errors,
        status_code=400 if errors else 200,
        form={"area": area, "level": level},
        choices=_choices(),
        levels=LEVELS,
        num=format_value,
        categories=CATEGORIES,
        **context,
    )
