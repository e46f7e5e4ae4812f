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
from devocare.cli.output import TableFormat, emit_table, render_strings, render_table, summary_frame, to_json
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
    "(default: this process, or a LocalCluster for large runs where it pays back its cost).",
)
OUT = typer.Option(
    None,
    "--out",
    help="Write the tidy results table to this .parquet file (with --format xlsx: a workbook to this .xlsx file).",
)
FORMAT = typer.Option(TableFormat.table, "--format", help="Output format: table, json or xlsx (csv for compare).")
BASELINE = typer.Option(
    None,
    "--baseline",
    help="Report each other architecture's paired difference from this one (same seed: common random numbers).",
)
ATTRIBUTE = typer.Option(
    False,
    "--attribute",
    help="With --baseline: attribute each paired difference exactly to the reform mechanisms (Shapley values "
    "over mechanism groups, draw by draw). Runs each architecture once per combination of its mechanism "
    "groups (up to 2^7 runs), so use few draws.",
)
AREAS_OUT = typer.Option(
    None, "--areas-out", help="With --baseline: write the per-area paired differences to this .csv or .parquet file."
)


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


def _check_out(out: Path | None, fmt: TableFormat = TableFormat.table, force: bool = False) -> None:
    if out is None:
        if fmt is TableFormat.xlsx:
            raise DevocareError("--format xlsx needs --out FILE.xlsx")
        return
    check_out(out, force, (".xlsx",) if fmt is TableFormat.xlsx else (".parquet",))


def _check_areas_out(path: Path | None, baseline: str | None, force: bool = False) -> None:
    if path is None:
        return
    if baseline is None:
        raise DevocareError("--areas-out needs --baseline")
    check_out(path, force, (".csv", ".parquet"), flag="--areas-out")


def _waterfall_display(result: Any) -> pd.DataFrame:
    """The waterfall as display rows: step by measure, in £bn with the one formatter."""
    from devocare import formatting

    wf = result.waterfall.pivot(index="step", columns="measure", values="value").reindex(
        result.waterfall["step"].unique()
    )
    shown = pd.DataFrame({"Step": [str(s).replace("_", " ") for s in wf.index]})
    names = {"acute_spend": "Hospital (acute) spend", "upstream_spend": "Prevention (upstream) spend"}
    for col in wf.columns:
        shown[names.get(str(col), str(col))] = [formatting.money(v) for v in wf[col]]
    return shown


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

    _check_out(out, fmt, force)
    opts = _options(years, draws, seed, atoms, sets, scenario, backend, scheduler)
    with _progress(f"simulating {arch}", draws > 0) as progress:
        result = simulate(arch, progress=progress, **opts)  # type: ignore[arg-type]
    if fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        write_workbook(
            out,
            {"summary": _summary_records(result.summary), "waterfall": result.waterfall, "draws": result.draws_table()},
            result.run_record,
        )
        typer.echo(f"wrote {out}")
        return
    if out is not None:
        result.to_parquet(out)
    if fmt is TableFormat.json:
        typer.echo(
            to_json(
                {
                    "summary": result.summary,
                    "waterfall": result.waterfall.to_dict(orient="records"),
                    "by_year": result.by_year().to_dict(orient="records"),
                    "run_record": result.run_record,
                }
            )
        )
        return
    if fmt is TableFormat.csv:
        summary = pd.DataFrame({"measure": list(result.summary), "value": [str(v) for v in result.summary.values()]})
        emit_table(summary, fmt)
        return
    typer.echo(render_strings(summary_frame([result.summary])))
    typer.echo("\nChange-factor waterfall, base year to horizon:")
    typer.echo(render_strings(_waterfall_display(result)))
    typer.echo(
        f"\nrun record: parameter hash {result.run_record['parameter_hash'][:12]}, architecture hash "
        f"{result.run_record['architecture_hash'][:12]}, data hash {str(result.run_record['data_hash'])[:12]}, "
        f"seed {result.run_record['seed']}"
    )


def _summary_records(summary: dict[str, Any]) -> pd.DataFrame:
    """A summary object as (measure, value) rows, numbers kept as numbers (for workbooks)."""
    return pd.DataFrame({"measure": list(summary), "value": list(summary.values())})


