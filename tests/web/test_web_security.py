"""Browser safety and reliability of the web app: no cross-site state change, security headers, host and
forwarded-header trust, body limits, malformed stored items, races with deletes and database outages."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from devocare.web import WebSettings, create_app

pytestmark = pytest.mark.integration


@pytest.fixture()
def fresh(tmp_path):
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/saved.db", max_body_bytes=50_000))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# CSRF -------------------------------------------------------------------------------------------------


def test_cross_site_form_posts_change_nothing(fresh):
    item = fresh.post("/api/v1/saved/scenarios", json={"name": "keep", "payload": {}}).json()["id"]
    attacks = [
        {"origin": "http://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "http://testserver"},  # a sibling site on another port
        {"referer": "http://evil.example/page.html"},
    ]
    for headers in attacks:
        r = fresh.post(f"/saved/scenarios/{item}/delete", headers=headers, follow_redirects=False)
        assert r.status_code == 403, headers
        assert r.headers["content-type"].startswith("application/problem+json")
        r = fresh.post("/simulate/scenario", data={"name": "planted", "query": "arch=x"}, headers=headers)
        assert r.status_code == 403
        r = fresh.delete(f"/api/v1/saved/scenarios/{item}", headers=headers)
        assert r.status_code == 403
    listed = fresh.get("/api/v1/saved/scenarios").json()
    assert [s["name"] for s in listed["items"]] == ["keep"]
    # The same form from this site's own page works, and so does a client that sends no browser headers.
    same = fresh.post(
        f"/saved/scenarios/{item}/delete",
        follow_redirects=False,
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    )
    assert same.status_code == 303
    assert fresh.post("/api/v1/saved/scenarios", json={"name": "x", "payload": {}}).status_code == 201


def test_get_requests_change_nothing(fresh):
    before = len(fresh.app.state.jobs._jobs)
    r = fresh.get("/simulate?arch=status-quo-2023&years=2&draws=0&seed=4242&run=1")
    assert r.status_code == 200 and len(fresh.app.state.jobs._jobs) == before
    for path in ("/saved/scenarios/1/delete", "/simulate/scenario", "/architectures/upload", "/logout"):
        assert fresh.get(path).status_code in {404, 405}, path


# headers ----------------------------------------------------------------------------------------------


def test_security_headers_on_pages_api_and_errors(fresh):
    for url in ("/", "/saved", "/api/v1/architectures", "/api/v1/nothing-here", "/assets/app.js"):
        r = fresh.get(url)
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-eval" not in csp, url
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"


def test_pages_have_no_inline_scripts(fresh):
    import re

    for url in ("/", "/simulate", "/saved", "/architectures", "/nothing-here"):
        html = fresh.get(url, headers={"accept": "text/html"}).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert "javascript:" not in html and " onclick=" not in html


def test_unknown_host_names_are_refused(tmp_path):
    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/s.db", allowed_hosts=("localhost", "127.0.0.1")))
    with TestClient(app, base_url="http://localhost:8000") as c:
        assert c.get("/api/v1/architectures").status_code == 200
        assert c.get("/api/v1/architectures", headers={"host": "rebound.evil.example"}).status_code == 400


# forwarded headers ------------------------------------------------------------------------------------


def _serve(app, options):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = {k: v for k, v in options.items() if k not in {"host", "port", "workers", "log_level"}}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("proxies, seen", [(None, "127.0.0.1"), ("127.0.0.1", "203.0.113.9")])
def test_forwarded_for_is_believed_only_from_configured_proxies(tmp_path, proxies, seen):
    from devocare.cli.serve import uvicorn_options
    from devocare.web.auth import client_key

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/s.db"))

    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, str]:
        return {"client": client_key(request)}

    server, thread, base = _serve(app, uvicorn_options("127.0.0.1", 8000, 1, proxies))
    try:
        got = httpx.get(base + "/whoami", headers={"x-forwarded-for": "203.0.113.9"}, timeout=10).json()
        assert got["client"] == seen
    finally:
        server.should_exit = True
        thread.join(10)


def test_serve_bounds_workers_and_refuses_unknown_auth():
    from devocare.cli.serve import check_shared_database, uvicorn_options
    from devocare.errors import DevocareError

    assert uvicorn_options("127.0.0.1", 8000, 4, None)["workers"] == 4
    for bad in (0, -1, 65):
        with pytest.raises(DevocareError, match="--workers must be between 1 and 64"):
            uvicorn_options("127.0.0.1", 8000, bad, None)
    with pytest.raises(DevocareError, match="in-memory SQLite"):
        check_shared_database("sqlite://", 2)
    check_shared_database("sqlite://", 1)
    with pytest.raises(DevocareError, match="not an IP address"):
        uvicorn_options("127.0.0.1", 8000, 1, "proxy.example")
    with pytest.raises(Exception, match="auth must be"):
        WebSettings(auth="passwords")


# bodies -----------------------------------------------------------------------------------------------


def test_chunked_oversized_body_to_a_json_route_gets_413(fresh):
    def chunks():
        yield b'{"name": "big", "payload": {"x": "'
        for _ in range(20):
            yield b"y" * 5_000
        yield b'"}}'

    r = fresh.post("/api/v1/saved/scenarios", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    assert fresh.get("/api/v1/saved/scenarios").json()["total"] == 0


@pytest.mark.parametrize("depth", [40, 5_000, 40_000])
def test_deeply_nested_json_is_a_400_not_a_crash(fresh, depth):
    body = '{"name": "deep", "payload": {"x": ' + "[" * depth + "]" * depth + "}}"
    r = fresh.post(
        "/api/v1/saved/scenarios",
        content=body.encode()[:49_000] if depth > 10_000 else body.encode(),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400 and "nested deeper" in r.json()["detail"]
    shallow = '{"name": "ok", "payload": {"x": [[["a", "]]]]]"]]]}}'  # brackets inside strings do not count
    assert (
        fresh.post("/api/v1/saved/scenarios", content=shallow, headers={"content-type": "application/json"}).status_code
        == 201
    )


def test_page_size_limit_applies_to_saved_lists(fresh):
    limit = fresh.app.state.settings.max_page_size
    for kind in ("architectures", "scenarios", "runs"):
        r = fresh.get(f"/api/v1/saved/{kind}", params={"page_size": limit + 1})
        assert r.status_code == 400 and "over the limit" in r.json()["detail"]
    spec = fresh.get("/api/v1/openapi.json").json()
    params = spec["paths"]["/api/v1/saved/runs"]["get"]["parameters"]
    assert next(p for p in params if p["name"] == "page_size")["schema"]["maximum"] == limit


# stored items ------------------------------------------------------------------------------------------


def test_one_malformed_stored_item_breaks_no_page(fresh):
    import sqlalchemy as sa

    fresh.post(
        "/api/v1/saved/scenarios",
        json={"name": "good", "payload": {"page": "simulate", "query": {"arch": "status-quo-2023"}}},
    )
    store = fresh.app.state.store
    bad_payloads = ['{"query": "x"}', "[1, 2]", "null", '{"query": {"arch": "\\ud800"}}', '"just text"']
    with store.engine.begin() as conn:
        for i, payload in enumerate(bad_payloads):
            conn.execute(
                sa.text("INSERT INTO scenarios (name, payload, created_at) VALUES (:n, :p, :t)"),
                {"n": f"bad {i}", "p": payload, "t": "2026-01-01 00:00:00"},
            )
    page = fresh.get("/saved", headers={"accept": "text/html"})
    assert page.status_code == 200 and "good" in page.text and "bad 4" in page.text
    listed = fresh.get("/api/v1/saved/scenarios")
    assert listed.status_code == 200 and listed.json()["total"] == 6
    for item in listed.json()["items"]:
        assert fresh.get(f"/api/v1/saved/scenarios/{item['id']}").status_code == 200


def test_lone_surrogates_are_refused_on_save(fresh):
    r = fresh.post(
        "/api/v1/saved/scenarios",
        content=b'{"name": "s", "payload": {"x": "\\ud800"}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400 and "surrogate" in r.json()["detail"]


def test_saved_runs_show_no_server_paths(fresh):
    import pandas as pd

    store = fresh.app.state.store if getattr(fresh.app.state, "store", None) else None
    if store is None:
        fresh.get("/api/v1/saved/runs")
        store = fresh.app.state.store
    store.save_run("r", {"a": 1}, {"b": 2}, pd.DataFrame({"v": [1.0]}))
    text = fresh.get("/api/v1/saved/runs").text
    assert "table_path" not in text and str(store.runs_dir) not in text and "/tmp" not in text
    assert fresh.get("/api/v1/saved/runs").json()["items"][0]["has_table"] is True


def test_reading_a_run_table_while_it_is_deleted_is_404_never_500(fresh):
    import pandas as pd

    fresh.get("/api/v1/saved/runs")
    store = fresh.app.state.store
    table = pd.DataFrame({"v": range(50_000)})
    statuses: list[int] = []
    for _ in range(15):
        run = store.save_run("r", {}, {}, table)
        reader = threading.Thread(
            target=lambda run=run: statuses.extend(
                fresh.get(f"/api/v1/saved/runs/{run}/table", params={"page_size": 10}).status_code for _ in range(3)
            )
        )
        reader.start()
        assert fresh.delete(f"/api/v1/saved/runs/{run}").status_code == 204
        reader.join(30)
    assert statuses and set(statuses) <= {200, 404}, statuses
    # The file gone but the row still there (a crash between the two): 404 too.
    run = store.save_run("r", {}, {}, table)
    store.get_run(run).table_path.unlink()
    r = fresh.get(f"/api/v1/saved/runs/{run}/table")
    assert r.status_code == 404 and str(store.runs_dir) not in r.text


# database outages --------------------------------------------------------------------------------------


def test_database_outage_answers_503_then_recovers(fresh):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    fresh.get("/api/v1/saved/scenarios")
    store = fresh.app.state.store
    engine, sessions = store.engine, store._sessions
    store.engine = create_engine("sqlite:////nonexistent-folder/for/sure/x.db")
    store._sessions = sessionmaker(store.engine)
    try:
        for method, url in (
            ("GET", "/api/v1/saved/scenarios"),
            ("GET", "/api/v1/saved/runs/1"),
            ("DELETE", "/api/v1/saved/scenarios/1"),
        ):
            r = fresh.request(method, url)
            assert r.status_code == 503 and r.headers["retry-after"] == "5", (url, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        page = fresh.get("/saved", headers={"accept": "text/html"})
        assert page.status_code == 503 and "unavailable" in page.text
        assert fresh.post("/api/v1/saved/scenarios", json={"name": "n", "payload": {}}).status_code == 503
    finally:
        store.engine, store._sessions = engine, sessions
    assert fresh.get("/api/v1/saved/scenarios").status_code == 200


def test_unreachable_database_at_first_use_answers_503(tmp_path):
    app = create_app(WebSettings(database_url="postgresql://nobody:secret@127.0.0.1:1/none"))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/saved/scenarios")
        assert r.status_code == 503 and "secret" not in r.text
        assert c.get("/api/v1/architectures").status_code == 200  # the rest of the app keeps working
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    app = create_app(WebSettings(database_url=f"sqlite:///{blocked}/sub/x.db"))
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.get("/api/v1/saved/runs").status_code == 503


def test_problem_documents_for_errors_are_declared_in_openapi(fresh):
    spec = fresh.get("/api/v1/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for status in ("400", "404", "422", "503"):
                content = op["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    assert json.dumps(spec).count("HTTPValidationError") == 0


def test_json_depth_counts_levels_ignores_strings_and_stops_early():
    from devocare.web.limits import json_depth

    assert json_depth(b'[[1], [2, [3]], {"a": {"b": []}}]') == 4
    assert json_depth(b'"[[[[{{{{"') == 0 and json_depth(b"not json") is None
    assert json_depth(b"[" * 500_000 + b"]" * 500_000, 32) == 33  # the parser's own limit counts as too deep
    assert json_depth(b"[" * 40 + b"]" * 40, 32) == 33  # counting stops past the limit
