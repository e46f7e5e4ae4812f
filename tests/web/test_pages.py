import pytest

pytestmark = pytest.mark.integration


def test_area_page_shows_computed_parents_and_csv(html_client):
    r = html_client.get("/area", params={"area": "E08000003"})
    assert r.status_code == 200
    assert "Greater Manchester" in r.text and "589,670" in r.text
    csv = html_client.get("/area", params={"area": "E08000003", "download": "parents"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "E47000001" in csv.text
    assert html_client.get("/area", params={"area": "E08000003", "download": "nope"}).status_code == 400


def test_area_page_for_2026_icb_lists_its_districts(html_client):
    r = html_client.get("/area", params={"area": "QOP", "level": "icb", "vintage": 2026})
    assert r.status_code == 200 and "Local authority districts in" in r.text and "Salford" in r.text


def test_home_and_about(html_client):
    assert "My area" in html_client.get("/").text
    assert "lad24_england_bsc" in html_client.get("/about").text