def compare_cmd(  # noqa: PLR0913 - a Typer command takes one parameter per command-line option
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
    baseline: str = BASELINE,
    areas_out: Path = AREAS_OUT,
    attribute: bool = ATTRIBUTE,
) -> None:
    """Simulate several architectures with the same options (and seed) and print their summaries side by
    side; with --baseline, each other architecture's paired difference from the baseline."""
    from devocare.simulation.paired import paired_area_differences, paired_differences, plain_summary
    from devocare.simulation.runner import simulate_each

    _check_out(out, fmt, force)
    _check_areas_out(areas_out, baseline, force)
    if baseline is not None and baseline not in archs:
        raise DevocareError(f"--baseline {baseline!r} must be one of the architectures compared: {', '.join(archs)}")
    if attribute and baseline is None:
        raise DevocareError("--attribute needs --baseline")
    if attribute and out is not None and fmt is not TableFormat.xlsx:
        raise DevocareError("--attribute writes no results table: use --format xlsx --out FILE.xlsx, or run without it")
    opts = _options(years, draws, seed, atoms, sets, scenario, backend, scheduler)
    if attribute:
        _attribute(archs, baseline, opts, fmt, out, areas_out)
        return
    wf = fmt not in (TableFormat.csv,) and baseline is None
    with _progress(f"simulating {', '.join(archs)}", draws > 0) as progress:  # on Dask, in parallel
        results = simulate_each(archs, progress=progress, waterfall=wf, **opts)
    if baseline is not None and baseline not in {r.architecture for r in results}:
        baseline = results[archs.index(baseline)].architecture  # a YAML path given: its architecture id
    summaries = pd.DataFrame([r.summary for r in results])
    diffs = paired_differences(results, baseline) if baseline is not None else None
    area_diffs = paired_area_differences(results, baseline) if baseline is not None else None
    if areas_out is not None and area_diffs is not None:
        _write_areas(area_diffs, areas_out)
    if fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        tables: dict[str, pd.DataFrame] = {"summaries": summaries}
        if diffs is not None and area_diffs is not None:
            tables |= {"paired differences": diffs, "areas": area_diffs}
        records = {f"{r.architecture}": r.run_record for r in results}
        write_workbook(
            out,
            tables,
            {
                "architectures": list(records),
                "seed": seed,
                "run_records": records,
                **{k: v for k, v in results[0].run_record.items() if k != "overrides"},
            },
        )
        typer.echo(f"wrote {out}")
        return
    if out is not None:
        frames = [r.table for r in results]
        merged = pd.concat(
            [t.astype({c: "object" for c in t.columns if str(t[c].dtype) == "category"}) for t in frames],
            ignore_index=True,
        )
        _write(merged, out, [r.run_record for r in results])
    if diffs is not None:
        if fmt is TableFormat.table:
            typer.echo(
                render_table(
                    diffs.drop(columns=["baseline", "measure", "unit"])
                    .rename(columns={"label": "measure"})
                    .assign(measure=diffs["measure"])[
                        [
                            "architecture",
                            "measure",
                            "baseline_central",
                            "diff_central",
                            "diff_p5",
                            "diff_p50",
                            "diff_p95",
                            "prob_lower",
                            "prob_higher",
                        ]
                    ],
                    title=f"Paired differences from {baseline} (reform − baseline)",
                )
            )
            typer.echo("")
            for line in plain_summary(diffs):
                typer.echo(f"- {line}")
        else:
            emit_table(diffs, fmt)
        return
    if fmt is TableFormat.table:
        typer.echo(render_strings(summary_frame(list(summaries.to_dict(orient="records")))))
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


#: Measures the table view of ``--attribute`` shows (JSON, CSV and workbooks carry every summary measure).
ATTRIBUTION_TABLE_MEASURES = ("spent_gbp_bn", "unmet_need_gbp_bn", "admissions_per_1000", "deficit_support_gbp_bn")


def _attribute(
    archs: list[str], baseline: str, opts: dict[str, Any], fmt: TableFormat, out: Path | None, areas_out: Path | None
) -> None:
    """``compare --attribute``: each reform's paired difference from ``baseline`` split exactly over the
    mechanism groups, as records (JSON, CSV, a workbook sheet) or a table of the headline measures; the
    per-area differences go to ``areas_out`` as without it."""
    from devocare.simulation.attribution import attribute, attribution_table, describe
    from devocare.simulation.paired import paired_area_differences, paired_differences

    with _progress("attributing (one run per combination of mechanisms)", True) as progress:
        result = attribute(archs, baseline, progress=progress, **opts)
    table = attribution_table(result)
    if areas_out is not None:
        _write_areas(paired_area_differences(result.results, result.baseline), areas_out)
    if fmt is TableFormat.xlsx:
        from devocare.workbook import write_workbook

        diffs = paired_differences(result.results, result.baseline)
        record = {k: v for k, v in result.results[0].run_record.items() if k != "overrides"}
        write_workbook(out, {"paired differences": diffs, "attribution": table}, {**record, "runs": result.runs})
        typer.echo(f"wrote {out}")
        return
    if fmt is not TableFormat.table:
        emit_table(table, fmt)
        return
    from devocare import formatting

    shown = table[table["measure"].isin(ATTRIBUTION_TABLE_MEASURES)]
    shares = [formatting.percent(v) if v == v else "" for v in shown["share_of_variance"]]
    typer.echo(
        render_table(
            shown[
                [
                    "architecture",
                    "measure",
                    "label",
                    "contribution_central",
                    "contribution_p5",
                    "contribution_p50",
                    "contribution_p95",
                ]
            ]
            .rename(columns={"label": "mechanism"})
            .assign(share_of_variance=shares),
            title=f"What makes each paired difference from {result.baseline}: contributions that add up to it",
        )
    )
    typer.echo("")
    for reform in result.contributions:
        typer.echo(f"- {describe(table, reform)}")
    typer.echo(
        f"\n{result.runs} runs (seed {opts['seed']}, {opts['draws']} draws, {opts['years']} years); JSON or CSV "
        "give every summary measure."
    )


def _write_areas(table: pd.DataFrame, path: Path) -> None:
    """Per-area paired differences to CSV or Parquet, via a temporary file (nothing half-written)."""
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".csv":
        table.to_csv(tmp, index=False)
    else:
        table.to_parquet(tmp, index=False)
    tmp.replace(path)


def _write(table: pd.DataFrame, out: Path, records: list[dict[str, object]]) -> None:
    import json

    from devocare.simulation.results import write_parquet

    write_parquet(table, out, {b"devocare.run_records": json.dumps(records, default=str).encode()})


def register(app: typer.Typer) -> None:
    """Add ``simulate`` and ``compare`` as top-level commands."""
    app.command("simulate")(simulate_cmd)
    app.command("compare")(compare_cmd)
