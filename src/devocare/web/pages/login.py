"""Sign in and out on a shared server: an API token, checked once, becomes a session cookie (HttpOnly,
SameSite=Strict, Secure over HTTPS) so the browser never holds the token itself."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from devocare.web import render
from devocare.web.auth import COOKIE, auth_enabled
from devocare.web.problems import ProblemError
from devocare.web.store import get_store

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only a path on this server (no ``//host`` or ``https:`` redirects)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/saved"


@router.get("/login")
def login_page(request: Request, next: str = Query("/saved", max_length=500)) -> Response:
    """The sign-in form."""
    if not auth_enabled(request):
        raise ProblemError(404, "this server has no sign-in: it runs as a single-user local app")
    return render.page(request, "login.html", "Sign in", "", next=_safe_next(next), error="")


@router.post("/login")
def login(
    request: Request, token: str = Form(..., max_length=100), next: str = Form("/saved", max_length=500)
) -> Response:
    """Check the token; on success start a session and go on to ``next``."""
    from devocare.storage import accounts

    if not auth_enabled(request):
        raise ProblemError(404, "this server has no sign-in: it runs as a single-user local app")
    store = get_store(request)
    user = accounts.user_for_token(store, token.strip())
    if user is None:
        return render.page(
            request,
            "login.html",
            "Sign in",
            "",
            next=_safe_next(next),
            error="That token is not valid.",
            status_code=401,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        accounts.start_session(store, user),
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session and forget the cookie."""
    from devocare.storage import accounts

    value = request.cookies.get(COOKIE)
    if value and auth_enabled(request):
        accounts.end_session(get_store(request), value)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
