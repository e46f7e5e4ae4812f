"""``devocare minimum-service``: the areas or budget holders below a minimum service level, with the gap."""

from __future__ import annotations

from pathlib import Path

import typer

from devocare.cli.outfile import FORCE
from devocare.cli.output import TableFormat, check_xlsx_out, emit_table, render_table
from devocare.errors import DevocareError
from devocare.simulation.parameters import parse_set


def minimum_cmd(
    arch: str = typer.Argument(..., help="Built-in architecture id or YAML file."),
    by: str = typer.Option("body", "--by", help="body (budget holders) or area (local authority districts)."),
    years: int = typer.Option(5, "--years", help="Years to simulate; the horizon year is checked."),
    draws: int = typer.Option(100, "--draws", help="Monte Carlo draws (bodies: the chance of being below)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the run."),
    sets: list[str] = typer.Option(
        None, "--set", help="Override a parameter or a floor: minimum_service_levels.LINE=0.97 (repeatable)."
    ),
    scenario: Path = typer.Option(None, "--scenario", help="Scenario YAML (parameters and minimum_service_levels)."),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv, json or xlsx (with --out)."),
    out: Path = typer.Option(None, "--out", help="With --format xlsx: the workbook to write (.xlsx)."),
    force: bool = FORCE,
) -> None:
    """Areas or budget holders whose need-adjusted spend on a line falls below its minimum service level in the
    horizon year (central run), with the gap in £ and per head; floors are settable with --set or a scenario."""
    from devocare import formatting
    from devocare.simulation import simulate
    from devocare.simulation.floors import below_minimum

    check_xlsx_out(fmt, out, force)
    if by not in ("body", "area"):
        raise DevocareError(f"--by must be body or area, got {by!r}")
    if scenario is not None and not scenario.is_file():
        raise DevocareError(f"scenario file {str(scenario)!r} not found")
    result = simulate(
        arch, years=years, draws=draws, seed=seed, overrides=parse_set(sets), scenario=scenario, waterfall=False
    )
    table = below_minimum(result, by)
    if fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        write_workbook(out, {"below minimum": table}, result.run_record)
        typer.echo(f"wrote {out}")
        return
    if fmt is not TableFormat.table:
        emit_table(table, fmt)
        return
    what = "budget holders" if by == "body" else "areas"
    if table.empty:
        typer.echo(f"No {what} below a minimum service level in {result.years[-1]} under {result.architecture}.")
        return
    typer.echo(
        render_table(
            table.drop(columns=["architecture"]),
            title=f"{len(table)} {what} × lines below the minimum in {result.years[-1]} under {result.architecture}",
        )
    )
    typer.echo(f"\nTotal gap: {formatting.money(table['gap_gbp'].sum())} (floor × need − spend, central run).")


def register(app: typer.Typer) -> None:
    """Add ``minimum-service`` as a top-level command."""
    app.command("minimum-service")(minimum_cmd)
