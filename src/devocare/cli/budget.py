"""``devocare budget``: a budget holder's funding path, risk of overspend and intervention, and the
return on prevention, for one body of an architecture."""

from __future__ import annotations

from pathlib import Path

import typer

from devocare.cli.outfile import FORCE
from devocare.cli.output import TableFormat, check_xlsx_out, emit_table, render_table
from devocare.errors import DevocareError
from devocare.simulation.parameters import parse_set


def budget_cmd(
    arch: str = typer.Argument(..., help="Built-in architecture id or YAML file."),
    body: str = typer.Option(..., "--body", help="Budget holder: holder:CODE, an area code or an area name."),
    years: int = typer.Option(5, "--years", help="Years to simulate from 2024/25."),
    draws: int = typer.Option(200, "--draws", help="Monte Carlo draws (0: central values only)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the run."),
    sets: list[str] = typer.Option(None, "--set", help="Override a parameter: path.to.param=value (repeatable)."),
    scenario: Path = typer.Option(None, "--scenario", help="Scenario YAML file with parameter overrides."),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", help="table, csv, json or xlsx (with --out)."),
    out: Path = typer.Option(None, "--out", help="With --format xlsx: the workbook to write (.xlsx)."),
    force: bool = FORCE,
) -> None:
    """One body's budget by year: income, spend, need and reserves with P5–P95 bands, the chance of
    overspend and of intervention (and why), and avoided emergency cost per £ of prevention spend."""
    from devocare import formatting
    from devocare.simulation.budget import DASHBOARD_COLUMNS, budget_view

    check_xlsx_out(fmt, out, force)
    if scenario is not None and not scenario.is_file():
        raise DevocareError(f"scenario file {str(scenario)!r} not found")
    view = budget_view(arch, body, years=years, draws=draws, seed=seed, overrides=parse_set(sets), scenario=scenario)
    if fmt is TableFormat.xlsx:
        import pandas as pd

        from devocare.workbook import write_workbook

        summary = pd.DataFrame({"measure": list(view.summary()), "value": list(view.summary().values())})
        write_workbook(out, {"budget by year": view.table, "summary": summary}, view.run_record)
        typer.echo(f"wrote {out}")
        return
    if fmt is not TableFormat.table:
        emit_table(view.table, fmt)
        return
    t = view.table
    shown = t[list(DASHBOARD_COLUMNS)]
    typer.echo(render_table(shown, title=f"{view.name} ({view.body}) under {view.architecture}"))
    p = view.prevention
    if p.get("per_gbp") is None:
        typer.echo(
            "\nReturn on prevention: prevention spend in this area did not rise above the base year, so "
            "there is no return per £ to report."
        )
    else:
        band = ""
        if p.get("per_gbp_p5") is not None:
            band = f" (90% of draws: {formatting.money(p['per_gbp_p5'])} to {formatting.money(p['per_gbp_p95'])})"
        typer.echo(
            f"\nReturn on prevention: each extra £1 of prevention (upstream) spend in this area over the horizon "
            f"avoids {formatting.money(p['per_gbp'])} of emergency-admission cost{band}; "
            f"{formatting.money(p['avoided_cost_gbp'])} avoided against {formatting.money(p['extra_upstream_gbp'])} "
            "extra spend (central run)."
        )


def register(app: typer.Typer) -> None:
    """Add ``budget`` as a top-level command."""
    app.command("budget")(budget_cmd)
