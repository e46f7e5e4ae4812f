"""Sections of the My area page contributed by each library capability that has landed.

Each function returns a list of sections (title, intro, tables, charts, datasets) computed by the library;
a capability that is not installed contributes nothing (the page never shows numbers it did not compute).
"""

from __future__ import annotations

from typing import Any


def area_sections(info: dict[str, Any]) -> list[dict[str, Any]]:
    """All sections for one area, in page order."""
    out: list[dict[str, Any]] = []
    return out
