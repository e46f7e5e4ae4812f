"""Reports: self-contained HTML (charts inline, no network), optionally printed to PDF by Chromium.

``compare_report(arch_ids, years, draws, seed) -> str`` builds the comparison; ``write_report(html, out,
pdf=False)`` writes it (and the PDF) atomically.
"""

from devocare.extras import require

require("charts", "reports")  # Plotly draws every chart in them
from devocare.reports.compare import compare_report  # noqa: E402
from devocare.reports.write import write_report  # noqa: E402

__all__ = ["compare_report", "write_report"]
