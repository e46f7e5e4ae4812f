import re
import time

import pytest

pytestmark = pytest.mark.integration


def _wait(client, job_id, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/api/v1/simulations/{job_id}").json()
        if job["status"] not in {"queued", "running"}:
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_job_runs_reports_progress_and_matches_the_library(client):
    from devocare.simulation import simulate

    r = client.post("/api/v1/simulations", json={"architecture": "status-quo-2023", "years": 3, "draws": 4})
    assert r.status_code == 202
    job = _wait(client, r.json()["id"])
    assert job["status"] == "finished" and job["done"] == job["total"] > 0
    direct = simulate("status-quo-2023", years=3, draws=4).summary
    assert job["summary"]["spent_gbp_bn"] == pytest.approx(direct["spent_gbp_bn"])
    assert job["summary"]["spent_gbp_bn_p95"] == pytest.approx(direct["spent_gbp_bn_p95"])
    rows = client.get(f"/api/v1/simulations/{job['id']}/table", params={"measure": "spent", "page_size": 5}).json()
    assert rows["total"] > 5 and {r["measure"] for r in rows["items"]} == {"spent"}


def test_sync_simulate_is_cached_for_identical_deterministic_requests(client):
    body = {"architecture": "status-quo-2023", "years": 2, "draws": 0, "seed": 3}
    first = client.post("/api/v1/simulate", json=body)
    second = client.post("/api/v1/simulate", json=body)
    assert first.status_code == second.status_code == 200
    assert second.headers["x-devocare-cache"] == "hit" and first.json() == second.json()


def test_job_limits_and_bad_parameters_are_4xx(client):
    too_big = client.post(
        "/api/v1/simulations", json={"architecture": "status-quo-2023", "atoms": "lsoa", "years": 30, "draws": 999}
    )
    assert too_big.status_code == 422 and "cells" in too_big.json()["detail"]
    unknown = client.post(
        "/api/v1/simulate", json={"architecture": "status-quo-2023", "overrides": {"demand.spend.specialsed": 3}}
    )
    assert unknown.status_code == 400 and "demand.spend.specialised" in unknown.json()["detail"]
    arch = client.post("/api/v1/simulations", json={"architecture": "status-quo-2032"})
    assert arch.status_code == 422 and "status-quo-2023" in arch.json()["detail"]
    assert client.get("/api/v1/simulations/nope").status_code == 404


def test_per_client_concurrency_cap_and_cancel(tmp_path):
    from fastapi.testclient import TestClient

    from devocare.web import WebSettings, create_app

    app = create_app(WebSettings(max_jobs_per_client=1, database_url=f"sqlite:///{tmp_path}/saved.db"))
    gate = __import__("threading").Event()

    def slow(progress, cancel):
        progress(0, 10)
        gate.wait(10)
        progress(1, 10)  # raises once cancelled
        return None

    with TestClient(app) as c:
        job = app.state.jobs.submit("testclient", "simulation", {}, slow)
        r = c.post("/api/v1/simulations", json={"architecture": "status-quo-2023", "years": 1})
        assert r.status_code == 429
        assert c.delete(f"/api/v1/simulations/{job.id}").status_code == 200
        gate.set()
        job.wait(5)
        assert job.status == "cancelled"


def _start(client, **form):
    """Press Run simulation: POST the form, follow nothing; the redirect is the run's address."""
    r = client.post("/simulate", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert "run=1" in r.headers["location"]
    return r.headers["location"]


def test_simulate_page_runs_and_restores_from_url(html_client):
    url = _start(html_client, arch="status-quo-2023", years="3", draws="4", seed="0")
    first = html_client.get(url)
    assert first.status_code == 200
    deadline = time.time() + 120
    page = first
    while "Results:" not in page.text and time.time() < deadline:
        time.sleep(0.3)
        page = html_client.get(url)
    assert "Results:" in page.text and "fan-spent" in page.text
    csv = html_client.get(url + "&download=fan_spent")
    assert csv.text.splitlines()[0] == "year,p5,p25,p50,p75,p95,central"
    bad = html_client.post(
        "/simulate", data={"arch": "status-quo-2023", "years": "3", "p.demand.spend.specialised": "lots"}
    )
    assert bad.status_code == 400
    assert "parameters-error" in bad.text and "lots" in bad.text.replace("&#39;", "'")


def test_a_get_never_starts_a_run(html_client, app):
    before = len(app.state.jobs._jobs)
    page = html_client.get("/simulate?arch=status-quo-2023&years=2&draws=0&seed=987654&run=1")
    assert page.status_code == 200 and 'id="not-in-memory"' in page.text
    assert len(app.state.jobs._jobs) == before


def test_cancel_button_stops_a_running_job_and_returns_to_the_form(html_client):
    url = _start(html_client, arch="reform-aco-2024", years="10", draws="400", seed="7")
    page = html_client.get(url)
    job_id = re.search(r"/simulate/jobs/([0-9a-f]+)/cancel", page.text).group(1)
    r = html_client.post(f"/simulate/jobs/{job_id}/cancel", data={"back": url}, follow_redirects=False)
    assert r.status_code == 303 and "run=1" not in r.headers["location"]
    job = _wait(html_client, job_id)
    assert job["status"] == "cancelled"
