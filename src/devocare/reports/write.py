"""Write a report to disk: all files or none (temporary files renamed into place at the end)."""

from __future__ import annotations

import uuid
from pathlib import Path

from devocare.errors import DevocareError
from devocare.reports.pdf import html_to_pdf


def check_out(out: str | Path) -> tuple[Path, Path]:
    """The HTML and PDF paths for ``out``, refusing a folder or a missing parent folder before any work."""
    out = Path(out)
    html_path = out.with_suffix(".html") if out.suffix.lower() == ".pdf" else out
    if html_path.is_dir():
        raise DevocareError(f"--out {str(out)!r} is a directory; give a file name such as report.html")
    if not html_path.parent.is_dir():
        raise DevocareError(f"--out {str(out)!r}: folder {str(html_path.parent)!r} does not exist")
    return html_path, out.with_suffix(".pdf")


def write_report(html: str, out: str | Path, pdf: bool = False) -> list[Path]:
    """Write ``html`` to ``out``; with ``pdf`` also print it to ``out`` with a ``.pdf`` suffix.

    If ``out`` itself ends in ``.pdf`` the HTML goes beside it with ``.html``. Returns the paths written.
    """
    html_path, pdf_path = check_out(out)
    staged: list[tuple[Path, Path]] = []
    try:
        tmp = html_path.with_name(f".{html_path.name}.{uuid.uuid4().hex[:8]}.html")
        staged.append((tmp, html_path))
        with tmp.open("x", encoding="utf-8") as handle:  # ordinary permissions, unlike mkstemp's 0600
            handle.write(html)
        if pdf:
            tmp_pdf = tmp.with_suffix(".pdf")
            staged.append((tmp_pdf, pdf_path))
            html_to_pdf(tmp, tmp_pdf)
        for tmp_path, final in staged:
            tmp_path.replace(final)
    finally:
        for tmp_path, _ in staged:
            tmp_path.unlink(missing_ok=True)
    return [final for _, final in staged]
