"""``devocare allocate``: need indices for places, £ splits of the published ICB allocations, target shares
and block grants for an architecture."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer

from devocare.allocation import grants as grants_mod
from devocare.allocation import need
from devocare.allocation.convergence import icb_convergence, target_shares
from devocare.allocation.money import money as allocate_money
from devocare.allocation.money import place_money
from devocare.cli.outfile import FORCE
from devocare.cli.output import TableFormat, check_xlsx_out, emit_table
from devocare.errors import DevocareError

app = typer.Typer(
    help="Resource allocation: need indices, £ splits by need, target shares and block grants.", no_args_is_help=True
)

FORMAT = typer.Option(TableFormat.table, "--format", help="Output format: table, csv, json or xlsx (with --out).")
OUT = typer.Option(None, "--out", help="With --format xlsx: the workbook to write (.xlsx).")


def parse_places(specs: list[str]) -> dict[str, list[str]]:
    """``NAME=PRACTICE,PRACTICE`` strings → {name: [codes]}; each malformed spec is named."""
    places: dict[str, list[str]] = {}
    for spec in specs:
        name, sep, codes = spec.partition("=")
        if not sep or not name.strip():
            raise DevocareError(f"--place must look like NAME=PRACTICE,PRACTICE..., got {spec!r}")
        if name.strip() in places:
            raise DevocareError(f"place {name.strip()!r} is given twice")
        places[name.strip()] = [c.strip() for c in codes.split(",") if c.strip()]
    return places


def _places_or_level(place: list[str] | None, place_level: str | None) -> dict[str, list[str]] | None:
    """The --place specs parsed, or None when --place-level is given (exactly one of the two)."""
    if place and place_level:
        raise DevocareError("give --place or --place-level, not both")
    if not place and not place_level:
        raise DevocareError("give --place NAME=PRACTICE,... (repeatable) or --place-level lad|utla|ca|sicb|pcn")
    return parse_places(place) if place else None


def _note_uncovered(uncovered: list[str]) -> None:
    if uncovered:
        shown = ", ".join(uncovered[:20]) + (" ..." if len(uncovered) > 20 else "")
        typer.echo(f"note: {len(uncovered)} practice(s) of the ICB are in no place: {shown}", err=True)


@app.command("places")
def places_cmd(
    year: str = typer.Option(..., "--year", help="Financial year, 2022/23 to 2028/29."),
    icb: str = typer.Option(..., "--icb", help="ICB: ODS code (QWO), ONS code (E54...) or name."),
    place: list[str] = typer.Option(None, "--place", help="NAME=PRACTICE,PRACTICE,... (repeat for each place)."),
    place_level: str = typer.Option(None, "--place-level", help="One place per area: lad, utla, ca, sicb or pcn."),
    mode: str = typer.Option("exact", "--mode", help="exact, or nhse-tool to reproduce NHS England's tool."),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """Need indices of places inside an ICB (first row: the ICB against England)."""
    check_xlsx_out(fmt, out, force)
    spec = _places_or_level(place, place_level)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", need.NeedIndexWarning)
        result = need.place_indices(year, icb, places=spec, place_level=place_level, mode=mode)
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    _note_uncovered(result.uncovered)
    emit_table(result.table, fmt, out, "allocation")


@app.command("money")
def money_cmd(
    year: str = typer.Option(..., "--year", help="Allocation year: 2023/24, 2024/25 or 2025/26."),
    level: str = typer.Option("lad", "--level", help="lad, utla, ca, ons_region, icb, region, england, practice."),
    lines: str = typer.Option(None, "--lines", help="Comma-separated allocation lines (default: all published)."),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """NHS England's published ICB allocation lines split by need, to the penny, summed to an area level."""
    check_xlsx_out(fmt, out, force)
    chosen = [x.strip() for x in lines.split(",") if x.strip()] if lines else None
    emit_table(allocate_money(year, level, chosen), fmt, out, "allocation")


