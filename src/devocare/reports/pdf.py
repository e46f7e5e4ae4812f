"""Print an HTML report to PDF with headless Chromium (Debian's ``/usr/bin/chromium``).

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


def chromium_path() -> str | None:
    """The Chromium executable: ``DEVOCARE_CHROMIUM``, else ``/usr/bin/chromium``, else one on PATH."""
    for candidate in (os.environ.get("DEVOCARE_CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def html_to_pdf(html_path: Path, pdf_path: Path) -> None:
    """Render ``html_path`` (charts drawn by their inline script) to ``pdf_path``."""
    exe = chromium_path()
    if exe is None:
        raise DevocareError(f"--pdf needs Chromium at {CHROMIUM} (apt-get install chromium); not found")
    with tempfile.TemporaryDirectory(prefix="devocare-chromium-") as profile:
        command = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-dev-shm-usage", "--no-pdf-header-footer",
            f"--user-data-dir={profile}", "--virtual-time-budget=20000", "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={pdf_path.resolve()}", html_path.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired:
            raise DevocareError(f"Chromium did not finish printing the PDF within {TIMEOUT_S} s") from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DevocareError(f"Chromium failed to print the PDF (exit {done.returncode}): {detail[0]}")
