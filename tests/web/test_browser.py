"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server on loopback.

Every page loads with its charts drawn and no script errors or outside requests; a small simulation runs
end to end after a parameter change; a CSV downloads; axe-core finds no serious or critical accessibility
violations. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import time
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

PAGES = {
    "home": ("/", 0),
    "architectures": ("/architectures", 0),
    "architecture": ("/architectures/reform-aco-2024?body=combined_authority", 2),
    "compare": ("/compare?arch=status-quo-2023&arch=reform-aco-2024&arch=reform-split-2024", 1),
    "simulate-form": ("/simulate", 0),
    "area": ("/area?area=E08000003", 1),
    "allocation": ("/allocation?year=2025%2F26&icb=QOP&build=lad", 3),
    "outcomes": ("/outcomes?indicator=hle_female&level=utla", 4),
    "outcome-indicators": ("/outcomes/indicators", 0),
    "outcome-indicator": ("/outcomes/indicators/cancer_early_stage", 0),
    "outcome-profile": ("/outcomes/profile?area=E08000006&level=utla", 1),
    "outcomes-evaluation": ("/outcomes/evaluation?area=E47000001&indicator=u75_preventable_cvd_mortality", 2),
    "saved": ("/saved", 0),
    "about": ("/about", 0),
    "api": ("/docs", 0),
}


