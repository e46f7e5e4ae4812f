"""The devocare web app and REST API: pages in the NHS.UK design language over the Python API.

``create_app()`` builds the FastAPI application; ``devocare serve`` runs it with uvicorn. Every number the
app shows comes from a library call made while serving the request; the web layer only formats it.
"""

from devocare.web.app import create_app
from devocare.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
