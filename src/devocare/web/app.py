"""The FastAPI application: pages, REST API under /api/v1, vendored NHS.UK assets and the Plotly bundle."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from devocare.web import problems
from devocare.web.api import router as api_router
from devocare.web.database import app_store
from devocare.web.jobs import JobManager
from devocare.web.limits import BodySizeLimit
from devocare.web.pages import router as pages_router
from devocare.web.security import BrowserSafety
from devocare.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

API_DESCRIPTION = """England's health and care system as executable structure, on real data.

Every figure is computed by the devocare library from embedded official data. Errors are RFC 9457
problem documents (`application/problem+json`) with 4xx status codes; large tables are paginated
(`page`, `page_size`); request bodies are limited in size (413 beyond the limit)."""


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the web app: HTML pages at /, the REST API at /api/v1, OpenAPI at /api/v1/openapi.json."""
    settings = settings or WebSettings()
    app = FastAPI(
        title="devocare",
        version=_version(),
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.jobs = JobManager(settings, store=lambda: app_store(app))
    problems.install(app)

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        """plotly.js from the installed plotly package (the app never calls a CDN)."""
        return FileResponse(
            PLOTLY_JS, media_type="application/javascript", headers={"cache-control": "public, max-age=86400"}
        )

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    app.mount("/assets", StaticFiles(directory=STATIC), name="assets")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, max_json_depth=settings.max_json_depth)
    app.add_middleware(BrowserSafety, allowed_hosts=settings.allowed_hosts)  # outermost: runs first
    if settings.warm:
        import threading

        from devocare.web.cache import warm

        threading.Thread(target=warm, daemon=True, name="devocare-warm").start()
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("devocare")
    except PackageNotFoundError:
        return "0"
