"""``devocare demo``: the main job on the embedded data — summarise it, then compare the built-ins."""

from __future__ import annotations

from pathlib import Path

import typer

from devocare import data, geography
from devocare.cli.outfile import FORCE
from devocare.cli.outfile import check_out as check_writable
from devocare.reports.compare import DEFAULT_DRAWS, DEFAULT_YEARS


def _summarise_data() -> None:
    typer.echo(f"{len(data.catalogue())} embedded datasets")
    for level in geography.LEVELS:
        if level == "lsoa":
            continue
        for vintage in geography.VINTAGES if level == "icb" else (2024,):
            n = len(geography.areas(level, vintage=vintage))
            typer.echo(f"  {geography.LEVEL_TITLES[level]:<60} {vintage if level == 'icb' else '':<5} {n:>4}")


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the top-level app."""

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo-report.html"), "--out", help="Where to write the HTML report."),
        years: int = typer.Option(DEFAULT_YEARS, "--years", help="Years to simulate."),
        draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws (0: central run only)."),
        seed: int = typer.Option(0, "--seed", help="Random seed."),
        force: bool = FORCE,
    ) -> None:
        """Summarise the embedded data and areas, then write the comparison report of every built-in."""
        from devocare.architecture import builtin_ids
        from devocare.reports import compare_report, write_report
        from devocare.reports.write import check_out

        check_out(out)
        check_writable(out, force)
        _summarise_data()
        ids = builtin_ids()
        if "status-quo-2023" in ids:  # today's system is the baseline the reforms are compared with
            ids = ["status-quo-2023", *(i for i in ids if i != "status-quo-2023")]
        typer.echo(f"comparing {len(ids)} built-in architectures: {', '.join(ids)}")
        html = compare_report(ids, years=years, draws=draws, seed=seed)
        for path in write_report(html, out):
            typer.echo(f"wrote {path}")
