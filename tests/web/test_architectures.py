import pytest

pytestmark = pytest.mark.integration


def test_architecture_api_returns_the_library_views(client):
    from devocare import architecture, atlas

    arch = architecture.load("reform-aco-2024")
    assert client.get("/api/v1/architectures/reform-aco-2024/metrics").json()["centralism_index"] == pytest.approx(
        atlas.metrics(arch)["centralism_index"]
    )
    graph = client.get("/api/v1/architectures/reform-aco-2024/graph").json()
    assert len(graph["edges"]) == len(atlas.graph_json(arch)["edges"])
    chain = client.get("/api/v1/architectures/status-quo-2023/chain", params={"body": "icb"}).json()
    assert chain["chain"][-1]["to"] == "national_electorate" and chain["devolved"] is False
    listed = {a["id"] for a in client.get("/api/v1/architectures").json()}
    assert listed == set(architecture.builtin_ids())


def test_diff_and_metrics_endpoints(client):
    d = client.get("/api/v1/diff", params={"a": "status-quo-2023", "b": "reform-aco-2024"}).json()
    assert "nhse" in {b["id"] for b in d["bodies_abolished"]}
    rows = client.get("/api/v1/metrics", params=[("id", "status-quo-2023"), ("id", "ten-year-plan-2025")]).json()
    assert [r["id"] for r in rows] == ["status-quo-2023", "ten-year-plan-2025"]
    assert client.get("/api/v1/diff", params={"a": "status-quo-2023", "b": "status-quo-2032"}).status_code == 404


def test_validate_lists_every_problem_with_its_path(client):
    text = (
        "extends: status-quo-2023\nid: sq5\nname: SQ5\nsources: ['assumption: test']\nmoney:\n  settlement_years: 5\n"
    )
    ok = client.post("/api/v1/architectures/validate", json={"yaml": text})
    assert ok.status_code == 200 and ok.json()["id"] == "sq5"
    text = "extends: status-quo-2023\nid: x\nmoney:\n  settlement_years: -5\n  indexation: x\n"
    bad = client.post("/api/v1/architectures/validate", json={"yaml": text})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} >= {"money.settlement_years", "money.indexation"}


def test_architecture_page_has_graph_sankey_matrix_and_chain(html_client):
    r = html_client.get("/architectures/reform-aco-2024", params={"body": "combined_authority"})
    assert r.status_code == 200
    for needle in ("accountability-graph", "funding-sankey", "centralism matrix", "Electorate of each combined"):
        assert needle in r.text
    csv = html_client.get("/architectures/reform-aco-2024", params={"download": "function_matrix"})
    assert csv.text.startswith("function,domain,holder")
    assert html_client.get("/architectures/reform-aco-2025").status_code == 404


def test_compare_shows_metrics_and_change_list(html_client):
    r = html_client.get("/compare", params=[("arch", "status-quo-2023"), ("arch", "reform-split-2024")])
    assert r.status_code == 200 and "What changes from status-quo-2023 to reform-split-2024" in r.text
    assert "Functions moved" in r.text and "centralism_index" in r.text
    one = html_client.get("/compare", params={"arch": "status-quo-2023"})
    assert "arch-error" in one.text


def test_my_area_lists_bodies_money_and_outcomes(html_client):
    r = html_client.get("/area", params={"area": "E08000003"})
    assert "Who covers this area under each architecture" in r.text
    assert "Its money and need" in r.text and "Its outcomes against the framework" in r.text
    csv = html_client.get("/area", params={"area": "E08000003", "download": "bodies_covering"}).text
    assert "reform-aco-2024,Combined authority" in csv and "Greater Manchester" in csv
