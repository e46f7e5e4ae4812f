import pytest

from devocare import geography

pytestmark = pytest.mark.integration


def test_areas_are_paginated_with_totals_and_links(client):
    r = client.get("/api/v1/areas", params={"level": "lad", "page_size": 50, "page": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(geography.areas("lad")) == 296
    assert body["page"] == 2 and body["pages"] == 6 and len(body["items"]) == 50
    assert "page=3" in body["next"] and "page=1" in body["previous"]
    first = client.get("/api/v1/areas", params={"level": "lad", "page_size": 50}).json()["items"]
    assert not {i["code"] for i in first} & {i["code"] for i in body["items"]}


def test_area_detail_matches_geography(client):
    r = client.get("/api/v1/areas/E08000003")
    assert r.status_code == 200
    assert r.json()["parents"]["ca"][0]["code"] == "E47000001"
    assert r.json()["population_mid2024"] == geography.area_info("E08000003")["population_mid2024"]


def test_icb_2026_list_has_36(client):
    body = client.get("/api/v1/areas", params={"level": "icb", "vintage": 2026, "page_size": 1000}).json()
    assert body["total"] == 36


def test_boundaries_are_slim_geojson_with_every_area(client):
    gj = client.get("/api/v1/boundaries/utla").json()
    codes = {f["properties"]["code"] for f in gj["features"]}
    assert len(codes) == 153
    assert set(gj["features"][0]["properties"]) == {"code", "name"}


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/api/v1/areas?level=distrct", 400, "distrct"),
        ("/api/v1/areas/E99999999", 404, "E99999999"),
        ("/api/v1/areas?level=lad&page=0", 422, "page"),
        ("/api/v1/areas?level=lad&page_size=5000", 400, "page_size"),
        ("/api/v1/areas?level=icb&vintage=2025", 400, "2025"),
        ("/api/v1/boundaries/lsoa", 400, "lsoa"),
        ("/api/v1/no-such-thing", 404, ""),
    ],
)
def test_bad_input_is_a_problem_document(client, url, status, needle):
    r = client.get(url)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and needle in body["detail"]
    assert "Traceback" not in r.text
