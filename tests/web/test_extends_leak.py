"""Architectures submitted over the web may extend built-ins and saved:<id> only: no server file is opened,
and the answer is the same whether a path exists or not (the /etc/shadow leak through ``extends:``)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SECRET = "root:$6$s3cr3t-hash:19000:0:99999:7:::"
CHILD = "id: child\nname: Child\nsources: ['assumption: test']\nextends: {ref}\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "shadow.yaml"
    path.write_text(f"{SECRET}\ndaemon: secret-value-42\n", encoding="utf-8")
    return path


def _calls(client, ref: str):
    text = CHILD.format(ref=ref)
    yield client.post("/api/v1/architectures/validate", json={"yaml": text})
    yield client.post("/api/v1/saved/architectures", json={"name": "leak", "yaml": text})
    yield client.post(
        "/architectures/upload", data={"name": "leak", "yaml_text": text}, headers={"accept": "application/json"}
    )


def test_validate_save_and_upload_never_read_a_server_file(client, secret: Path) -> None:
    before = client.get("/api/v1/saved/architectures").json()
    for ref in (str(secret), str(secret.with_name("absent.yaml")), "../../../../etc/passwd", "/etc/shadow"):
        for r in _calls(client, ref):
            assert 400 <= r.status_code < 500, (ref, r.status_code, r.text[:300])
            assert (
                r.headers["content-type"].startswith("application/problem+json")
                or "text/html" in r.headers["content-type"]
            )
            assert "s3cr3t" not in r.text and "secret-value" not in r.text and "daemon" not in r.text
            assert "not a file" in r.text
    assert client.get("/api/v1/saved/architectures").json() == before


def test_existing_and_missing_paths_get_identical_answers(client, secret: Path) -> None:
    there = client.post("/api/v1/architectures/validate", json={"yaml": CHILD.format(ref=str(secret))})
    absent = client.post("/api/v1/architectures/validate", json={"yaml": CHILD.format(ref="/nonexistent/x.yaml")})
    assert there.status_code == absent.status_code
    assert there.json()["errors"][0]["message"].replace(str(secret), "P") == absent.json()["errors"][0][
        "message"
    ].replace("/nonexistent/x.yaml", "P")


def test_a_saved_architecture_can_be_extended(client) -> None:
    base = (
        "extends: status-quo-2023\nid: sq5\nname: SQ5\nsources: ['assumption: test']\nmoney:\n  settlement_years: 5\n"
    )
    saved = client.post("/api/v1/saved/architectures", json={"name": "sq5 base", "yaml": base})
    assert saved.status_code == 201, saved.text
    ref = f"saved:{saved.json()['id']}"
    ok = client.post("/api/v1/architectures/validate", json={"yaml": CHILD.format(ref=ref)})
    assert ok.status_code == 200 and ok.json()["id"] == "child", ok.text
    stored = client.post("/api/v1/saved/architectures", json={"name": "child", "yaml": CHILD.format(ref=ref)})
    assert stored.status_code == 201, stored.text
    missing = client.post("/api/v1/architectures/validate", json={"yaml": CHILD.format(ref="saved:999999")})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "extends"
