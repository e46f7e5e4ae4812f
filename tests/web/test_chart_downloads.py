"""Charts download as PNG and SVG: the buttons under a drawn chart save the chart as the browser drew it
(plotly.js, no inline script), checked by reading the downloaded files back."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def page(live_server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        pg = context.new_page()
        pg.errors = []  # type: ignore[attr-defined]
        pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))  # type: ignore[attr-defined]
        pg.on(
            "console",
            lambda msg: (
                pg.errors.append(msg.text)  # type: ignore[attr-defined]
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        pg.goto(live_server + "/compare?arch=status-quo-2023&arch=reform-aco-2024", timeout=90_000)
        pg.wait_for_selector(".dc-chart__downloads:not([hidden])", timeout=60_000)
        yield pg
        context.close()
        browser.close()


def _download(page, fmt: str) -> bytes:
    button = page.locator(f".dc-chart__downloads:not([hidden]) [data-chart-download='{fmt}']").first
    target = button.get_attribute("data-chart-target")
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"{target}.{fmt}"
    return Path(download.path()).read_bytes()


def test_a_chart_downloads_as_svg_with_its_title(page):
    svg = _download(page, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    title = page.locator(".dc-chart__plot .gtitle").first.text_content()
    assert title and title in svg  # the chart's own title, drawn into the file
    assert page.errors == [], page.errors


def test_a_chart_downloads_as_png_at_twice_its_size(page):
    png = _download(page, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    plot = page.locator(".dc-chart__plot").first.bounding_box()
    assert plot is not None and width == pytest.approx(2 * plot["width"], abs=4) and height > 200
    assert page.errors == [], page.errors


def test_download_buttons_are_named_for_their_chart(page):
    button = page.locator("[data-chart-download='png']").first
    caption = button.locator("xpath=ancestor::figure").locator("figcaption").text_content()
    assert button.get_attribute("aria-label") == f"Download {caption} as PNG"
