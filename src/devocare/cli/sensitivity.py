"""``devocare sensitivity``: a tornado of the uncertain parameters that move a result most."""

from __future__ import annotations

from pathlib import Path

import typer

from devocare.cli.outfile import FORCE
from devocare.cli.output import TableFormat, check_xlsx_out, emit_table, render_table
from devocare.errors import DevocareError
from devocare.simulation.parameters import parse_set


def sensitivity_cmd(
    arch: str = typer.Argument(..., help="Built-in architecture id or YAML file."),
    measure: str = typer.Option("spent_gbp_bn", "--measure", help="Summary measure (see the measures reference)."),
    baseline: str = typer.Option(None, "--baseline", help="Rank the paired difference from this architecture."),
    years: int = typer.Option(10, "--years", help="Years to simulate from 2024/25."),
    draws: int = typer.Option(200, "--draws", help="Monte Carlo draws (at least 10)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the run (the baseline uses the same)."),
    top: int = typer.Option(10, "--top", help="How many parameters to list."),
    sets: list[str] = typer.Option(None, "--set", help="Override a parameter: path.to.param=value (repeatable)."),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv, json or xlsx (with --out)."),
    out: Path = typer.Option(None, "--out", help="With --format xlsx: the workbook to write (.xlsx)."),
    force: bool = FORCE,
) -> None:
    """Which uncertain parameters move a result most: Spearman rank correlation over the Monte Carlo draws and
    the mean result in the lowest and highest fifth of each parameter's draws (a tornado)."""
    from devocare import formatting
    from devocare.simulation import simulate
    from devocare.simulation.sensitivity import describe, tornado

    check_xlsx_out(fmt, out, force)
    if draws < 10:
        raise DevocareError(f"--draws must be at least 10 for a tornado, got {draws}")
    if top < 1:
        raise DevocareError(f"--top must be at least 1, got {top}")
    overrides = parse_set(sets)
    result = simulate(arch, years=years, draws=draws, seed=seed, overrides=overrides, waterfall=False)
    base = (
        simulate(baseline, years=years, draws=draws, seed=seed, overrides=overrides, waterfall=False)
        if baseline
        else None
    )
    table = tornado(result, measure, base, top)
    if fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        write_workbook(out, {"tornado": table}, result.run_record)
        typer.echo(f"wrote {out}")
        return
    if fmt is not TableFormat.table:
        emit_table(table, fmt)
        return
    what = formatting.header(measure) + (f", {result.architecture} minus {baseline}" if baseline else "")
    typer.echo(
        render_table(
            table[["measure", "label", "rank_correlation", "low_mean", "high_mean", "swing"]],
            title=f"Sensitivity of {what} ({draws} draws)",
        )
    )
    typer.echo("\n" + describe(table))


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` as a top-level command."""
    app.command("sensitivity")(sensitivity_cmd)
