import re
import time

import pytest

pytestmark = pytest.mark.integration

VARIANT = (
    "extends: status-quo-2023\nid: sq5\nname: Five-year status quo\nsources: ['assumption: test']\n"
    "money:\n  settlement_years: 5\n"
)


@pytest.fixture()
def c(tmp_path):
    from fastapi.testclient import TestClient

    from devocare.web import WebSettings, create_app

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/saved.db"))
    with TestClient(app, raise_server_exceptions=False, headers={"accept": "text/html"}) as client:
        yield client


def test_upload_edit_simulate_and_save_a_run(c):
    r = c.post("/architectures/upload", data={"name": "Five-year", "yaml_text": VARIANT}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/architectures/saved/1"
    assert "Five-year status quo" in c.get("/architectures/saved/1").text
    started = c.post("/simulate", data={"arch": "saved:1", "years": "2", "draws": "0"}, follow_redirects=False)
    assert started.status_code == 303
    url = started.headers["location"]
    page = c.get(url)
    deadline = time.time() + 120
    while "Results:" not in page.text and time.time() < deadline:
        time.sleep(0.3)
        page = c.get(url)
    job = re.search(r"/simulate/jobs/([0-9a-f]+)/save", page.text).group(1)
    saved = c.post(f"/simulate/jobs/{job}/save", data={"name": "my run"}, follow_redirects=False)
    assert saved.status_code == 303
    run_page = c.get(saved.headers["location"])
    assert "my run" in run_page.text and "conservation_max_gap" in run_page.text
    table = c.get(saved.headers["location"], params={"download": "result_table"})
    assert table.text.startswith("architecture,draw,statistic,year") and "sq5" in table.text
    listing = c.get("/saved").text
    assert "Five-year" in listing and "my run" in listing


def test_invalid_upload_shows_every_problem_and_saves_nothing(c):
    r = c.post("/architectures/upload", data={"name": "bad", "yaml_text": "id: x\n"})
    assert r.status_code == 400 and "bodies: required key is missing" in r.text
    big = c.post("/architectures/upload", data={"name": "big"}, files={"file": ("a.yaml", b"x" * 600_000)})
    assert big.status_code == 413
    assert "None saved yet" in c.get("/saved").text


def test_scenario_saved_from_simulate_restores_the_form(c):
    r = c.post(
        "/simulate/scenario",
        data={
            "name": "higher specialised",
            "query": "arch=reform-aco-2024&years=3&run=1&p.demand.spend.specialised=26",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    listing = c.get("/saved").text
    url = re.search(r'href="(/simulate\?[^"]+)">higher specialised', listing).group(1).replace("&amp;", "&")
    assert "run=" not in url
    form = c.get(url).text
    assert 'value="26"' in form
