"""``devocare report``: self-contained HTML reports (optionally PDF) built from the library's results."""

from __future__ import annotations

from pathlib import Path

import typer

from devocare.cli.outfile import FORCE
from devocare.cli.outfile import check_out as check_writable
from devocare.reports.compare import DEFAULT_DRAWS, DEFAULT_YEARS

app = typer.Typer(help="Write self-contained HTML (and PDF) reports.", no_args_is_help=True)


@app.command("compare")
def compare(
    archs: list[str] = typer.Argument(
        ..., help="Two or more architectures: built-in ids or YAML files; the first is the baseline."
    ),
    out: Path = typer.Option(Path("report.html"), "--out", help="HTML file to write."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print a PDF beside it with headless Chromium."),
    years: int = typer.Option(DEFAULT_YEARS, "--years", help="Years to simulate."),
    draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws (0: central run only)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same report figures."),
    attribute: bool = typer.Option(
        False,
        "--attribute",
        help="Add a section attributing each architecture's paired difference from the first exactly to the "
        "reform mechanisms (Shapley values over mechanism groups, draw by draw, as compare --attribute). Runs "
        "each architecture once per combination of its mechanism groups (up to 2^7 runs), so use few draws.",
    ),
    force: bool = FORCE,
) -> None:
    """Compare architectures: structure, metrics, changes, simulated money, assumptions and caveats."""
    from devocare.cli.simulate import _progress
    from devocare.reports import compare_report, write_report
    from devocare.reports.write import check_out

    html_path, pdf_path = check_out(out)
    for path in (html_path, pdf_path) if pdf or out.suffix.lower() == ".pdf" else (html_path,):
        check_writable(path, force)
    with _progress("attributing (one run per combination of mechanisms)", attribute) as progress:
        html = compare_report(archs, years=years, draws=draws, seed=seed, attribute=attribute, progress=progress)
    for path in write_report(html, out, pdf=pdf):
        typer.echo(f"wrote {path}")
