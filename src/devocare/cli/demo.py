"""``devocare demo``: the main job on the embedded data."""

from __future__ import annotations

import typer

from devocare import data, geography


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the top-level app."""

    @app.command("demo")
    def demo(out: str = typer.Option("demo-report.html", "--out", help="Where to write the HTML report.")) -> None:
        """Summarise the embedded data and area hierarchy (grows into the architecture comparison report)."""
        typer.echo(f"{len(data.catalogue())} embedded datasets")
        for level in geography.LEVELS:
            if level == "lsoa":
                continue
            for vintage in geography.VINTAGES if level == "icb" else (2024,):
                n = len(geography.areas(level, vintage=vintage))
                typer.echo(f"  {geography.LEVEL_TITLES[level]:<60} {vintage if level == 'icb' else '':<5} {n:>4}")
