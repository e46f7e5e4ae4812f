"""Reports: self-contained HTML (charts inline, no network), optionally printed to PDF by Chromium.

``compare_report(arch_ids, years, draws, seed) -> str`` builds the comparison; ``write_report(html, out,
pdf=False)`` writes it (and the PDF) atomically.
"""

from devocare.reports.compare import compare_report
from devocare.reports.write import write_report

__all__ = ["compare_report", "write_report"]
