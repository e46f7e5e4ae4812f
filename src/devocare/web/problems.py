"""RFC 9457 problem details: every bad request becomes a 4xx ``application/problem+json`` (API) or an
error page (HTML), never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.web.errors import ProblemError

log = logging.getLogger("devocare.web")

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "in": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
"""RFC 9457 problem document, as the OpenAPI document declares it for every error response."""

API_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
"""Error statuses any API operation may answer with (each an ``application/problem+json`` body)."""


def problem_responses(codes: tuple[int, ...] = API_ERRORS) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries declaring each status with its problem+json body."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        code: {"description": TITLES.get(code, "Error"), "content": {PROBLEM_TYPE: {"schema": ref}}} for code in codes
    }


def declare_problem_schema(app: FastAPI) -> None:
    """Add the Problem schema to the app's OpenAPI components (the error responses refer to it)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            _declare_page_limit(schema, app.state.settings.max_page_size)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def problem_body(status: int, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    """The problem document: type, title, status, detail, instance plus any extension members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    status: int, detail: str, instance: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A ``application/problem+json`` response."""
    return JSONResponse(
        problem_body(status, detail, instance, **extra), status_code=status, media_type=PROBLEM_TYPE, headers=headers
    )


async def send_problem(scope: Any, send: Any, status: int, detail: str) -> None:
    """Answer with a problem document straight from ASGI middleware (before any route runs)."""
    import json

    body = json.dumps(problem_body(status, detail, scope.get("path", ""))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "text/html")


def _respond(
    request: Request,
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _wants_html(request):
        from devocare.web.render import render_error

        return render_error(request, status, TITLES.get(status, "Error"), detail, errors or [])
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    return problem_response(status, detail, request.url.path, headers=headers, **extra)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(
            {
                "field": ".".join(loc[1:] if len(loc) > 1 else loc),
                "in": loc[0] if loc else "",
                "message": str(err.get("msg", "invalid")),
            }
        )
    return out


def _declare_page_limit(schema: dict[str, Any], limit: int) -> None:
    """Every ``page_size`` parameter's maximum is this server's page-size limit (the contract says it)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if param.get("name") == "page_size" and isinstance(param.get("schema"), dict):
                    param["schema"]["maximum"] = min(param["schema"].get("maximum", limit), limit)


def flat_routes(app: Any) -> list[Any]:
    """Every route of the app with its path, methods and ``matches`` (included routers flattened)."""
    out: list[Any] = []
    for route in app.router.routes:
        expand = getattr(route, "effective_route_contexts", None)
        out.extend(expand() if callable(expand) else [route])
    return out


def _allowed_methods(request: Request) -> str:
    """Every method the requested path answers to (a 405's ``Allow`` header lists them all)."""
    from starlette.routing import Match

    matched = [
        route
        for route in flat_routes(request.app)
        if route.matches({**request.scope, "method": "GET"})[0] != Match.NONE
    ]
    # The most literal template wins, as in routing: /architectures/validate, not /architectures/{arch_id}.
    fewest = min((getattr(r, "path", "").count("{") for r in matched), default=0)
    methods: set[str] = set()
    for route in matched:
        if getattr(route, "path", "").count("{") == fewest:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document or an error page."""
    declare_problem_schema(app)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return _respond(request, exc.status, exc.detail, headers=exc.headers)

    from sqlalchemy.exc import DBAPIError

    from devocare.storage import DatabaseUnavailableError

    @app.exception_handler(DatabaseUnavailableError)
    async def _no_database(request: Request, exc: DatabaseUnavailableError) -> Response:
        log.warning("saved-work database unavailable: %s", exc)
        return _respond(
            request, 503, "The saved-work database is unavailable; try again shortly.", headers={"retry-after": "5"}
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        # A lost connection, a locked or unreachable database: the server is unwell, not the request.
        log.warning("database error on %s: %s", request.url.path, str(exc.orig or exc).splitlines()[0])
        return _respond(
            request, 503, "The saved-work database is unavailable; try again shortly.", headers={"retry-after": "5"}
        )

    @app.exception_handler(UnknownChoiceError)
    async def _unknown(request: Request, exc: UnknownChoiceError) -> Response:
        return _respond(request, 404 if exc.what in {"architecture", "job", "run", "indicator"} else 400, str(exc))

    @app.exception_handler(DevocareError)
    async def _devocare(request: Request, exc: DevocareError) -> Response:
        # A saved-work id that does not exist is a missing resource, not a bad request.
        status = 404 if type(exc).__name__ == "NotFoundError" else 400
        listed = getattr(exc, "problems", None)  # ArchitectureError: every problem with its path
        if isinstance(listed, list) and listed:
            errors = [
                {
                    "field": str(getattr(p, "path", "")),
                    "in": str(getattr(p, "file", "")),
                    "message": str(getattr(p, "message", p)),
                }
                for p in listed
            ]
            return _respond(request, status, str(exc).splitlines()[0], errors)
        return _respond(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['field'] or e['in']}: {e['message']}" for e in errors[:5]) or "invalid request"
        return _respond(request, 422, detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["allow"] = _allowed_methods(request)
            headers.pop("Allow", None)
        return _respond(request, exc.status_code, detail, headers=headers or None)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: log it with its traceback server-side, show the user no internals.
        log.exception("unhandled error on %s", request.url.path)
        return _respond(request, 500, "The server could not compute this; the error has been logged.")
