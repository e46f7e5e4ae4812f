"""Paired comparison and budget API, and the budget page: answers with labels, problems for bad input."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

pytestmark = pytest.mark.e2e
SCI = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z])")  # not inside hashes


def test_paired_api_returns_records_summary_and_areas(client):
    r = client.post(
        "/api/v1/compare/paired",
        json={
            "baseline": "status-quo-2023",
            "architectures": ["reform-aco-2024"],
            "years": 2,
            "draws": 4,
            "areas": True,
        },
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    row = next(x for x in doc["national"] if x["measure"] == "spent_gbp_bn")
    assert row["architecture"] == "reform-aco-2024" and row["label"] == "Money spent"
    assert row["diff_p5"] <= row["diff_p50"] <= row["diff_p95"]
    assert 0 <= row["prob_lower"] <= 1 and doc["summary"]
    assert {a["measure"] for a in doc["areas"]} == {"spent", "spent_per_need", "admissions"}


@pytest.mark.parametrize(
    "body",
    [
        {"baseline": "status-quo-2023", "architectures": []},
        {"baseline": "status-quo-2023", "architectures": ["no-such-arch"], "years": 1, "draws": 0},
        {"baseline": "status-quo-2023", "architectures": ["status-quo-2023"], "years": 1, "draws": 0},
        {"baseline": "status-quo-2023", "architectures": ["reform-aco-2024"], "years": 30, "draws": 5000},
    ],
)
def test_paired_api_bad_input_is_a_problem(client, body):
    r = client.post("/api/v1/compare/paired", json=body)
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("application/problem+json")


def test_budget_api_per_year_records(client):
    r = client.get(
        "/api/v1/budget",
        params={"architecture": "reform-aco-2024", "body": "Greater Manchester", "years": 2, "draws": 4},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["summary"]["body"] == "combined_authority:E47000001"
    assert len(doc["years"]) == 2 and {"prob_overspend", "prob_intervention"} <= set(doc["years"][0])
    bad = client.get("/api/v1/budget", params={"architecture": "reform-aco-2024", "body": "Atlantis"})
    assert bad.status_code == 400 and "no budget" in bad.json()["detail"]


def test_budget_page_labels_numbers_and_excel(html_client):
    r = html_client.get("/budget", params={"arch": "reform-aco-2024", "body": "E47000001", "years": 2, "draws": 4})
    assert r.status_code == 200
    text = re.sub(r"<script.*?</script>", "", r.text, flags=re.S)
    assert "Chance of overspend, worst year" in text and "Return on prevention" in text
    assert "prob_overspend" not in text and not SCI.search(re.sub(r"<[^>]+>", " ", text))
    assert re.search(r"\d+% in 2025/26|\d+% in 2024/25", text)
    csv = html_client.get(
        "/budget",
        params={"arch": "reform-aco-2024", "body": "E47000001", "years": 2, "draws": 4, "download": "budget_by_year"},
    )
    assert csv.status_code == 200 and csv.text.startswith("body,name,year")
    xlsx = html_client.get(
        "/budget/xlsx", params={"arch": "reform-aco-2024", "body": "E47000001", "years": 2, "draws": 4}
    )
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert "budget by year" in wb.sheetnames and "run record" in wb.sheetnames


def test_my_area_links_to_the_budget_dashboard(html_client):
    r = html_client.get("/area", params={"area": "E47000001"})
    assert 'id="budget-link"' in r.text and "/budget?arch=reform-aco-2024&amp;body=E47000001" in r.text


def test_budget_page_bad_body_is_shown_in_the_form(html_client):
    r = html_client.get("/budget", params={"arch": "reform-aco-2024", "body": "Atlantis", "draws": 0, "years": 1})
    assert r.status_code == 200 and "no budget of this architecture" in r.text


def test_compare_reforms_page_summary_table_and_downloads(html_client):
    params = {
        "baseline": "status-quo-2023",
        "arch": ["reform-aco-2024", "reform-split-2024"],
        "years": 2,
        "draws": 4,
        "run": 1,
    }
    r = html_client.get("/compare/reforms", params=params)
    assert r.status_code == 200
    text = re.sub(r"<script.*?</script>", "", r.text, flags=re.S)
    assert "In plain words" in text and "reform-split-2024: money spent is" in text
    plain = re.sub(r"<[^>]+>", " ", text)
    assert "Money spent" in plain and "spent_gbp_bn" not in plain and not SCI.search(plain)
    assert text.count('class="dc-chart"') >= 4  # two difference fans, two maps
    csv = html_client.get("/compare/reforms", params={**params, "download": "area_table"})
    assert csv.status_code == 200 and csv.text.startswith("area,area_name,reform-aco-2024,reform-split-2024")
    assert len(csv.text.splitlines()) == 297
    table = pd.read_csv(io.StringIO(csv.text))
    for a in ("reform-aco-2024", "reform-split-2024"):  # each reform's 90% band of paired draws, per district
        assert (table[f"{a} P5"] <= table[f"{a} P95"]).all() and table[f"{a} P5"].notna().all()
    xlsx = html_client.get("/compare/reforms/xlsx", params=params)
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    assert {"paired differences", "difference fans", "areas", "area table", "run record"} <= set(wb.sheetnames)


def test_compare_reforms_refuses_too_few_or_too_many(html_client):
    r = html_client.get(
        "/compare/reforms", params={"baseline": "status-quo-2023", "arch": ["status-quo-2023"], "run": 1}
    )
    assert "other than the baseline" in r.text
    many = ["reform-aco-2024", "reform-split-2024", "ten-year-plan-2025", "deloitte-2016", "kingsfund-2017"]
    r = html_client.get(
        "/compare/reforms", params={"baseline": "status-quo-2023", "arch": many, "run": 1, "draws": 0, "years": 1}
    )
    assert r.status_code in (200, 422) and "at most 4" in r.text


def test_compare_reforms_tornado_with_enough_draws(html_client):
    params = {"baseline": "status-quo-2023", "arch": ["reform-aco-2024"], "years": 2, "draws": 10, "run": 1}
    r = html_client.get("/compare/reforms", params=params)
    assert 'id="tornado-text"' in r.text and "rank correlation" in r.text
    csv = html_client.get("/compare/reforms", params={**params, "download": "sensitivity"})
    assert csv.status_code == 200 and csv.text.startswith("measure,parameter,label,rank_correlation")


def test_paired_api_attribution_adds_up_and_is_sized_by_its_runs(client):
    body = {"baseline": "status-quo-2023", "architectures": ["reform-aco-2024"], "years": 4, "draws": 2}
    r = client.post("/api/v1/compare/paired", json={**body, "attribute": True})
    assert r.status_code == 200, r.text
    doc = r.json()
    spent = [x for x in doc["attribution"] if x["measure"] == "spent_gbp_bn"]
    central = next(x for x in doc["national"] if x["measure"] == "spent_gbp_bn")["diff_central"]
    assert abs(sum(x["contribution_central"] for x in spent) - central) < 1e-9
    from devocare.simulation.attribution import describe

    assert doc["attribution_summary"] == [describe(pd.DataFrame(doc["attribution"]), "reform-aco-2024")]
    assert "attribution" not in client.post("/api/v1/compare/paired", json=body).json()
    big = client.post("/api/v1/compare/paired", json={**body, "attribute": True, "years": 10, "draws": 40})
    assert big.status_code == 422 and "attributing takes 72 runs" in big.json()["detail"]


def test_compare_reforms_attributes_the_difference_to_mechanisms(html_client):
    params = {"baseline": "status-quo-2023", "arch": ["reform-aco-2024"], "years": 4, "draws": 2, "run": 1}
    r = html_client.get("/compare/reforms", params={**params, "attribute": 1})
    assert r.status_code == 200
    text = re.sub(r"<script.*?</script>", "", r.text, flags=re.S)
    assert 'id="attribution"' in text and "Holders&#39; money responses" in text and "Who holds which budget" in text
    summary = text.split('id="attribution-summary"')[1].split("</ul>")[0]
    assert summary.count("<li>") == 1 and "reform-aco-2024: money spent is" in summary
    plain = re.sub(r"<[^>]+>", " ", text)
    assert "contribution_p50" not in plain and not SCI.search(plain)
    csv = html_client.get("/compare/reforms", params={**params, "attribute": 1, "download": "attribution"})
    table = pd.read_csv(io.StringIO(csv.text))
    assert {"mechanism", "contribution_p50", "share_of_variance"} <= set(table.columns)
    xlsx = html_client.get("/compare/reforms/xlsx", params={**params, "attribute": 1})
    from openpyxl import load_workbook

    assert "attribution" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    without = html_client.get("/compare/reforms", params=params)
    assert 'id="attribution"' not in without.text
    # 72 runs of 41 draws over 10 years are over the test server's job size, though one paired run is not
    big = html_client.get("/compare/reforms", params={**params, "attribute": 1, "years": 10, "draws": 40})
    assert "attributing takes 72 runs" in big.text


def test_minimum_service_page_and_api(html_client, client):
    r = html_client.get(
        "/minimum-service",
        params={"arch": "reform-aco-2024", "years": 1, "draws": 0, "f.public_health": "1.05", "run": 1},
    )
    assert r.status_code == 200 and 'id="msl-result"' in r.text
    assert re.search(r"\d+ below the minimum in 2024/25 under reform-aco-2024: gap £[\d.,]+(bn|m)", r.text)
    assert "Public health" in r.text and 'value="1.05"' in r.text
    bad = html_client.get("/minimum-service", params={"f.public_health": "lots", "run": 1, "draws": 0, "years": 1})
    assert "expected a number" in bad.text
    api = client.post(
        "/api/v1/minimum-service",
        json={
            "architecture": "status-quo-2023",
            "years": 1,
            "draws": 0,
            "by": "area",
            "overrides": {"minimum_service_levels.public_health": 1.05},
        },
    )
    assert api.status_code == 200 and api.json()["floors"]["public_health"] == 1.05 and api.json()["below"]
    wrong = client.post(
        "/api/v1/minimum-service",
        json={
            "architecture": "status-quo-2023",
            "years": 1,
            "draws": 0,
            "overrides": {"minimum_service_levels.teeth": 1},
        },
    )
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("application/problem+json")


def test_glossary_page_explains_terms_and_measures(html_client):
    r = html_client.get("/glossary")
    assert r.status_code == 200
    for words in (
        "Pharmacy, optometry and dental",
        "Budget pots per resident",
        "Centralism index",
        "Worse (99.8% limits)",
        "Chance of overspend",
    ):
        assert words in r.text, words
    home = html_client.get("/")
    assert 'href="/glossary"' in home.text


def test_accountability_graph_nodes_are_named(html_client):
    r = html_client.get("/architectures/status-quo-2023")
    assert r.status_code == 200
    import json as _json

    blobs = re.findall(r'<script type="application/json" id="[^"]*-data">(.*?)</script>', r.text, flags=re.S)
    texts = [
        t
        for b in blobs
        for trace in _json.loads(b).get("data", [])
        if trace.get("name") == "bodies"
        for t in trace.get("text", [])
    ]
    assert texts and any("NHS England" in t or "Department" in t for t in texts)


def test_money_rules_read_as_sentences(html_client):
    from html import unescape

    r = html_client.get("/architectures/reform-split-2024")
    assert r.status_code == 200
    text = unescape(r.text)
    assert "The local tier pays 34% of the cost of each of its residents' admissions" in text
    assert "A budget holder keeps all of an underspend." in text
    assert "{'" not in text and "'sources':" not in text  # no Python dicts


def test_simulate_waterfall_axis_zooms_to_the_factors():
    from devocare.simulation import simulate
    from devocare.web.pages.simulate import results_context

    context, _ = results_context(simulate("reform-aco-2024", years=3, draws=0), "spent")
    chart = context["waterfall_chart"]
    lo, hi = chart["layout"]["yaxis"]["range"]
    base = chart["data"][0]["y"][0]
    assert 0 < lo < base < hi  # not a 0–£70bn axis that hides the factor bars
    assert chart["data"][0]["measure"][-1] == "total" and "£bn" in chart["layout"]["title"]["text"]
