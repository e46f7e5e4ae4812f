"""Browser tests of the analyst pages: the budget dashboard reached from My area and Compare reforms, each
answer read off the page as a number beside its label; axe-core finds no serious violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "data" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(live_server):
    return live_server


@pytest.fixture(scope="module")
def page(server):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        pg.set_default_timeout(180_000)  # pages run simulations; the machine may be shared
        pg.set_default_navigation_timeout(180_000)
        pg.errors = []  # type: ignore[attr-defined]
        pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _axe(pg) -> list[dict]:
    # Through the debugging protocol, not an inline <script>, which the Content-Security-Policy refuses.
    pg.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    result = pg.evaluate("""async () => await axe.run(
        {include: [document], exclude: [['table tbody tr:nth-child(n+21)'], ['.dc-chart__plot .svg-container']]},
        {resultTypes: ['violations']})""")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_budget_dashboard_from_my_area(page, server):
    page.goto(server + "/area?area=E47000001", timeout=90_000)
    page.click("#budget-link a")
    page.wait_for_selector("#budget-headline", timeout=120_000)
    row = page.locator("#budget-headline .nhsuk-summary-list__row", has_text="Chance of overspend, worst year")
    assert row.count() == 1
    value = row.locator("dd strong").inner_text()
    assert re.fullmatch(r"\d{1,3}% in 20\d\d/\d\d", value), value
    prevention = page.locator("#budget-headline .nhsuk-summary-list__row", has_text="Return on prevention")
    assert re.search(r"£[\d.,]+ per £1", prevention.locator("dd strong").inner_text())
    page.wait_for_function("() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= 1", timeout=60_000)
    assert page.errors == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "budget.png"), full_page=False)
    assert _axe(page) == []


def test_compare_reforms_reads_a_paired_difference(page, server):
    page.goto(server + "/compare", timeout=90_000)
    page.click("#reforms-link")
    page.select_option("#baseline", "status-quo-2023")
    page.check("input[name=arch][value='reform-aco-2024']")
    page.fill("#years", "5")  # the ACO starts in 2027/28: year 4
    page.fill("#draws", "4")
    page.click("#compare-button")
    page.wait_for_selector("#reforms-summary", timeout=120_000)
    assert "baseline=status-quo-2023" in page.url and "arch=reform-aco-2024" in page.url  # shareable address
    sentence = page.locator("#reforms-summary li", has_text="money spent is").first.inner_text()
    assert re.search(r"money spent is £[\d.,]+(bn|m) (lower|higher) than under status-quo-2023", sentence)
    cell = page.locator("table.nhsuk-table tbody tr", has_text="Money spent").first.locator("td").nth(2)
    assert re.fullmatch(r"£[\d.,]+bn", cell.inner_text().strip())
    page.wait_for_function("() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= 3", timeout=60_000)
    assert page.errors == []
    page.screenshot(path=str(SHOTS / "compare-reforms.png"), full_page=False)
    assert _axe(page) == []


@pytest.mark.parametrize(
    "path", ["/glossary", "/minimum-service?arch=reform-aco-2024&years=1&draws=0&f.public_health=1.05&run=1"]
)
def test_glossary_and_minimum_service_pages_pass_axe(page, server, path):
    response = page.goto(server + path, timeout=120_000)
    assert response is not None and response.status == 200
    assert page.errors == []
    assert _axe(page) == []