@pytest.fixture(scope="module")
def server(live_server):
    return live_server


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context, server):
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.outside = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))  # type: ignore[attr-defined]
    # The Content-Security-Policy forbids inline script and eval: any violation is reported on the console.
    pg.on(
        "console",
        lambda msg: (
            pg.errors.append(msg.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    pg.on(
        "request",
        lambda req: None if req.url.startswith(server) or req.url.startswith("data:") else pg.outside.append(req.url),
    )  # type: ignore[attr-defined]
    yield pg
    pg.close()


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


def _axe(pg) -> list[dict]:
    # Rows past the 20th of a long data table repeat the same markup as the first 20, and Plotly's SVG
    # internals are third-party (each chart has a caption and a table or CSV of its data); leaving both out
    # keeps the check to seconds on pages with hundreds of area rows.
    # Evaluated through the browser's debugging protocol, not added as an inline <script>: the page's
    # Content-Security-Policy rightly refuses inline scripts.
    pg.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    result = pg.evaluate("""async () => await axe.run(
        {include: [document], exclude: [['table tbody tr:nth-child(n+21)'], ['.dc-chart__plot .svg-container']]},
        {resultTypes: ['violations']})""")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_draws_its_charts_and_passes_axe(page, server, name):
    path, charts = PAGES[name]
    response = page.goto(server + path, wait_until="load", timeout=90_000)
    assert response is not None and response.status == 200
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= {charts}", timeout=60_000
        )
    assert page.errors == [], page.errors
    assert page.outside == [], f"requests left the server: {page.outside}"
    assert page.locator("header.nhsuk-header").count() == 1
    _shot(page, name)
    serious = _axe(page)
    assert serious == [], serious


def test_small_simulation_end_to_end_with_a_changed_parameter_and_csv(page, server):
    page.goto(server + "/simulate", timeout=90_000)
    page.select_option("#arch", "status-quo-2023")
    page.fill("#years", "3")
    page.fill("#draws", "4")
    page.locator("details", has_text="Fixed parameters").locator("summary").click()
    page.fill("[id='p-demand.spend.specialised']", "26")
    page.click("#run-button")
    page.wait_for_selector("#results", timeout=120_000)
    assert "p.demand.spend.specialised=26" in page.url and "run=1" in page.url
    page.wait_for_function("() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= 5", timeout=60_000)
    assert page.errors == [] and page.outside == []
    _shot(page, "simulate-results")
    with page.expect_download() as info:
        page.click("a[href*='download=fan_spent']")
    csv = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "year,p5,p25,p50,p75,p95,central" and len(csv.splitlines()) == 4
    serious = _axe(page)
    assert serious == [], serious


def test_area_profile_chosen_by_typing_reads_a_value_and_its_comparison(page, server):
    page.goto(server + "/outcomes/profile", timeout=90_000)
    box = page.locator("#area")
    assert box.get_attribute("list") == "area-choices"
    assert page.locator("#area-choices option[value='E08000006']").count() == 1
    box.type("Salford", delay=20)
    page.select_option("#level", "utla")
    page.click("button[type=submit]")
    page.wait_for_selector("#profile-table", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= 1", timeout=60_000)
    row = page.locator("tr[data-indicator='u75_preventable_cvd_mortality']")
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith("Under-75 mortality from cardiovascular disease")
    assert float(cells[2]) == 42.85 and cells[5] == "Worse than England (95% confidence)"
    legend = page.locator("#profile-counts").inner_text()
    assert "Worse than England (95% confidence): 2 indicators" in legend
    assert "worse_998" not in page.content()
    row.locator("a").click()
    page.wait_for_selector("#definition", timeout=60_000)
    assert page.locator("#unit").inner_text() == "rate per 100,000 (age-standardised)"
    assert page.locator("#polarity").inner_text() == "Lower is better"
    assert page.errors == [] and page.outside == []
    _shot(page, "outcome-definition")
    serious = _axe(page)
    assert serious == [], serious


def test_outcomes_page_compares_areas_with_england_in_words(page, server):
    page.goto(server + "/outcomes?indicator=cancer_early_stage&level=utla", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('.dc-chart__plot .main-svg').length >= 4", timeout=60_000)
    counts = page.locator("#comparison-counts").inner_text()
    assert "Better than England (95% confidence):" in counts and "Similar to England:" in counts
    legend = page.locator("#interval-chart .legendtext").all_text_contents()
    assert any(t.startswith("Better than England") for t in legend) and any(t.startswith("England (") for t in legend)
    funnel = page.locator("#funnel-chart .legendtext").all_text_contents()
    assert "95% control limits" in funnel and not any("_" in t for t in funnel)
    assert page.errors == [] and page.outside == []


def test_pages_work_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(server + "/allocation?year=2025%2F26&icb=QOP&build=utla", timeout=90_000)
    assert pg.locator("table.nhsuk-table").count() >= 2
    pg.goto(server + "/area", timeout=90_000)
    pg.fill("#area", "Salford")
    pg.click("button[type=submit]")
    assert "Where it sits" in pg.content() and "Greater Manchester" in pg.content()
    # A simulation without JavaScript: the progress page refreshes itself until the results are there.
    pg.goto(server + "/simulate", timeout=90_000)
    pg.select_option("#arch", "status-quo-2023")
    pg.fill("#years", "2")
    pg.fill("#draws", "2")
    pg.fill("#seed", "11")
    pg.click("#run-button")
    pg.wait_for_selector("#results", timeout=90_000)
    assert pg.locator("table.nhsuk-table").count() >= 3
    context.close()


def test_another_site_can_neither_frame_the_app_nor_post_its_forms(browser, server):
    """A page on another origin frames the Saved work page (refused: frame-ancestors 'none') and submits a
    delete form to the app in the visitor's browser (refused: 403, and the item is still there)."""
    import httpx

    item = httpx.post(server + "/api/v1/saved/scenarios", json={"name": "survivor", "payload": {}}).json()["id"]
    attacker = (
        f'<html><body><iframe id="f" src="{server}/saved"></iframe>'
        f'<form id="x" method="post" action="{server}/saved/scenarios/{item}/delete"></form></body></html>'
    )
    context = browser.new_context()
    pg = context.new_page()
    pg.route("http://evil.test/**", lambda route: route.fulfill(body=attacker, content_type="text/html"))
    pg.goto("http://evil.test/", timeout=60_000)
    child = pg.frames[1]
    deadline = time.time() + 20
    while not child.url.startswith("chrome-error:") and time.time() < deadline:  # the frame's error page
        pg.wait_for_timeout(200)
    assert child.url.startswith("chrome-error:"), child.url
    assert "nhsuk-header" not in child.content()
    with pg.expect_response(lambda r: "/delete" in r.url) as info:
        pg.evaluate("() => document.getElementById('x').submit()")
    assert info.value.status == 403
    context.close()
    names = [s["name"] for s in httpx.get(server + "/api/v1/saved/scenarios").json()["items"]]
    assert "survivor" in names
