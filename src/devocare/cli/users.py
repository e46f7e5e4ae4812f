"""``devocare users``: accounts for a shared server (``devocare serve --auth tokens``)."""

from __future__ import annotations

import typer

from devocare.cli.output import emit_table

app = typer.Typer(help="Users of a shared server and their API tokens.", no_args_is_help=True)

DB_HELP = (
    "Saved-work database (URL or SQLite file; default $DEVOCARE_DATABASE_URL, $DATABASE_URL, $DEVOCARE_DB "
    "or devocare.db in the per-user data folder)."
)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="User name (letters, digits, '.', '_', '-')."),
    db: str = typer.Option("", "--db", help=DB_HELP),
) -> None:
    """Create a user and print their API token (shown once: only a hash is stored)."""
    from devocare.storage import Store, accounts

    with Store(db or None) as store:
        token = accounts.add_user(store, name)
    typer.echo(token)
    typer.echo(
        f"user {name!r} created; give them this token (sign in at /login, or send 'Authorization: Bearer <token>')",
        err=True,
    )


@app.command("list")
def list_users(
    db: str = typer.Option("", "--db", help=DB_HELP),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Every user (id, name, created_at); never tokens."""
    import pandas as pd

    from devocare.storage import Store, accounts

    with Store(db or None) as store:
        rows = accounts.list_users(store)
    emit_table(pd.DataFrame(rows, columns=["id", "name", "created_at"]), fmt)


@app.command("remove")
def remove(
    name: str = typer.Argument(..., help="User name."), db: str = typer.Option("", "--db", help=DB_HELP)
) -> None:
    """Delete a user: their token and sessions stop working at once."""
    from devocare.storage import Store, accounts

    with Store(db or None) as store:
        accounts.remove_user(store, name)
    typer.echo(f"user {name!r} removed", err=True)
