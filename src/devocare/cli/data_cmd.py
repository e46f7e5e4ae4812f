"""``devocare data``: the catalogue of embedded datasets."""

from __future__ import annotations

import typer

from devocare import data
from devocare.cli.output import TableFormat, emit_table

app = typer.Typer(help="Embedded official datasets and their provenance.", no_args_is_help=True)


@app.command("list")
def list_cmd(fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="Output format.")) -> None:
    """List every shipped dataset: id, title, publisher, vintage, rows, licence, source."""
    df = data.list_datasets()
    if fmt is TableFormat.table:
        df = df[["id", "title", "vintage", "rows", "licence"]]
    emit_table(df, fmt)
