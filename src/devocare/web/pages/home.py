"""The start page and the about-the-data page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from devocare import data
from devocare.web import render

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    """What each page answers, with links."""
    return render.page(request, "index.html", "England's health and care system, executable", "")


@router.get("/about")
def about(request: Request) -> Response:
    """The embedded datasets with publisher and licence."""
    cat = data.list_datasets()
    return render.page(request, "about.html", "About the data", "", datasets={"datasets": cat}, catalogue=cat)


@router.get("/docs")
def api_reference(request: Request) -> Response:
    """The REST API's operations read from the app's own OpenAPI document (no CDN-hosted viewer needed)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", "") or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            body_name = body.get("$ref", "").rsplit("/", 1)[-1]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "params": params,
                    "body": body_name,
                }
            )
    return render.page(
        request,
        "api.html",
        "REST API",
        "",
        operations=operations,
        version=spec["info"]["version"],
        description=spec["info"].get("description", ""),
    )
