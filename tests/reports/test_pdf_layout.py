"""The report's charts as Chromium lays them out for printing: no legend overlaps a tick label, an axis title,
a chart title or the plot area, and none is cut off at the chart's edge (checked on the drawn SVG)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devocare.reports import compare_report

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

#: Page widths in CSS pixels: A4 less the report's 12 mm side margins (186 mm), and headless Chromium's
#: default window, in which the charts are drawn before printing.
WIDTHS = (703, 800)

COLLISIONS = """() => {
  const box = el => {
    const r = el.getBoundingClientRect();
    return {x0: r.left, x1: r.right, y0: r.top, y1: r.bottom};
  };
  const hit = (a, b) => a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
  const labels = "g.xtick text, g.ytick text, .g-xtitle text, .g-ytitle text, .gtitle, .annotation-text, " +
                 ".nsewdrag, .colorbar";
  return Array.from(document.querySelectorAll(".chart .js-plotly-plot")).flatMap(plot => {
    const legend = plot.querySelector("g.legend");
    if (!legend) { return []; }
    const own = box(legend.querySelector("rect.bg") || legend);
    const edge = box(plot.querySelector("svg.main-svg"));
    const title = (plot.querySelector(".gtitle") || {}).textContent || plot.id;
    const found = Array.from(plot.querySelectorAll(labels)).filter(el => {
      const b = box(el); return b.x1 > b.x0 && hit(own, b);
    }).map(el => `${title}: legend overlaps ${el.getAttribute("class") || el.tagName} "${el.textContent}"`);
    if (own.x1 > edge.x1 + 0.5 || own.y1 > edge.y1 + 0.5 || own.x0 < edge.x0 - 0.5) {
      found.push(`${title}: legend cut off at the chart's edge`);
    }
    return found.concat([`legend:${legend.querySelectorAll("g.traces").length}`]);
  });
}"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    # three architectures with draws: fan charts with bands, grouped bars and waterfalls with long labels
    html = compare_report(["status-quo-2023", "reform-aco-2024", "reform-split-2024"], years=3, draws=8, seed=0)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_no_legend_collides_with_labels_or_the_plot(report, width):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 1100})
            page.emulate_media(media="print")
            page.goto(report.as_uri(), wait_until="load", timeout=90_000)
            page.wait_for_function("() => document.querySelectorAll('.chart .main-svg').length >= 5", timeout=60_000)
            found = page.evaluate(COLLISIONS)
        finally:
            browser.close()
    legends = [f for f in found if f.startswith("legend:")]
    problems = [f for f in found if not f.startswith("legend:")]
    assert len(legends) >= 5 and all(int(f.split(":")[1]) >= 2 for f in legends)  # the check saw real legends
    assert problems == []
