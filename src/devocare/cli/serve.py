"""``devocare serve``: run the web app and REST API with uvicorn."""

from __future__ import annotations

import ipaddress
from typing import Any

import typer

from devocare.errors import DevocareError

LOOPBACK_HOSTS = "localhost,127.0.0.1,::1"
MAX_WORKERS = 64
"""Most worker processes ``--workers`` accepts (each loads the data and the engine: ~0.5 GB)."""


def check_shared_database(database: str | None, workers: int) -> None:
    """Several workers share job state through the database: an in-memory SQLite database cannot be shared."""
    if workers == 1:
        return
    from devocare.storage.store import resolve_url

    url = resolve_url(database or None)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise DevocareError(
            f"--workers {workers} needs a database the worker processes share (a SQLite file or "
            "PostgreSQL), not an in-memory SQLite database"
        )


def shared_state(database: str | None) -> tuple[dict[str, str], Any]:
    """Environment every worker process reads: one server id, one job folder, one database.

    Returns the variables and the temporary job folder to remove when the server stops (None when
    ``DEVOCARE_SPILL_DIR`` names a folder)."""
    import os
    import secrets
    import tempfile

    env = {"DEVOCARE_SERVER_ID": secrets.token_hex(8)}
    folder = None
    if not os.environ.get("DEVOCARE_SPILL_DIR"):
        folder = tempfile.TemporaryDirectory(prefix="devocare-jobs-")
        env["DEVOCARE_SPILL_DIR"] = folder.name
    if database:
        env["DEVOCARE_DATABASE_URL"] = database
    return env, folder


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uvicorn_options(host: str, port: int, workers: int, forwarded_allow_ips: str | None) -> dict[str, Any]:
    """uvicorn's settings: forwarded headers (``X-Forwarded-For``/``-Proto``) are believed only from the
    configured proxies; by default from no one, so a client cannot pose as another address."""
    if not 0 < port < 65536:
        raise DevocareError(f"--port must be between 1 and 65535, got {port}")
    if not 1 <= workers <= MAX_WORKERS:
        raise DevocareError(f"--workers must be between 1 and {MAX_WORKERS}, got {workers}")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        "proxy_headers": bool(forwarded_allow_ips),
    }
    if forwarded_allow_ips:
        for part in forwarded_allow_ips.split(","):
            try:
                ipaddress.ip_network(part.strip(), strict=False)
            except ValueError:
                if part.strip() != "*":
                    raise DevocareError(
                        f"--forwarded-allow-ips: {part.strip()!r} is not an IP address or network"
                    ) from None
        options["forwarded_allow_ips"] = forwarded_allow_ips
    return options


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the main app."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        workers: int = typer.Option(
            1,
            "--workers",
            help="Worker processes; they share job state through the database and results through one job folder.",
        ),
        database: str = typer.Option(
            "",
            "--database",
            help="Saved-work and job database (URL or SQLite file; default "
            "$DEVOCARE_DATABASE_URL, $DATABASE_URL, $DEVOCARE_DB or "
            "devocare.db in the per-user data folder).",
        ),
        auth: str = typer.Option(
            "none",
            "--auth",
            help="none: single local user, no sign-in; tokens: a shared server where "
            "each user signs in with a token from 'devocare users add'.",
        ),
        forwarded_allow_ips: str = typer.Option(
            "",
            "--forwarded-allow-ips",
            help="Comma-separated proxy addresses whose X-Forwarded-For/-Proto headers are believed (default: none).",
        ),
        allowed_hosts: str = typer.Option(
            "",
            "--allowed-hosts",
            help="Comma-separated host names the server answers to (default: localhost names on a "
            "loopback address, any otherwise).",
        ),
    ) -> None:
        """Serve the web app (pages at /, REST API at /api/v1, OpenAPI at /docs)."""
        import os

        from devocare.extras import require

        require("web", "devocare serve")
        if auth not in {"none", "tokens"}:
            raise DevocareError(f"--auth must be 'none' or 'tokens', got {auth!r}")
        options = uvicorn_options(host, port, workers, forwarded_allow_ips or None)
        check_shared_database(database, workers)
        if auth == "none" and not _is_loopback(host):
            typer.echo(
                "warning: serving without --auth on a non-loopback address: anyone who can reach it "
                "can read and delete the saved work; use --auth tokens on a shared server",
                err=True,
            )
        import uvicorn

        os.environ.setdefault("DEVOCARE_WARM", "1")  # compute built-in metrics etc. before the first visitor
        os.environ["DEVOCARE_AUTH"] = auth
        hosts = allowed_hosts or (LOOPBACK_HOSTS if _is_loopback(host) else "")
        if hosts:
            os.environ["DEVOCARE_ALLOWED_HOSTS"] = hosts
        env, folder = shared_state(database or None)
        os.environ.update(env)
        typer.echo(f"devocare web app on http://{host}:{port}/ (API docs at /docs); Ctrl+C stops it", err=True)
        try:
            uvicorn.run("devocare.web:create_app", factory=True, **options)
        finally:
            if folder is not None:
                folder.cleanup()
