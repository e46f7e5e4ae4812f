"""The hostile architecture corpus sent to the API: every file is refused with a 4xx problem document that
lists its problems (never a 5xx), and nothing is saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

HOSTILE = Path(__file__).resolve().parents[1] / "security" / "hostile"
MANIFEST: dict[str, dict[str, str]] = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))


def _texts() -> dict[str, str]:
    out = {}
    for rel, entry in sorted(MANIFEST.items()):
        if entry["kind"] != "architecture":
            continue
        try:
            text = (HOSTILE / rel).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # JSON cannot carry bytes that are not UTF-8; the upload test below sends those
        if text.strip():
            out[rel] = text
    return out


def test_every_hostile_architecture_gets_a_4xx_problem_and_nothing_is_saved(client) -> None:
    texts = _texts()
    assert len(texts) >= 80
    before = client.get("/api/v1/saved/architectures").json()
    for rel, text in texts.items():
        for url, body in (
            ("/api/v1/architectures/validate", {"yaml": text}),
            ("/api/v1/saved/architectures", {"name": "hostile", "yaml": text}),
        ):
            r = client.post(url, json=body)
            assert 400 <= r.status_code < 500, (rel, url, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith("application/problem+json"), (rel, url)
            assert "Traceback" not in r.text
    assert client.get("/api/v1/saved/architectures").json() == before


def test_lone_surrogate_in_json_is_a_problem_not_a_server_error(client) -> None:
    raw = '{"yaml": "id: x\\nname: \\ud800\\n"}'
    r = client.post("/api/v1/architectures/validate", content=raw, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500 and "unicode" in r.text.lower(), (r.status_code, r.text[:300])


@pytest.mark.parametrize("rel", sorted(r for r, e in MANIFEST.items() if e["kind"] == "architecture")[:40])
def test_hostile_uploads_are_refused(html_client, rel: str) -> None:
    data = (HOSTILE / rel).read_bytes()
    r = html_client.post(
        "/architectures/upload", data={"name": "hostile"}, files={"file": ("hostile.yaml", data, "application/x-yaml")}
    )
    assert 400 <= r.status_code < 500, (rel, r.status_code, r.text[:300])


@pytest.mark.parametrize("levels", [100, 1000, 5000])
def test_deeply_nested_json_bodies_get_a_4xx(client, levels: int) -> None:
    scenario = '{"name": "deep", "payload": ' + '{"a": ' * levels + "1" + "}" * levels + "}"
    r = client.post("/api/v1/saved/scenarios", content=scenario, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, (levels, r.status_code, r.text[:200])
    yaml_in_json = '{"yaml": ' + "[" * levels + "]" * levels + "}"
    r = client.post(
        "/api/v1/architectures/validate", content=yaml_in_json, headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500, (levels, r.status_code, r.text[:200])
