"""Outcome pages like OHID Fingertips: indicator definitions, the area profile, England comparison in words."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration

RAW_KEYS = ("worse_998", "better_95", "lower_95", "upper_99.8", 'not_compared"', "higher_is_better")


def _text(html: str) -> str:
    """Visible text of a page (scripts and chart JSON removed)."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_indicator_list_links_every_indicator(html_client):
    from devocare.outcomes.catalogue import INDICATORS

    r = html_client.get("/outcomes/indicators")
    assert r.status_code == 200
    for ind in INDICATORS:
        assert f'href="/outcomes/indicators/{ind.id}"' in r.text


def test_definition_page_says_unit_period_polarity_source_and_licence(html_client):
    r = html_client.get("/outcomes/indicators/cancer_early_stage")
    assert r.status_code == 200
    text = _text(r.text)
    assert "Unit % of cancers with known stage" in text
    assert "Direction Higher is better" in text
    assert "to 2022 (latest)" in text
    assert "Publisher OHID Fingertips" in text and "Licence OGL-3.0" in text
    assert "93671" in text  # from the provenance record
    assert html_client.get("/outcomes/indicators/no_such_thing").status_code == 404


def test_definition_api_matches_the_page(client):
    got = client.get("/api/v1/outcomes/indicators/hle_female").json()
    assert got["unit"] == "years" and got["polarity_label"] == "Higher is better"
    assert got["latest_period"] == got["periods"][-1] and got["provenance"]
    assert client.get("/api/v1/outcomes/indicators/nope").status_code == 404


def test_profile_page_reads_salford_against_england(html_client):
    r = html_client.get("/outcomes/profile", params={"area": "E08000006", "level": "utla"})
    assert r.status_code == 200
    row = re.search(r'data-indicator="hle_female">(.*?)</tr>', r.text, re.S)
    assert row is not None
    cells = _text(row.group(1))
    assert "58.2" in cells and "53.2 to 63.2" in cells and "61.3" in cells and "Similar to England" in cells
    mortality = _text(re.search(r'data-indicator="u75_preventable_mortality">(.*?)</tr>', r.text, re.S).group(1))
    assert " 220.7 " in mortality and " 145.8 " in mortality  # four significant figures: not "221"
    assert 'href="/outcomes/indicators/hle_female"' in row.group(1)
    assert 'id="spine-chart"' in r.text and 'list="area-choices"' in r.text
    for key in RAW_KEYS:
        assert key not in _text(r.text)
    csv = html_client.get("/outcomes/profile", params={"area": "E08000006", "level": "utla", "download": "profile"})
    assert csv.text.startswith("indicator,title,unit") and "hle_female" in csv.text


def test_profile_bad_area_is_a_400_naming_it(html_client):
    r = html_client.get("/outcomes/profile", params={"area": "Atlantis"})
    assert r.status_code == 400 and "area-error" in r.text and "Atlantis" in r.text
    assert html_client.get("/outcomes/profile", params={"area": "Salford", "level": "x"}).status_code == 400
    england = html_client.get("/outcomes/profile", params={"area": "E92000001"})
    assert england.status_code == 400 and "compares areas within" in england.text


def test_profile_api_is_the_library_result(client):
    from devocare.outcomes.benchmark import area_profile

    got = client.get("/api/v1/outcomes/profile", params={"area": "E08000006", "level": "utla"}).json()
    want = area_profile("E08000006", "utla")
    assert [g["indicator"] for g in got] == list(want["indicator"])
    assert [g["comparison"] for g in got] == list(want["comparison"])
    assert client.get("/api/v1/outcomes/profile", params={"area": "Atlantis"}).status_code in (400, 404)


def test_outcomes_page_colours_and_labels_in_words(html_client):
    r = html_client.get("/outcomes", params={"indicator": "hle_female", "level": "utla"})
    assert r.status_code == 200
    assert 'id="interval-chart"' in r.text and 'href="/outcomes/indicators/hle_female"' in r.text
    text = _text(r.text)
    counts = re.search(r"Better than England \(95% confidence\): (\d+) areas", text)
    assert counts is not None and int(counts.group(1)) > 0
    assert re.search(r"Worse \(99.8% limits\): \d+ areas", text)
    for key in RAW_KEYS:
        assert key not in r.text, key  # not even in the chart JSON: legends say words
    assert '"/outcomes/profile?area=E08000006&level=utla"' in r.text  # map and bars open an area's profile
    assert '"name": "iqr"' not in r.text and "Interquartile range" in r.text
    assert "2,011" not in text  # years are never written with a thousands separator
    assert '<th scope="col" class="nhsuk-table__header">Compared with England</th>' in r.text
    csv = html_client.get("/outcomes", params={"indicator": "hle_female", "level": "utla", "download": "values"})
    assert csv.text.splitlines()[0] == "code,name,value,lci,uci,approximate,compared_with_england"


def test_my_area_links_to_the_profile(html_client):
    r = html_client.get("/area", params={"area": "E08000006"})
    assert "/outcomes/profile?area=E08000006&amp;level=" in r.text
    status = r.text[r.text.index('id="outcomes"') :]
    assert "Life expectancy at birth, female" in status and ">le_female<" not in status
