"""The documentation's screenshots are the ones ``tests/web/screenshots.py`` regenerates from the app: every
picture in ``docs/img`` has a recipe there, and every picture the README and docs show exists."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

import screenshots  # noqa: E402


def test_every_screenshot_has_a_recipe_and_every_shown_picture_exists():
    recipes = {shot.name for shot in screenshots.SHOTS}
    files = {p.stem for p in (ROOT / "docs" / "img").glob("*.png")}
    assert recipes == files
    pages = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    shown = {m for page in pages for m in re.findall(r"img/([\w-]+)\.png", page.read_text(encoding="utf-8"))}
    assert shown and shown <= recipes


def test_screenshots_are_real_pictures_of_the_app_window():
    for path in (ROOT / "docs" / "img").glob("*.png"):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        width, height = struct.unpack(">II", data[16:24])
        assert 600 <= width <= 1280 and 300 <= height <= 1200, (path.name, width, height)
