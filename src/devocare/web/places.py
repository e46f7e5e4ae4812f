"""Parse the place builder's text box: one place per line, ``Place name: A81001, A81002``."""

from __future__ import annotations

import re

from devocare.errors import DevocareError

MAX_PLACES = 200


def parse_places(text: str) -> dict[str, list[str]]:
    """Place name → practice codes; errors name the line that could not be read."""
    places: dict[str, list[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if ":" not in line:
            raise DevocareError(f"line {number} ({line[:40]!r}) needs the form 'Place name: A81001, A81002'")
        name, codes = line.split(":", 1)
        name = name.strip()
        if not name:
            raise DevocareError(f"line {number} has no place name before the colon")
        if name in places:
            raise DevocareError(f"place {name!r} is named twice (line {number})")
        places[name] = [c for c in re.split(r"[\s,;]+", codes.strip()) if c]
    if not places:
        raise DevocareError("no places given: write one place per line, 'Place name: A81001, A81002'")
    if len(places) > MAX_PLACES:
        raise DevocareError(f"{len(places)} places given; at most {MAX_PLACES}")
    return places
