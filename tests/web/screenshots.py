"""Regenerate the documentation's screenshots (``docs/img/*.png``) from the current web app.

Run from the repository root: ``python tests/web/screenshots.py`` (add ``--only NAME`` to take one). It serves
the app on a free loopback port with a throwaway database, drives Debian's Chromium with Playwright exactly as
the browser tests do, saves each picture and stops the server. Every picture the docs show is listed in
:data:`SHOTS`; ``tests/web/test_screenshots.py`` checks the list and the folder agree.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "img"
CHROMIUM = "/usr/bin/chromium"
CHARTS_DRAWN = "n => document.querySelectorAll('.dc-chart__plot .main-svg').length >= n"


@dataclass(frozen=True)
class Shot:
    """One picture: the page to open, how to get it ready, and what to photograph: the element ``target`` (a
    CSS selector) or, with ``window``, the browser window scrolled so that the element is at its top."""

    name: str
    path: str
    target: str
    prepare: Callable[[Any], None] | None = None
    charts: int = 0
    window: bool = False


def _run_simulation(page: Any) -> None:
    """Fill and run the Simulate form: the ACO model, 10 years, 100 draws (what the README describes)."""
    page.select_option("#arch", "reform-aco-2024")
    page.fill("#years", "10")
    page.fill("#draws", "100")
    page.fill("#seed", "0")
    page.click("#run-button")
    page.wait_for_selector("#results", timeout=600_000)


SHOTS = (
    Shot(
        "compare",
        "/compare?arch=status-quo-2023&arch=reform-aco-2024&arch=reform-split-2024&arch=ten-year-plan-2025",
        "figure:has(#compare-chart)",
        charts=1,
        window=True,
    ),
    Shot("simulate", "/simulate", "figure:has(#fan-spent)", _run_simulation, charts=5),
    Shot("simulate-map", "/simulate", "figure:has(#sim-map)", _run_simulation, charts=5),
    Shot("outcome-profile", "/outcomes/profile?area=E08000006&level=utla", "#profile-counts", charts=1, window=True),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def take(shots: tuple[Shot, ...] = SHOTS, folder: Path = IMG) -> list[Path]:
    """Serve the app, take ``shots`` into ``folder``, stop the server; the files written."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from devocare.web import WebSettings, create_app

    written = []
    with tempfile.TemporaryDirectory(prefix="devocare-shots-") as work:
        port = _free_port()
        app = create_app(WebSettings(database_url=f"sqlite:///{work}/saved.db", spill_dir=f"{work}/jobs"))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.time() + 60
            while not server.started:
                if time.time() > deadline:
                    raise RuntimeError("the server did not start within 60 s")
                time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
                for shot in shots:
                    page.goto(f"http://127.0.0.1:{port}{shot.path}", wait_until="load", timeout=120_000)
                    if shot.prepare is not None:
                        shot.prepare(page)
                    if shot.charts:
                        page.wait_for_function(CHARTS_DRAWN, arg=shot.charts, timeout=120_000)
                    page.wait_for_timeout(500)  # let Plotly finish its transitions
                    out = folder / f"{shot.name}.png"
                    target = page.locator(shot.target).first
                    if shot.window:  # what a visitor sees with the element at the top of the window
                        target.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8)")
                        page.wait_for_timeout(300)
                        page.screenshot(path=str(out))
                    else:
                        target.screenshot(path=str(out))
                    written.append(out)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(15)
    return written


def main() -> None:
    """Command line: take every shot, or those named with ``--only``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=[s.name for s in SHOTS])
    args = parser.parse_args()
    chosen = tuple(s for s in SHOTS if not args.only or s.name in args.only)
    for path in take(chosen):
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
