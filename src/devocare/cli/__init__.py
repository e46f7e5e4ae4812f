"""The ``devocare`` command line: one Typer app with a sub-command group per capability.

Each capability keeps its commands in its own module here, loaded only when one of its commands runs (so
``devocare areas`` does not import the simulator or the web app); errors from bad input print one line and
exit with code 2, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

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
    """The top-level group: lists every command, imports a command's module only when it is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return _load(cmd_name) if cmd_name in COMMANDS else None


app = typer.Typer(
    name="devocare",
    help="England's health and care system as executable structure, on real data.",
    cls=_LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
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
