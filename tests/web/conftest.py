import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from devocare.web import WebSettings, create_app

    db = tmp_path_factory.mktemp("web") / "saved.db"
    return create_app(
        WebSettings(
            max_body_bytes=200_000, max_jobs_per_client=2, max_job_cells=5_000_000, database_url=f"sqlite:///{db}"
        )
    )


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def html_client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False, headers={"accept": "text/html"}) as c:
        yield c


def free_port() -> int:
    """A loopback port nobody is listening on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path) -> Iterator[str]:
    """Serve the app with its saved work in ``db`` until the generator is closed; yields its base URL."""
    import uvicorn

    from devocare.web import WebSettings, create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(WebSettings(database_url=f"sqlite:///{db}")), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, request) -> Iterator[str]:
    """A live server (its own saved-work database) for one module's browser tests; its base URL."""
    yield from serve(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "saved.db")
