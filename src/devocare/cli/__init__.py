"""The ``devocare`` command line: one Typer app with a sub-command group per capability.

Each capability registers its group in its own module here; errors from bad input print one line
and exit with code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from devocare.errors import DevocareError

app = typer.Typer(
    name="devocare",
    help="England's health and care system as executable structure, on real data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    """Add each capability's command group (or top-level commands), in the order of the layers."""
    from devocare.cli import allocate, arch, areas, data_cmd, demo, outcomes, report, serve, simulate

    demo.register(app)
    app.add_typer(data_cmd.app, name="data")
    app.add_typer(areas.app, name="areas")
    app.add_typer(arch.app, name="arch")
    app.add_typer(allocate.app, name="allocate")
    simulate.register(app)
    app.add_typer(outcomes.app, name="outcomes")
    app.add_typer(report.app, name="report")
    serve.register(app)


_register()


def main() -> None:
    """Console entry point: run the app, turning input errors into one line on stderr and exit 2."""
    try:
        app(standalone_mode=False)
    except DevocareError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
