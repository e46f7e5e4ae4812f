"""``devocare simulate`` and ``devocare compare``: run architectures' money rules over real areas."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from devocare.cli.outfile import FORCE, check_out
from devocare.cli.output import TableFormat, emit_table, to_json
from devocare.errors import DevocareError
from devocare.simulation.parameters import parse_set

YEARS = typer.Option(10, "--years", help="Years to simulate from 2024/25.")
DRAWS = typer.Option(1000, "--draws", help="Monte Carlo draws (0: central values only; draw 0 is always central).")
SEED = typer.Option(0, "--seed", help="Seed of the run; every draw has its own stream derived from it.")
ATOMS = typer.Option("lad", "--atoms", help="Smallest areas: lad (296) or lsoa (33,755).")
SET = typer.Option(None, "--set", help="Override a parameter: path.to.param=value (repeatable).")
SCENARIO = typer.Option(None, "--scenario", help="Scenario YAML file with parameter overrides.")
BACKEND = typer.Option("numpy", "--backend", help="Array backend: numpy, cupy or jax.")
SCHEDULER = typer.Option(
    None,
    "--scheduler",
    help="Where draws run: a Dask scheduler address, 'local' (a LocalCluster) or 'process' "
    "(default: this process, or a LocalCluster for large runs).",
)
OUT = typer.Option(None, "--out", help="Write the tidy results table to this .parquet file.")
FORMAT = typer.Option(TableFormat.table, "--format", help="Output format: table or json (csv for compare).")


@contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = typer.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - int(state.get("done", 0)))
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _options(
    years: int,
    draws: int,
    seed: int,
    atoms: str,
    sets: list[str] | None,
    scenario: Path | None,
    backend: str,
    scheduler: str | None,
) -> dict[str, object]:
    if scenario is not None and not scenario.is_file():
        raise DevocareError(f"scenario file {str(scenario)!r} not found")
    return {
        "years": years,
        "draws": draws,
        "seed": seed,
        "atoms": atoms,
        "overrides": parse_set(sets),
        "scenario": scenario,
        "backend": backend,
        "scheduler": scheduler,
    }


def _check_out(out: Path | None, force: bool = False) -> None:
    check_out(out, force, (".parquet",))


def simulate_cmd(
    arch: str = typer.Argument(..., help="Built-in architecture id or YAML file."),
    years: int = YEARS,
    draws: int = DRAWS,
    seed: int = SEED,
    atoms: str = ATOMS,
    sets: list[str] = SET,
    scenario: Path = SCENARIO,
    backend: str = BACKEND,
    scheduler: str = SCHEDULER,
    out: Path = OUT,
    fmt: TableFormat = FORMAT,
    force: bool = FORCE,
) -> None:
    """Simulate one architecture; print its summary and change-factor waterfall."""
    from devocare.simulation import simulate

    _check_out(out, force)
    opts = _options(years, draws, seed, atoms, sets, scenario, backend, scheduler)
    with _progress(f"simulating {arch}", draws > 0) as progress:
        result = simulate(arch, progress=progress, **opts)  # type: ignore[arg-type]
    if out is not None:
        result.to_parquet(out)
    if fmt is TableFormat.json:
        typer.echo(
            to_json(
                {
                    "summary": result.summary,
                    "waterfall": result.waterfall.to_dict(orient="records"),
                    "run_record": result.run_record,
                }
            )
        )
        return
    summary = pd.DataFrame({"measure": list(result.summary), "value": [str(v) for v in result.summary.values()]})
    emit_table(summary, fmt)
    if fmt is TableFormat.table:
        typer.echo("\nchange-factor waterfall (£bn, base year to horizon):")
        wf = result.waterfall.pivot(index="step", columns="measure", values="value").reindex(
            result.waterfall["step"].unique()
        )
        typer.echo((wf / 1e9).round(3).to_string())
        typer.echo(
            f"\nrun record: parameter hash {result.run_record['parameter_hash'][:12]}, architecture hash "
            f"{result.run_record['architecture_hash'][:12]}, data hash {str(result.run_record['data_hash'])[:12]}, "
            f"seed {result.run_record['seed']}"
        )


def compare_cmd(
    archs: list[str] = typer.Argument(..., help="Architectures to compare (built-in ids or YAML files)."),
    years: int = YEARS,
    draws: int = DRAWS,
    seed: int = SEED,
    atoms: str = ATOMS,
    sets: list[str] = SET,
    scenario: Path = SCENARIO,
    backend: str = BACKEND,
    scheduler: str = SCHEDULER,
    out: Path = OUT,
    fmt: TableFormat = FORMAT,
    force: bool = FORCE,
) -> None:
    """Simulate several architectures with the same options and print their summaries side by side."""
    from devocare.simulation import simulate

    _check_out(out, force)
    opts = _options(years, draws, seed, atoms, sets, scenario, backend, scheduler)
    results = []
    for arch in archs:
        with _progress(f"simulating {arch}", draws > 0) as progress:
            results.append(simulate(arch, progress=progress, waterfall=fmt is not TableFormat.csv, **opts))  # type: ignore[arg-type]
    if out is not None:
        tables = [r.table for r in results]
        merged = pd.concat(
            [t.astype({c: "object" for c in t.columns if str(t[c].dtype) == "category"}) for t in tables],
            ignore_index=True,
        )
        _write(merged, out, [r.run_record for r in results])
    summaries = pd.DataFrame([r.summary for r in results])
    if fmt is TableFormat.table:
        side = summaries.set_index("architecture").T.reset_index().rename(columns={"index": "measure"})
        emit_table(side, fmt)
        typer.echo(
            "\nrun records: "
            + "; ".join(
                f"{r.architecture} parameters {r.run_record['parameter_hash'][:12]} "
                f"architecture {r.run_record['architecture_hash'][:12]}"
                for r in results
            )
            + f"; data {str(results[0].run_record['data_hash'])[:12]}; seed {seed}"
        )
    else:
        emit_table(summaries, fmt)


def _write(table: pd.DataFrame, out: Path, records: list[dict[str, object]]) -> None:
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[b"devocare.run_records"] = json.dumps(records, default=str).encode()
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(arrow.replace_schema_metadata(meta), tmp)
    tmp.replace(out)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``compare`` as top-level commands."""
    app.command("simulate")(simulate_cmd)
    app.command("compare")(compare_cmd)
