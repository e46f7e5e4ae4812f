"""``devocare backtest``: the demand side run from 2022/23 against NHS England's emergency admissions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from devocare.cli.output import TableFormat, emit_table, to_json
from devocare.errors import DevocareError
from devocare.simulation.parameters import parse_set

FORMAT = typer.Option(TableFormat.table, "--format", help="table, csv (per ICB) or json (summary and per ICB).")
SET = typer.Option(None, "--set", help="Override a parameter: path.to.param=value (repeatable).")
SCENARIO = typer.Option(None, "--scenario", help="Scenario YAML file with parameter overrides.")


def backtest_cmd(fmt: TableFormat = FORMAT, sets: list[str] = SET, scenario: Path = SCENARIO) -> None:
    """Predict emergency admissions for 2023/24 and 2024/25 from 2022/23 and report bias and mean absolute
    percentage error per ICB against NHS England's monthly series (provider-based, mapped with OHID
    acute-trust catchment shares)."""
    from devocare.simulation.backtest import backtest
    from devocare.simulation.parameters import resolve

    if scenario is not None and not scenario.is_file():
        raise DevocareError(f"scenario file {str(scenario)!r} not found")
    params = resolve(parse_set(sets), scenario)
    table, summary = backtest(params)
    if fmt is TableFormat.json:
        typer.echo(to_json({"summary": summary.to_dict(orient="records"), "by_icb": table.to_dict(orient="records")}))
        return
    if fmt is TableFormat.csv:
        emit_table(table, fmt)
        return
    shown = summary.assign(bias=(summary["bias"] * 100).round(2), mape=(summary["mape"] * 100).round(2))
    emit_table(shown.rename(columns={"bias": "bias_%", "mape": "mape_%"}), fmt)
    wide = table.pivot_table(index=["icb24nm", "year", "observed"], columns="method", values=["predicted", "error"])
    wide.columns = [f"{col[1]}_{col[0]}" for col in wide.columns]
    wide = wide.reset_index()
    for m in ("level", "growth"):
        wide[f"{m}_predicted"] = wide[f"{m}_predicted"].round(0)
        wide[f"{m}_error"] = (wide[f"{m}_error"] * 100).round(1)
    typer.echo("\nper ICB (error in % of observed; provider-based counts):")
    with pd.option_context("display.max_rows", None, "display.width", 200):
        typer.echo(wide.to_string(index=False))


def register(app: typer.Typer) -> None:
    """Add ``backtest`` as a top-level command."""
    app.command("backtest")(backtest_cmd)
