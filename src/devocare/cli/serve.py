"""``devocare serve``: run the web app and REST API with uvicorn."""

from __future__ import annotations

import typer

from devocare.errors import DevocareError


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the main app."""

    @app.command("serve")
    def serve(host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
              port: int = typer.Option(8000, "--port", help="TCP port."),
              workers: int = typer.Option(1, "--workers", help="Worker processes (jobs live in one process).")
              ) -> None:
        """Serve the web app (pages at /, REST API at /api/v1, OpenAPI at /docs)."""
        if not 0 < port < 65536:
            raise DevocareError(f"--port must be between 1 and 65535, got {port}")
        if workers < 1:
            raise DevocareError(f"--workers must be at least 1, got {workers}")
        import os

        from devocare.extras import require

        require("web", "devocare serve")
        import uvicorn

        os.environ.setdefault("DEVOCARE_WARM", "1")  # compute built-in metrics etc. before the first visitor

        typer.echo(f"devocare web app on http://{host}:{port}/ (API docs at /docs); Ctrl+C stops it", err=True)
        uvicorn.run("devocare.web:create_app", factory=True, host=host, port=port, workers=workers,
                    log_level="info")