@app.command("place-money")
def place_money_cmd(
    year: str = typer.Option(..., "--year", help="Allocation year: 2023/24, 2024/25 or 2025/26."),
    icb: str = typer.Option(..., "--icb", help="ICB: ODS code (QWO), ONS code (E54...) or name."),
    place: list[str] = typer.Option(None, "--place", help="NAME=PRACTICE,PRACTICE,... (repeat for each place)."),
    place_level: str = typer.Option(None, "--place-level", help="One place per area: lad, utla, ca, sicb or pcn."),
    lines: str = typer.Option(None, "--lines", help="Comma-separated allocation lines (default: all published)."),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """£ each place's practices are allocated, by line: the ICB's published lines split by need, to the penny."""
    check_xlsx_out(fmt, out, force)
    spec = _places_or_level(place, place_level)
    chosen = [x.strip() for x in lines.split(",") if x.strip()] if lines else None
    table = place_money(year, icb, places=spec, place_level=place_level, lines=chosen)
    _note_uncovered(table.attrs["uncovered"])
    emit_table(table, fmt, out, "allocation")


@app.command("targets")
def targets_cmd(
    year: str = typer.Option("2025/26", "--year", help="Allocation year: 2023/24, 2024/25 or 2025/26."),
    line: str = typer.Option("core", "--line", help="core or pmc."),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """ICB target shares from practice weighted populations against NHS England's published targets."""
    check_xlsx_out(fmt, out, force)
    emit_table(target_shares(year, line), fmt, out, "allocation")


@app.command("converge")
def converge_cmd(
    year: str = typer.Option("2025/26", "--year", help="Allocation year whose published baselines start the path."),
    line: str = typer.Option("core", "--line", help="core or pmc."),
    years: int = typer.Option(5, "--years", help="Years of convergence."),
    growth: float = typer.Option(0.03, "--growth", help="Annual growth of the national envelope (fraction)."),
    floor: float = typer.Option(0.02, "--floor", help="Minimum annual growth of any ICB (fraction)."),
    ceiling: float = typer.Option(0.06, "--ceiling", help="Maximum annual growth of any ICB (fraction)."),
    target: str = typer.Option("published", "--target", help="published (NHS England's, incl. EACA) or practice."),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """ICBs moving from NHS England's published baselines toward target shares (pace of change)."""
    check_xlsx_out(fmt, out, force)
    if years < 1:
        raise DevocareError(f"--years must be at least 1, got {years}")
    emit_table(icb_convergence(year, line, years, growth, floor, ceiling, target), fmt, out, "allocation")


@app.command("grants")
def grants_cmd(
    arch: str = typer.Option(..., "--arch", help="Built-in architecture id or YAML path."),
    years: int = typer.Option(5, "--years", help="Years to run (settlements as the architecture states)."),
    envelope: str = typer.Option(None, "--envelope", help="YAML/JSON (line: £) or CSV (line,gbp) national envelope."),
    growth: float = typer.Option(
        None, "--growth", help="Annual envelope growth (fraction; default: the simulator's funding.real_growth, 3%)."
    ),
    alpha: float = typer.Option(
        None,
        "--alpha",
        help="Fiscal-equalisation rate (default: ASC+PH share of councils' net spending, MHCLG 2023-24).",
    ),
    fmt: TableFormat = FORMAT,
    out: Path = OUT,
    force: bool = FORCE,
) -> None:
    """Block grants per budget holder, area, pot, line and year for an architecture."""
    check_xlsx_out(fmt, out, force)
    if growth is None:
        from devocare.simulation.parameters import defaults

        growth = float(defaults().params["funding.real_growth"].value)
    if years < 1:
        raise DevocareError(f"--years must be at least 1, got {years}")
    table = grants_mod.block_grants(arch, years=years, envelope=envelope, growth=growth, alpha=alpha)
    emit_table(table, fmt, out, "block grants")
