"""Who is asking: nobody in particular on a local single-user app; on a shared server (``auth="tokens"``)
the user of a bearer API token or of a browser session cookie.

Every saved item and job is looked up with :func:`owner` (the owner id the store filters by), so one user
can neither see nor touch another's work: it is reported missing (404), as if it did not exist.
"""

from __future__ import annotations

from fastapi import Request

from devocare.storage.accounts import User
from devocare.web.database import get_store
from devocare.web.errors import ProblemError

COOKIE = "devocare_session"
NOBODY = 0
"""An owner id no item has (ids start at 1): what an anonymous visitor of a shared server may list."""


def auth_enabled(request: Request) -> bool:
    """True on a shared server (sign-in required for saved work and jobs)."""
    return bool(request.app.state.settings.auth != "none")


def current_user(request: Request) -> User | None:
    """The signed-in user (token first, then session cookie), or None; worked out once per request."""
    if not auth_enabled(request):
        return None
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    from devocare.storage import accounts

    user = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = accounts.user_for_token(get_store(request), header[7:].strip())
        if user is None:
            raise ProblemError(401, "the API token is not valid", headers={"www-authenticate": "Bearer"})
    elif request.cookies.get(COOKIE):
        user = accounts.user_for_session(get_store(request), request.cookies[COOKIE])
    request.state.user = user
    return user


def owner(request: Request) -> int | None:
    """The owner id for saved work and jobs: None for the local user; the user's id on a shared server,
    where a visitor who has not signed in gets 401."""
    if not auth_enabled(request):
        return None
    user = current_user(request)
    if user is None:
        raise ProblemError(
            401,
            "sign in first: send 'Authorization: Bearer <token>' or sign in at /login",
            headers={"www-authenticate": "Bearer"},
        )
    return user.id


def viewer(request: Request) -> int | None:
    """Like :func:`owner`, but a visitor who has not signed in gets :data:`NOBODY` (empty lists), not 401:
    for pages that show saved items beside public ones."""
    if not auth_enabled(request):
        return None
    user = current_user(request)
    return user.id if user is not None else NOBODY


def client_key(request: Request) -> str:
    """Whose job count the per-client cap checks: the user on a shared server, else the peer address (only
    a configured proxy's forwarded address replaces it; see ``devocare serve --forwarded-allow-ips``)."""
    user = current_user(request)
    if user is not None:
        return f"user:{user.id}"
    return request.client.host if request.client else "unknown"
