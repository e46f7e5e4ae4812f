"""A shared server (auth="tokens") with two users: one user can neither read, change nor delete the other's
saved work or jobs through any endpoint; a visitor who has not signed in gets 401; read-only share links work
for anyone holding them and stop when revoked; ids are never reused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from devocare.web import WebSettings, create_app

pytestmark = pytest.mark.integration

SECRET = "alice-private-plan"
ARCH = "extends: status-quo-2023\nid: alice-arch\nname: " + SECRET + "\nsources: ['assumption: test']\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from devocare.storage import accounts

    db = tmp_path_factory.mktemp("acl") / "saved.db"
    app = create_app(WebSettings(auth="tokens", database_url=f"sqlite:///{db}"))
    with TestClient(app, raise_server_exceptions=False) as anon:
        from devocare.storage import Store

        store = Store(f"sqlite:///{db}")
        tokens = {name: accounts.add_user(store, name) for name in ("alice", "bob")}
        clients = {
            name: TestClient(app, raise_server_exceptions=False, headers={"authorization": f"Bearer {token}"})
            for name, token in tokens.items()
        }
        alice = clients["alice"]
        saved_arch = alice.post("/api/v1/saved/architectures", json={"name": SECRET, "yaml": ARCH})
        ids = {
            "architectures": saved_arch.json()["id"],
            "scenarios": alice.post(
                "/api/v1/saved/scenarios",
                json={"name": SECRET, "payload": {"page": "simulate", "query": {"arch": "status-quo-2023"}}},
            ).json()["id"],
        }
        import pandas as pd

        user_id = accounts.user_for_token(store, tokens["alice"]).id
        ids["runs"] = store.save_run(SECRET, {"x": 1}, {"y": 2}, pd.DataFrame({"a": [1, 2]}), owner=user_id)
        from types import SimpleNamespace

        finished = SimpleNamespace(summary={"name": SECRET}, run_record={"name": SECRET})
        job = app.state.jobs.submit(
            "alice", "simulation", {"name": SECRET}, lambda progress, cancel: finished, owner=user_id
        )
        job.wait(10)
        ids["job"] = job.id
        yield {"app": app, "anon": anon, "store": store, "tokens": tokens, "ids": ids, "user_id": user_id, **clients}
        for c in clients.values():
            c.close()


def _url(path: str, ids: dict, kind: str | None = None) -> str:
    kind = kind or next((k for k in ("architectures", "scenarios", "runs") if f"/{k}" in path), "runs")
    return path.replace("{kind}", kind).replace("{item_id}", str(ids[kind])).replace("{job_id}", ids["job"])


def _owned_routes(app) -> list[tuple[str, str]]:
    """Every route that names a saved item or job by id: (method, path template)."""
    from devocare.web.problems import flat_routes

    out = []
    for route in flat_routes(app):
        if getattr(route, "methods", None) and {"item_id", "job_id"} & set(route.param_convertors):
            out += [(m, route.path) for m in sorted(route.methods - {"HEAD"})]
    return out


def test_every_endpoint_naming_an_item_hides_it_from_another_user(server):
    bob, ids = server["bob"], server["ids"]
    routes = _owned_routes(server["app"])
    assert len(routes) >= 20, routes  # API and pages: get, delete, table, share, cancel, save...
    for method, path in routes:
        for kind in ["architectures", "scenarios", "runs"] if "{kind}" in path else [None]:
            url = _url(path, ids, kind)
            r = bob.request(
                method,
                url,
                json={"name": "bob's copy"} if method == "POST" and "/api/" in url else None,
                data={"name": "bob's copy", "back": "/simulate"} if "/api/" not in url else None,
                follow_redirects=False,
            )
            assert r.status_code == 404, (method, url, r.status_code, r.text[:200])
            assert SECRET not in r.text, (method, url)
    # Nothing of Alice's was changed, deleted, shared or cancelled by any of that.
    alice = server["alice"]
    for kind in ("architectures", "scenarios", "runs"):
        item = alice.get(f"/api/v1/saved/{kind}/{ids[kind]}")
        assert item.status_code == 200 and item.json()["name"] == SECRET
    assert alice.get(f"/api/v1/simulations/{ids['job']}").json()["status"] == "finished"
    assert server["store"].count("runs", owner=None) == 0  # Bob saved nothing under anyone's name


def test_lists_show_only_your_own_work(server):
    bob, alice = server["bob"], server["alice"]
    for kind in ("architectures", "scenarios", "runs"):
        assert bob.get(f"/api/v1/saved/{kind}").json()["total"] == 0
        assert alice.get(f"/api/v1/saved/{kind}").json()["total"] == 1
    assert bob.get("/api/v1/simulations").json() == []
    assert [j["id"] for j in alice.get("/api/v1/simulations").json()] == [server["ids"]["job"]]
    for page in ("/saved", "/architectures", "/simulate", "/compare"):
        r = bob.get(page)
        assert r.status_code == 200 and SECRET not in r.text, page
    assert SECRET in alice.get("/saved").text


def test_a_saved_reference_to_another_users_architecture_is_not_found(server):
    bob, ids = server["bob"], server["ids"]
    ref = f"saved:{ids['architectures']}"
    assert bob.get("/api/v1/diff", params={"a": "status-quo-2023", "b": ref}).status_code == 404
    r = bob.post("/api/v1/simulations", json={"architecture": ref, "years": 1})
    assert r.status_code == 404 and SECRET not in r.text
    assert server["alice"].get("/api/v1/diff", params={"a": "status-quo-2023", "b": ref}).status_code == 200


def test_visitors_who_have_not_signed_in_get_401(server):
    anon, ids = server["anon"], server["ids"]
    for url in (
        "/api/v1/saved/architectures",
        f"/api/v1/saved/runs/{ids['runs']}",
        "/api/v1/simulations",
        f"/api/v1/simulations/{ids['job']}",
    ):
        r = anon.get(url)
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json"), url
        assert r.headers["www-authenticate"] == "Bearer"
    assert anon.post("/api/v1/simulations", json={"years": 1}).status_code == 401
    page = anon.get("/saved", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'href="/login?next=' in page.text
    bad = anon.get("/api/v1/saved/runs", headers={"authorization": "Bearer dc_0000000000000000_" + "x" * 43})
    assert bad.status_code == 401
    # Public data needs no sign-in.
    assert anon.get("/api/v1/architectures").status_code == 200


def test_share_link_gives_read_only_access_until_revoked(server):
    alice, bob, anon, ids = server["alice"], server["bob"], server["anon"], server["ids"]
    shared = alice.post(f"/api/v1/saved/runs/{ids['runs']}/share")
    assert shared.status_code == 201
    token = shared.json()["token"]
    assert len(token) >= 40 and alice.post(f"/api/v1/saved/runs/{ids['runs']}/share").json()["token"] == token
    for client in (bob, anon):
        got = client.get(f"/api/v1/shared/{token}")
        assert got.status_code == 200 and got.json()["name"] == SECRET and got.json()["kind"] == "runs"
        assert "owner_id" not in got.json() and "table_path" not in got.json()
        assert client.get(f"/api/v1/shared/{token}/table").json()["total"] == 2
        assert client.get(f"/shared/{token}", headers={"accept": "text/html"}).status_code == 200
    # Read-only: the link gives no way to change or delete, and Bob still cannot address the item by id.
    assert bob.delete(f"/api/v1/shared/{token}").status_code == 405
    assert bob.delete(f"/api/v1/saved/runs/{ids['runs']}").status_code == 404
    assert alice.delete(f"/api/v1/saved/runs/{ids['runs']}/share").status_code == 204
    assert anon.get(f"/api/v1/shared/{token}").status_code == 404
    assert anon.get("/api/v1/shared/" + "A" * 43).status_code == 404


def test_browser_sign_in_sets_a_strict_http_only_session_cookie(server):
    app, tokens = server["app"], server["tokens"]
    with TestClient(app, raise_server_exceptions=False) as browser:
        wrong = browser.post("/login", data={"token": "dc_nope", "next": "/saved"})
        assert wrong.status_code == 401 and "not valid" in wrong.text
        r = browser.post("/login", data={"token": tokens["alice"], "next": "//evil.example/"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/saved"  # no open redirect
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        page = browser.get("/saved")
        assert page.status_code == 200 and SECRET in page.text and "Sign out alice" in page.text
        assert browser.post("/logout", follow_redirects=False).status_code == 303
        browser.cookies.clear()
        assert browser.get("/api/v1/saved/runs").status_code == 401


def test_ids_are_never_reused_after_a_delete(server):
    alice = server["alice"]
    first = alice.post("/api/v1/saved/scenarios", json={"name": "a", "payload": {}}).json()["id"]
    assert alice.delete(f"/api/v1/saved/scenarios/{first}").status_code == 204
    second = alice.post("/api/v1/saved/scenarios", json={"name": "b", "payload": {}}).json()["id"]
    assert second > first
    assert alice.get(f"/api/v1/saved/scenarios/{first}").status_code == 404


def test_tokens_are_stored_only_as_scrypt_hashes(server):
    import sqlalchemy as sa

    with server["store"].engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT token_id, token_hash FROM users")).all()
    for _, token_hash in rows:
        assert token_hash.startswith("scrypt$")
        for token in server["tokens"].values():
            assert token.split("_", 2)[2] not in token_hash  # the secret: everything after the id
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t, _ in rows)


def test_extends_reaches_only_your_own_saved_architectures(server):
    bob, alice, ids = server["bob"], server["alice"], server["ids"]
    mine = f"extends: saved:{ids['architectures']}\nid: built-on\nname: Built on\nsources: ['assumption: t']\n"
    for url, body in (
        ("/api/v1/architectures/validate", {"yaml": mine}),
        ("/api/v1/saved/architectures", {"name": "copy", "yaml": mine}),
    ):
        r = bob.post(url, json=body)
        assert r.status_code in {400, 404} and SECRET not in r.text, (url, r.text[:300])
    assert alice.post("/api/v1/architectures/validate", json={"yaml": mine}).status_code == 200
    assert bob.get("/api/v1/saved/architectures").json()["total"] == 0


def test_share_button_on_the_saved_page_opens_the_read_only_link(server):
    alice, bob, ids = server["alice"], server["bob"], server["ids"]
    assert f'action="/saved/scenarios/{ids["scenarios"]}/share"' in alice.get("/saved").text
    r = alice.post(f"/saved/scenarios/{ids['scenarios']}/share", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/shared/")
    opened = bob.get(r.headers["location"], follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/simulate?")
    assert bob.post(f"/saved/scenarios/{ids['scenarios']}/share", follow_redirects=False).status_code == 404
