import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from devocare.web import WebSettings, create_app

    db = tmp_path_factory.mktemp("web") / "saved.db"
    return create_app(WebSettings(max_body_bytes=200_000, max_jobs_per_client=2, max_job_cells=5_000_000,
                                  database_url=f"sqlite:///{db}"))


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
