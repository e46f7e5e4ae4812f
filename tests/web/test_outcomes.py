import pytest

pytestmark = pytest.mark.integration


def test_variation_api_is_the_library_result(client):
    from devocare.outcomes.variation import variation

    got = client.get("/api/v1/outcomes/indicators/hle_female/variation", params={"level": "utla"}).json()
    want = variation("hle_female", "utla")
    assert got["gap"] == pytest.approx(want["gap"]) and got["best"]["code"] == want["best"]["code"]


def test_funnel_refused_for_indicator_without_precision(client):
    r = client.get("/api/v1/outcomes/indicators/asc_workforce_turnover/funnel")
    assert r.status_code == 400 and "confidence" in r.json()["detail"]
    assert client.get("/api/v1/outcomes/indicators/nope/variation").status_code == 404


def test_outcomes_page_restores_from_query_and_downloads(html_client):
    r = html_client.get("/outcomes", params={"indicator": "hle_male", "level": "ca", "period": "2015-17"})
    assert r.status_code == 200 and "2015-17" in r.text and "Funnel plot" in r.text
    assert 'value="hle_male" selected' in r.text
    csv = html_client.get(
        "/outcomes", params={"indicator": "hle_male", "level": "ca", "period": "2015-17", "download": "values"}
    )
    assert csv.text.startswith("code,name,value") and "E47000001" in csv.text
    bad = html_client.get("/outcomes", params={"period": "1900"})
    assert "period-error" in bad.text and "1900" in bad.text
