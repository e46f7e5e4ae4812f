from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

BUILTIN = Path(__file__).parents[2] / "src/devocare/architecture/builtins/status-quo-2023.yaml"


@pytest.fixture()
def saved_client(tmp_path):
    from fastapi.testclient import TestClient

    from devocare.web import WebSettings, create_app

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/saved.db"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_save_list_get_delete_architecture(saved_client):
    r = saved_client.post("/api/v1/saved/architectures", json={"name": "my copy", "yaml": BUILTIN.read_text()})
    assert r.status_code == 201 and r.json()["architecture_id"] == "status-quo-2023"
    item = r.json()["id"]
    listing = saved_client.get("/api/v1/saved/architectures").json()
    assert listing["total"] == 1 and listing["items"][0]["name"] == "my copy"
    assert saved_client.get(f"/api/v1/saved/architectures/{item}").json()["yaml_text"] == BUILTIN.read_text()
    assert saved_client.delete(f"/api/v1/saved/architectures/{item}").status_code == 204
    assert saved_client.get(f"/api/v1/saved/architectures/{item}").status_code == 404


def test_invalid_architecture_is_not_saved_and_every_problem_listed(saved_client):
    r = saved_client.post("/api/v1/saved/architectures", json={"name": "bad", "yaml": "id: x\nbodies: []\n"})
    assert r.status_code == 400
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"name", "bodies", "money"} <= fields
    unsafe = saved_client.post(
        "/api/v1/saved/architectures", json={"name": "bad", "yaml": "!!python/object/apply:os.system ['true']"}
    )
    assert unsafe.status_code == 400
    assert "YAML tag !!python/object/apply:os.system is not accepted" in str(unsafe.json())
    assert saved_client.get("/api/v1/saved/architectures").json()["total"] == 0


def test_scenarios_round_trip_and_pagination(saved_client):
    ids = [
        saved_client.post("/api/v1/saved/scenarios", json={"name": f"s{i}", "payload": {"years": i}}).json()["id"]
        for i in range(5)
    ]
    page = saved_client.get("/api/v1/saved/scenarios", params={"page": 2, "page_size": 2}).json()
    assert page["total"] == 5 and page["pages"] == 3 and len(page["items"]) == 2
    assert saved_client.get(f"/api/v1/saved/scenarios/{ids[0]}").json()["payload"] == {"years": 0}
    assert saved_client.post("/api/v1/saved/scenarios", json={"name": "", "payload": {}}).status_code == 422
    assert saved_client.get("/api/v1/saved/runs/12345").status_code == 404


def test_saved_architecture_can_be_diffed_and_measured(saved_client):
    text = BUILTIN.read_text().replace("id: status-quo-2023", "id: my-status-quo", 1)
    item = saved_client.post("/api/v1/saved/architectures", json={"name": "copy", "yaml": text}).json()["id"]
    d = saved_client.get("/api/v1/diff", params={"a": "status-quo-2023", "b": f"saved:{item}"})
    assert d.status_code == 200 and d.json()["b"] == "my-status-quo" and d.json()["bodies_created"] == []
    rows = saved_client.get("/api/v1/metrics", params=[("id", "status-quo-2023"), ("id", f"saved:{item}")]).json()
    assert rows[0]["centralism_index"] == pytest.approx(rows[1]["centralism_index"])
    assert saved_client.get("/api/v1/diff", params={"a": "saved:999", "b": "status-quo-2023"}).status_code == 404
