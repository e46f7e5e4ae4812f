"""The ``devocare`` command line: one Typer app with a sub-command group per capability.

Each capability keeps its commands in its own module here, loaded only when one of its commands runs (so
``devocare areas`` does not import the simulator or the web app, and ``devocare --help`` imports none of
them: the command list is written out below); errors from bad input print one line and exit with code 2,
never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from typing import Any

import click
import typer
from typer.core import TyperGroup

from devocare._version import __version__
from devocare.errors import DevocareError

#: command name → (module in devocare.cli, how it adds itself: a Typer ``app`` group or ``register(app)``),
#: in the order of the layers.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "register"),
    "data": ("data_cmd", "group"),
    "areas": ("areas", "group"),
    "arch": ("arch", "group"),
    "allocate": ("allocate", "group"),
    "simulate": ("simulate", "register"),
    "compare": ("simulate", "register"),
    "budget": ("budget", "register"),
    "sensitivity": ("sensitivity", "register"),
    "minimum-service": ("minimum", "register"),
    "backtest": ("backtest", "register"),
    "outcomes": ("outcomes", "group"),
    "report": ("report", "group"),
    "serve": ("serve", "register"),
    "users": ("users", "group"),
}

#: command name → its one-line help in ``devocare --help`` (the first line of the command's own help;
#: ``tests/foundation/test_startup.py`` checks that the two agree).
SUMMARIES: dict[str, str] = {
    "demo": "Summarise the embedded data and areas, then write the comparison report of every built-in.",
    "data": "Embedded official datasets and their provenance.",
    "areas": "Areas of England at every level, how they nest, and where they don't.",
    "arch": "Architectures as code: the systems of the source documents and your own.",
    "allocate": "Resource allocation: need indices, £ splits by need, target shares and block grants.",
    "simulate": "Simulate one architecture; print its summary and change-factor waterfall.",
    "compare": "Simulate several architectures with the same options (and seed) and print their summaries side by "
    "side; with --baseline, each other architecture's paired difference from the baseline.",
    "budget": "One body's budget by year: income, spend, need and reserves with P5–P95 bands, the chance of overspend "
    "and of intervention (and why), and avoided emergency cost per £ of prevention spend.",
    "sensitivity": "Which uncertain parameters move a result most: Spearman rank correlation over the Monte Carlo "
    "draws and the mean result in the lowest and highest fifth of each parameter's draws (a tornado).",
    "minimum-service": "Areas or budget holders whose need-adjusted spend on a line falls below its minimum service "
    "level in the horizon year (central run), with the gap in £ and per head; floors are settable "
    "with --set or a scenario.",
    "backtest": "Predict emergency admissions for 2023/24 and 2024/25 from 2022/23 and report bias and mean absolute "
    "percentage error per ICB against NHS England's monthly series (provider-based, mapped with OHID "
    "acute-trust catchment shares).",
    "outcomes": "Outcome indicators: the postcode lottery measured, targets, minimum service levels, and "
    "synthetic-control evaluation of devolution.",
    "report": "Write self-contained HTML (and PDF) reports.",
    "serve": "Serve the web app (pages at /, REST API at /api/v1, OpenAPI at /docs).",
    "users": "Users of a shared server and their API tokens.",
}


@cache
def _load(name: str) -> Any:
    """Import one command's module and build its (click) command."""
    module_name, kind = COMMANDS[name]
    module = importlib.import_module(f"devocare.cli.{module_name}")
    holder = typer.Typer()
    if kind == "group":
        holder.add_typer(module.app, name=name)
    else:
        module.register(holder)
    return typer.main.get_group(holder).commands[name]


class _LazyGroup(TyperGroup):
    """The top-level group: lists every command from :data:`SUMMARIES`, imports a command's module only when
    that command runs (or its own ``--help`` is asked for)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A stand-in carrying the command's name and summary: enough to list it, without importing it."""
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in SUMMARIES:  # a command added without its summary: correct, only slower
            return _load(cmd_name)
        return click.Command(cmd_name, help=SUMMARIES[cmd_name], short_help=SUMMARIES[cmd_name])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The real command, imported now, for the one being run."""
        if args and args[0] in COMMANDS:
            return args[0], _load(args[0]), args[1:]
        return super().resolve_command(ctx, args)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"devocare {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="devocare",
    help="England's health and care system as executable structure, on real data.",
    cls=_LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
    ),
) -> None:
    """England's health and care system as executable structure, on real data."""


def main() -> None:
    """Console entry point: usage errors are click's (exit 2); input errors, and files the user named that
    cannot be read or written, one line on stderr, exit 2."""
    try:
        app()
    except DevocareError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a file the user named cannot be read or written (permissions, read-only disk)
        if exc.filename is None:
            raise
        reason = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or "cannot be used")
        typer.echo(f"error: {exc.filename}: {reason}", err=True)
        sys.exit(DevocareError.exit_code)
