import pytest

pytestmark = pytest.mark.unit


def test_oversized_body_is_rejected_with_413(client):
    r = client.post("/api/v1/areas", content=b"x" * 300_000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "200000" in r.json()["detail"]


def test_streamed_oversized_body_is_rejected_while_read():
    from fastapi import FastAPI, Request
    from fastapi.testclient import TestClient

    from devocare.web.limits import BodySizeLimit

    echo = FastAPI()

    @echo.post("/echo")
    async def read_all(request: Request):
        return {"bytes": len(await request.body())}

    echo.add_middleware(BodySizeLimit, max_bytes=50_000)

    def chunks(n):
        for _ in range(n):
            yield b"y" * 10_000

    with TestClient(echo) as c:
        assert c.post("/echo", content=chunks(3)).json() == {"bytes": 30_000}
        r = c.post("/echo", content=chunks(30))
    assert r.status_code == 413


def test_small_body_passes_the_limit(client):
    r = client.post("/api/v1/areas", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 405  # reached the router: only GET is defined


def test_html_errors_are_pages_not_tracebacks(html_client):
    r = html_client.get("/area", params={"area": "Manchestr"})
    assert r.status_code == 200
    assert "nhsuk-error-message" in r.text and "Manchestr" in r.text and "Manchester" in r.text
    r = html_client.get("/no-such-page")
    assert r.status_code == 404 and "nhsuk-error-summary" in r.text


def test_unexpected_errors_are_500_problems_without_internals(tmp_path):
    from fastapi.testclient import TestClient

    from devocare.web import WebSettings, create_app

    app = create_app(WebSettings(database_url=f"sqlite:///{tmp_path}/saved.db"))

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
    assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text


def test_plotly_is_served_locally(client):
    r = client.get("/assets/plotly.min.js")
    assert r.status_code == 200 and len(r.content) > 1_000_000
    assert "cdn" not in client.get("/").text.lower()
