"""``devocare areas``: area levels, membership, populations and coterminosity."""

from __future__ import annotations

import typer

from devocare import geography
from devocare.cli.output import TableFormat, emit_object, emit_table
from devocare.errors import DevocareError

app = typer.Typer(
    help="Areas of England at every level, how they nest, and where they don't.", invoke_without_command=True
)

FORMAT = typer.Option(TableFormat.table, "--format", help="Output format.")


@app.callback()
def list_areas(
    ctx: typer.Context,
    level: str = typer.Option(None, "--level", help=f"Area level: {', '.join(geography.LEVELS)}."),
    vintage: int = typer.Option(2024, "--vintage", help="ICB set: 2024 (42 ICBs) or 2026 (36 ICBs)."),
    within: str = typer.Option(None, "--within", help="Only areas overlapping this area (code or name)."),
    year: int = typer.Option(2024, "--year", help="Mid-year of the ONS population estimate."),
    fmt: TableFormat = FORMAT,
) -> None:
    """List the areas at a level (``devocare areas --level icb --vintage 2026``)."""
    if ctx.invoked_subcommand is not None:
        return
    if level is None:
        raise DevocareError(f"--level is required; choose one of {', '.join(geography.LEVELS)}")
    emit_table(geography.areas(level, vintage=vintage, within=within, year=year), fmt)


@app.command("show")
def show(
    code: str = typer.Argument(..., help="ONS or ODS code, or exact name."),
    vintage: int = typer.Option(None, "--vintage", help="ICB vintage when the code is ambiguous."),
    fmt: str = typer.Option("json", "--format", help="json or table."),
) -> None:
    """Name, level, parents, children counts and population of one area."""
    emit_object(geography.area_info(code, vintage=vintage), fmt)


@app.command("coterminosity")
def coterminosity(
    levels: str = typer.Option("icb,utla", "--levels", help="Two levels, e.g. icb,utla or lad,icb."),
    vintage: int = typer.Option(2024, "--vintage", help="ICB set: 2024 or 2026."),
    fmt: TableFormat = FORMAT,
) -> None:
    """Every area of the first level split across areas of the second, with population shares."""
    parts = [p.strip() for p in levels.split(",") if p.strip()]
    if len(parts) != 2:
        raise DevocareError(f"--levels needs two levels separated by a comma, got {levels!r}")
    emit_table(geography.coterminosity(parts[0], parts[1], vintage=vintage), fmt)


@app.command("successors")
def successors(fmt: TableFormat = FORMAT) -> None:
    """How the 42 ICBs of 2024 became the 36 of April 2026 (population shares)."""
    emit_table(geography.icb_successors(), fmt)
