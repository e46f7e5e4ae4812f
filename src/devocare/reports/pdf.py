"""Print an HTML report to PDF with a headless Chromium-family browser (Chromium, Chrome or Edge).

The browser is found portably: ``DEVOCARE_CHROMIUM`` (a path) if set, else the first of
:data:`BROWSER_NAMES` on ``PATH``, else the usual install locations on macOS and Windows
(:data:`BROWSER_PATHS`).

Chromium runs with a fresh, throwaway profile and every background network feature off, so printing
touches nothing outside the report file; the report itself is self-contained.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from devocare.errors import DevocareError

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 180
#: Names a Chromium-family browser goes by on PATH (Linux distributions, Homebrew, Windows).
BROWSER_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "msedge",
    "microsoft-edge",
)
#: Where installers put them outside PATH (Debian's, then macOS application bundles, then Windows).
BROWSER_PATHS = (
    CHROMIUM,
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)


def _runnable(candidate: str | None) -> bool:
    return bool(candidate) and Path(str(candidate)).is_file() and os.access(str(candidate), os.X_OK)


def chromium_path() -> str | None:
    """The browser to print with: ``DEVOCARE_CHROMIUM`` if set (an error if it is not runnable, so a typo
    is not silently replaced by another browser), else one on PATH, else a usual install location."""
    configured = os.environ.get("DEVOCARE_CHROMIUM")
    if configured:
        if not _runnable(configured):
            raise DevocareError(f"DEVOCARE_CHROMIUM={configured!r} is not an executable file")
        return configured
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in BROWSER_PATHS if _runnable(p)), None)


def html_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Render ``html_path`` (charts drawn by their inline script) to ``pdf_path``."""
    exe = chromium_path()
    if exe is None:
        raise DevocareError(
            "--pdf needs Chromium, Chrome or Edge; none found on PATH or in the usual places. "
            "Install one (e.g. apt-get install chromium) or set DEVOCARE_CHROMIUM to its path"
        )
    with tempfile.TemporaryDirectory(prefix="devocare-chromium-") as profile:
        command = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf_path.resolve()}",
            html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, env={**os.environ, "HOME": profile}
            )
        except subprocess.TimeoutExpired:
            raise DevocareError(f"Chromium did not finish printing the PDF within {TIMEOUT_S} s") from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DevocareError(f"Chromium failed to print the PDF (exit {done.returncode}): {detail[0]}")
