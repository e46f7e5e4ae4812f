import pandas as pd
import pytest

pytestmark = pytest.mark.integration


def test_need_indices_api_matches_library(client):
    from devocare.allocation.need import need_indices

    body = client.get("/api/v1/allocation/need-indices", params={"icb": "QOP", "place_level": "lad"}).json()
    expected = need_indices("2025/26", "QOP", place_level="lad")
    got = pd.DataFrame(body["items"])
    assert list(got["place_code"]) == list(expected["place_code"])
    assert got["index_core_overall"].tolist() == pytest.approx(expected["index_core_overall"].tolist())


def test_practice_places_via_post_and_errors_named(client):
    ok = client.post(
        "/api/v1/allocation/need-indices",
        json={"icb": "QOP", "places": {"North": ["P82001", "P82002"], "South": ["P82003"]}},
    )
    assert ok.status_code == 200
    rows = ok.json()["items"]
    assert [r["place"] for r in rows] == ["NHS Greater Manchester ICB", "North", "South"]
    assert len(ok.json()["uncovered"]) == 414 - 3
    dup = client.post(
        "/api/v1/allocation/need-indices", json={"icb": "QOP", "places": {"A": ["P82001"], "B": ["P82001"]}}
    )
    assert dup.status_code == 400 and "P82001" in dup.json()["detail"]
    extra = client.post("/api/v1/allocation/need-indices", json={"icb": "QOP", "places": {}, "x": 1})
    assert extra.status_code == 422


def test_place_money_sums_practice_money_and_conserves_the_icb_total(html_client):
    from devocare.allocation.money import money

    csv = html_client.get(
        "/allocation", params={"year": "2025/26", "icb": "QOP", "build": "lad", "download": "allocation_gbp"}
    )
    assert csv.status_code == 200
    from io import StringIO

    places = pd.read_csv(StringIO(csv.text))
    icb = money("2025/26", "icb")
    gm = icb[icb["name"].str.contains("Greater Manchester")]
    for line, total in gm.groupby("line")["pence"].sum().items():
        assert places.loc[places["line"] == line, "pence"].sum() == total


def test_allocation_page_shows_indices_and_field_errors(html_client):
    r = html_client.get("/allocation", params={"icb": "QOP", "build": "utla"})
    assert r.status_code == 200 and "Need indices" in r.text and "Wigan" in r.text
    bad = html_client.get("/allocation", params={"build": "practices", "places": "North: P8200l"})
    assert "places-error" in bad.text and "P8200l" in bad.text.replace("&#39;", "'")
    bad = html_client.get("/allocation", params={"year": "2030/31"})
    assert "year-error" in bad.text


def test_place_money_api_by_level_and_by_practice_lists(client):
    from devocare.allocation.money import place_money

    r = client.get("/api/v1/allocation/place-money", params={"icb": "QOP", "place_level": "utla", "line": "core"})
    assert r.status_code == 200
    expected = place_money("2025/26", "QOP", place_level="utla", lines=["core"])
    assert [x["pence"] for x in r.json()["items"]] == expected["pence"].tolist()
    ok = client.post(
        "/api/v1/allocation/place-money", json={"icb": "QOP", "places": {"North": ["P82001", "P82002"]}, "line": "pmc"}
    )
    assert ok.status_code == 200 and [x["place"] for x in ok.json()["items"]] == ["North"]
    assert len(ok.json()["uncovered"]) == 414 - 2
    bad = client.post("/api/v1/allocation/place-money", json={"icb": "QOP", "places": {"A": ["P8200X"]}})
    assert bad.status_code == 400 and "P8200X" in bad.json()["detail"]
    wrong_year = client.get("/api/v1/allocation/place-money", params={"icb": "QOP", "year": "2022/23"})
    assert wrong_year.status_code == 400 and "allocation year" in wrong_year.json()["detail"]
