"""The compare report's attribution section: its numbers and sentences are the library's, the contributions
add up to the difference, the section appears only when asked, and it passes axe and prints to PDF."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest

from devocare import formatting
from devocare.reports import compare, compare_report, write_report
from devocare.reports.attribution import CHART_MEASURE, TOTAL_LABEL, contribution_frame
from devocare.simulation.attribution import attribution_table, describe

pytestmark = pytest.mark.integration

PAIR = ["status-quo-2023", "reform-aco-2024"]
SETTINGS = {"years": 5, "draws": 3, "seed": 1}  # the ACO starts in 2027/28: two years of its own
AXE = Path(__file__).parents[1] / "web" / "data" / "axe.min.js"


@pytest.fixture(scope="module")
def made():
    """The report with the section, and the attribution the report's call to the library returned."""
    key = ("devocare.simulation.attribution", "attribute")
    real = compare.LIBRARY[key]
    seen = []

    def keep(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    compare.LIBRARY[key] = keep
    try:
        html = compare_report(PAIR, attribute=True, **SETTINGS)
    finally:
        compare.LIBRARY[key] = real
    assert len(seen) == 1
    return html, seen[0]


def _section(html: str) -> str:
    return html.split('id="attribution"')[1].split("</section>")[0]


def _rows(table_html: str) -> dict[str, list[str]]:
    return {
        unescape(cells[0]): [unescape(c) for c in cells[1:]]
        for cells in (re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table_html, re.S))
        if cells
    }


def test_the_section_is_listed_and_recorded(made):
    html, attr = made
    assert '<a href="#attribution">What makes each difference from Status quo (2023)</a>' in html
    record = unescape(html.split('id="run-record"')[1].split("</section>")[0])
    assert '"attribute": true' in record and f'"attribution_runs": {attr.runs}' in record
    assert f"{attr.runs} simulations" in _section(html)


def test_the_table_is_the_librarys_and_the_contributions_add_up(made):
    html, attr = made
    section = _section(html)
    reform = PAIR[1]
    frame = contribution_frame(attr, reform)
    parts, total = frame[~frame["total"]], frame[frame["total"]].iloc[0]
    assert parts["central"].sum() == pytest.approx(total["central"], abs=1e-9)  # exact: Shapley efficiency
    assert abs(total["central"]) > 1e-3  # the reform does differ, so the check is not of zeros
    table = attribution_table(attr)
    ours = table[(table["architecture"] == reform) & (table["measure"] == CHART_MEASURE)].set_index("label")
    caption = f"Contributions to the difference in money spent (£bn), {reform} minus {PAIR[0]}"
    assert caption in unescape(section)
    rows = _rows(section.split("<caption>")[1].split("</table>")[0])
    unit = formatting.guess_unit(CHART_MEASURE)
    level = abs(attr.results[0].summary_draws[CHART_MEASURE][0])  # rounding beside it is shown as zero

    def shown(v: float) -> str:
        return formatting.by_unit(v if abs(v) > 1e-9 * level else 0.0, unit)

    for label, cells in rows.items():
        if label == TOTAL_LABEL:
            want = attr.differences[reform][CHART_MEASURE]
            assert cells[0] == shown(want[0]) and cells[1] == shown(np.percentile(want[1:], 5))
            continue
        row = ours.loc[label]
        for cell, column in zip(cells, ("central", "p5", "p50", "p95"), strict=False):
            assert cell == shown(row[f"contribution_{column}"]), (label, column)
        share = row["share_of_variance"]
        assert cells[4] == (formatting.percent(share) if share == share else "–")
    assert set(rows) == set(frame["label"])  # every group that acts, the budget holders' row and the total


def test_the_sentence_and_chart_come_from_the_numbers(made):
    html, attr = made
    section = unescape(_section(html))
    reform = PAIR[1]
    sentence = describe(attribution_table(attr), reform, CHART_MEASURE)
    assert sentence in section
    frame = contribution_frame(attr, reform)
    largest = frame[~frame["total"]].iloc[int(np.argmax(frame.loc[~frame["total"], "central"].abs()))]
    assert largest["label"][1:] in sentence  # the largest contributor named (its first letter lowered)
    assert ("higher" if frame[frame["total"]]["central"].iloc[0] > 0 else "lower") in sentence
    assert section.count('class="chart"') == len(attr.contributions)  # one chart per reform
    assert "Central run: contributions to the differences in other headline measures" in section


def test_without_attribute_there_is_no_section():
    html = compare_report(PAIR, years=1, draws=0)
    record = unescape(html.split('id="run-record"')[1].split("</section>")[0])
    assert 'id="attribution"' not in html and '"attribute"' not in record


@pytest.mark.browser
def test_the_section_passes_axe_and_the_report_prints(made, tmp_path: Path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    from devocare.reports.pdf import chromium_path

    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    html, _ = made
    written = write_report(html, tmp_path / "report.html", pdf=True)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-") and len(written) == 2
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto((tmp_path / "report.html").as_uri(), wait_until="load", timeout=90_000)
            page.wait_for_function("() => document.querySelectorAll('#attribution .main-svg').length >= 1")
            page.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
            result = page.evaluate("""async () => await axe.run(
                {include: [['#attribution']], exclude: [['#attribution .svg-container']]},
                {resultTypes: ['violations']})""")
        finally:
            browser.close()
    serious = [(v["id"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
