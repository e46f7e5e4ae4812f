"""Browser safety as one pure ASGI middleware: host names checked (against DNS rebinding), no cross-site
state change (Origin / Sec-Fetch-Site checks on every unsafe method), and security headers on every response.

Why origin checks rather than per-form tokens: every state-changing request a browser sends carries
``Origin`` (and modern ones ``Sec-Fetch-Site``), which a page on another site cannot forge; requests with
neither come from non-browser clients (curl, scripts with a bearer token), which no other site can make a
visitor's browser send. The session cookie is also ``SameSite=Strict``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devocare.web.problems import send_problem

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""Scripts only from this server (no inline script, no eval); Plotly sets inline styles, hence
``'unsafe-inline'`` for styles only; no framing (clickjacking)."""

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def _netloc(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is None or (parts.scheme, port) in {("http", 80), ("https", 443)}:
        return host
    return f"{host}:{port}"


def _host_netloc(scope: Scope, host: str) -> str:
    return _netloc(f"{scope.get('scheme', 'http')}://{host}")


class BrowserSafety:
    """Refuse unknown hosts (400) and cross-site unsafe requests (403); add security headers."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] = ("*",)) -> None:
        self.app = app
        self.allowed_hosts = {h.lower() for h in allowed_hosts}

    def _host_allowed(self, host: str) -> bool:
        if "*" in self.allowed_hosts:
            return True
        name = urlsplit(f"//{host}").hostname or ""
        return name.lower() in self.allowed_hosts

    @staticmethod
    def cross_site(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
        """Why an unsafe request is cross-site, or None when it is same-origin or from a non-browser client."""
        fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1").lower()
        if fetch_site in {"cross-site", "same-site"}:
            return f"Sec-Fetch-Site is {fetch_site}"
        own = _host_netloc(scope, headers.get(b"host", b"").decode("latin-1"))
        origin = headers.get(b"origin")
        if origin is not None:
            text = origin.decode("latin-1")
            if text == "null" or _netloc(text) != own:
                return f"Origin {text!r} is not this server"
            return None
        referer = headers.get(b"referer")
        if referer is not None and _netloc(referer.decode("latin-1")) != own:
            return "Referer is another site"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with headers added to the response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if not self._host_allowed(host):
            await send_problem(scope, send, 400, "this server does not answer to that host name")
            return
        if scope["method"] not in SAFE_METHODS:
            reason = self.cross_site(scope, headers)
            if reason is not None:
                await send_problem(scope, send, 403, f"cross-site request refused ({reason})")
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
