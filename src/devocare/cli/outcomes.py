"""``devocare outcomes``: indicator catalogue, variation, funnel plots, framework status and evaluation."""

from __future__ import annotations

from typing import Any

import pandas as pd
import typer

from devocare.cli.outfile import FORCE, check_out
from devocare.cli.output import TableFormat, emit_object, emit_table
from devocare.errors import DevocareError

app = typer.Typer(
    help="Outcome indicators: the postcode lottery measured, targets, minimum service levels, "
    "and synthetic-control evaluation of devolution.",
    no_args_is_help=True,
)

FORMAT = typer.Option(TableFormat.table, "--format", help="Output format: table, csv or json.")
LEVEL = typer.Option("utla", "--level", help="Area level: lad, utla, icb, ca, region, ons_region, england.")
PERIOD = typer.Option("latest", "--period", help="'latest', a year (first year of the period) or a label.")
OUT = typer.Option(None, "--out", help="Write a chart: FILE.html (interactive) or FILE.png (static).")


def _check_out(out: str | None, force: bool = False) -> None:
    """Validate --out before any work, so bad input writes nothing."""
    check_out(out, force, (".html", ".png"))


def _summary(obj: dict[str, Any], fmt: TableFormat) -> None:
    if fmt is TableFormat.json:
        emit_object(obj, "json")
        return
    flat = {k: v for k, v in obj.items() if not isinstance(v, pd.DataFrame | dict | list)}
    emit_object(flat, "table")
    for key, value in obj.items():
        if isinstance(value, dict):
            typer.echo(f"{key}:")
            for k, v in value.items():
                typer.echo(f"  {k}: {v}")
        elif isinstance(value, list) and value and not isinstance(value[0], dict):
            typer.echo(f"{key}:")
            for item in value:
                typer.echo(f"  - {item}")


@app.command("list")
def list_indicators(fmt: TableFormat = FORMAT) -> None:
    """Every outcome indicator shipped: unit, polarity, periods, levels, source and licence."""
    from devocare.outcomes import catalogue

    cat = catalogue()
    if fmt is TableFormat.table:
        cat = cat[["id", "title", "unit", "polarity", "latest_period", "levels", "ci", "licence"]]
    emit_table(cat, fmt)


@app.command("variation")
def variation(
    indicator: str = typer.Argument(..., help="Indicator id (see `devocare outcomes list`)."),
    level: str = LEVEL,
    period: str = PERIOD,
    out: str = OUT,
    fmt: TableFormat = FORMAT,
    force: bool = FORCE,
    trend: bool = typer.Option(False, "--trend", help="Also show the spread in every period."),
) -> None:
    """Best/worst ratio and gap, IQR, CV, Gini and the share of variation associated with deprivation."""
    from devocare.outcomes import at_level, charts
    from devocare.outcomes import trends as trends_fn
    from devocare.outcomes import variation as variation_fn
    from devocare.outcomes.variation import imd_score

    _check_out(out, force)
    result = variation_fn(indicator, level, period)
    if trend:
        result["trend"] = trends_fn(indicator, level)[1].to_dict(orient="records")
    _summary(result, fmt)
    if trend and fmt is not TableFormat.json:
        emit_table(pd.DataFrame(result["trend"]), fmt)
    if out:
        rows = at_level(indicator, level, result["period"])
        charts.write(charts.variation_figure(rows, result, imd_score(level)), out)
        typer.echo(f"wrote {out}", err=True)


@app.command("trend")
def trend(
    indicator: str = typer.Argument(..., help="Indicator id."),
    level: str = LEVEL,
    area: str = typer.Option(None, "--area", help="Only this area (code)."),
    fmt: TableFormat = FORMAT,
    out: str = OUT,
    force: bool = FORCE,
) -> None:
    """Per-area trend: OLS slope per year, first and latest value, change."""
    from devocare.outcomes import charts
    from devocare.outcomes import trends as trends_fn

    _check_out(out, force)
    per_area, per_period = trends_fn(indicator, level)
    if area is not None:
        from devocare.geography import canonical_code

        per_area = per_area[per_area["code"] == canonical_code(area)]
        if per_area.empty:
            raise DevocareError(f"no {indicator} data for area {area!r} at level {level!r}")
    emit_table(per_area, fmt)
    if out:
        charts.write(charts.trend_figure(per_period, f"{indicator}: spread between {level} areas over time"), out)
        typer.echo(f"wrote {out}", err=True)


@app.command("funnel")
def funnel(
    indicator: str = typer.Argument(..., help="Indicator id with confidence intervals."),
    level: str = LEVEL,
    period: str = PERIOD,
    out: str = OUT,
    fmt: TableFormat = FORMAT,
    force: bool = FORCE,
    adjust: str = typer.Option("none", "--adjust", help="Over-dispersion: none or additive."),
) -> None:
    """Funnel plot: each area against 95% and 99.8% control limits around the England value."""
    from devocare.outcomes import charts
    from devocare.outcomes import funnel as funnel_fn

    _check_out(out, force)
    if adjust not in ("none", "additive"):
        raise DevocareError(f"--adjust {adjust!r}: choose none or additive")
    result = funnel_fn(indicator, level, period, adjust=adjust)  # type: ignore[arg-type]
    areas = result["areas"][
        [
            "code",
            "name",
            "value",
            "lci",
            "uci",
            "lower_95",
            "upper_95",
            "lower_99.8",
            "upper_99.8",
            "z",
            "position",
            "approximate",
        ]
    ]
    if fmt is TableFormat.json:
        emit_object(
            {k: v for k, v in result.items() if k not in ("areas", "curves")}
            | {"areas": areas.to_dict(orient="records")},
            "json",
        )
    else:
        _summary({k: v for k, v in result.items() if k not in ("areas", "curves")}, fmt)
        emit_table(areas, fmt)
    if out:
        charts.write(charts.funnel_figure(result), out)
        typer.echo(f"wrote {out}", err=True)


@app.command("status")
def status(
    level: str = LEVEL,
    period: str = PERIOD,
    indicator: str = typer.Option(None, "--indicator", help="Only this framework indicator."),
    fmt: TableFormat = FORMAT,
) -> None:
    """Each area against each target of the slimmed national outcome framework."""
    from devocare.outcomes import status as status_fn
    from devocare.outcomes.catalogue import indicator as check_indicator

    table = status_fn(level, period)
    if indicator is not None:
        check_indicator(indicator)
        table = table[table["indicator"] == indicator]
        if table.empty:
            raise DevocareError(f"indicator {indicator!r} is not in the outcome framework or not at {level!r}")
    emit_table(table, fmt)
    for note in table.attrs.get("skipped", []):
        typer.echo(f"skipped {note}", err=True)


@app.command("floors")
def floors(fmt: TableFormat = FORMAT) -> None:
    """Minimum service level per service line (the floors the simulator applies), with sources."""
    from devocare.outcomes import minimum_service_levels

    emit_table(minimum_service_levels(), fmt)


@app.command("entitlements")
def entitlements(fmt: TableFormat = FORMAT) -> None:
    """The core entitlements package: NHS Constitution rights and LEA-style benefits, by service line."""
    from devocare.outcomes import entitlements as entitlements_fn

    emit_table(entitlements_fn(), fmt)


def _end(value: str) -> int | None:
    text = value.strip().lower()
    if text in ("none", "latest"):
        return None
    if not text.isdigit() or len(text) != 4:
        raise DevocareError(f"--end {value!r} must be a year (e.g. 2019) or 'none'")
    return int(text)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): v for k, v in row.items()}
        for row in frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    ]


@app.command("evaluate")
def evaluate(
    area: str = typer.Option(None, "--area", help="Treated area (code or name), e.g. E47000001."),
    start: int = typer.Option(
        None, "--start", help="First treated year, e.g. 2016 (default: from the deal table, see --event)."
    ),
    indicator: str = typer.Option(..., "--indicator", help="Indicator id."),
    unit_level: str = typer.Option(None, "--unit-level", help="Donor unit level: utla or lad."),
    demean: bool = typer.Option(False, "--demean", help="Allow a level difference (demeaned fit)."),
    exclude: list[str] = typer.Option([], "--exclude", help="Leave these areas out of the donor pool."),
    min_pre: int = typer.Option(5, "--min-pre", help="Fewest pre-periods accepted (default 5)."),
    event: str = typer.Option(
        "agreement",
        "--event",
        help="Deal event giving the start when --start is "
        "not given: agreement (GM: Nov 2014 → 2015) or health (GM: Apr 2016).",
    ),
    end: str = typer.Option(
        "2019", "--end", help="Last year of the post-period (default 2019, before COVID-19), or 'none' for all data."
    ),
    pool: str = typer.Option(
        "clean",
        "--pool",
        help="Donor pool: clean (no London, no other deal area "
        "treated in the window; default), no-london, no-deals or all.",
    ),
    periods: str = typer.Option(
        "all", "--periods", help="Rolling periods: all (inference allows for the overlap) or non-overlapping."
    ),
    level: float = typer.Option(0.9, "--level", help="Interval level (default 0.9)."),
    robustness: bool = typer.Option(
        True, "--robustness/--no-robustness", help="Run the robustness checks (default on)."
    ),
    robust_indicator: list[str] = typer.Option(
        [],
        "--robust-indicator",
        help="Other indicators for the robustness table (default: the health outcomes with long series).",
    ),
    all_deals: bool = typer.Option(
        False, "--all-deals", help="Evaluate every combined authority with a deal, and the pooled staggered estimate."
    ),
    out: str = OUT,
    robustness_out: str = typer.Option(
        None, "--robustness-out", help="Write the robustness chart: FILE.html or FILE.png."
    ),
    fmt: TableFormat = FORMAT,
    force: bool = FORCE,
) -> None:
    """Did devolution change outcomes? Several methods with intervals, pre-fit, donors and robustness."""
    from devocare.outcomes import charts
    from devocare.outcomes import evaluate as evaluate_fn

    _check_out(out, force)
    check_out(robustness_out, force, (".html", ".png"), flag="--robustness-out")
    end_year = _end(end)
    if all_deals:
        _all_deals(indicator, event, end_year, unit_level, min_pre, level, periods, fmt)
        return
    if area is None:
        raise DevocareError("give --area (e.g. E47000001), or --all-deals")
    result = evaluate_fn(
        area,
        start,
        indicator,
        unit_level=unit_level,
        demean=demean,
        exclude=exclude,
        min_pre=min_pre,
        event=event,
        end=end_year,
        pool=pool,
        periods=periods,
        level=level,
        robustness=robustness,
        robust_indicators=tuple(robust_indicator) or None,
    )
    placebo = result["placebos"]
    summary = {k: v for k, v in result.items() if not isinstance(v, pd.DataFrame)}
    summary["placebo_ratio_quantiles"] = placebo["ratio"].quantile([0.1, 0.5, 0.9]).round(3).tolist()
    if fmt is TableFormat.json:
        emit_object(
            summary
            | {
                "path": result["path"].to_dict(orient="records"),
                "weights": result["weights"].to_dict(orient="records"),
                "placebos": placebo.to_dict(orient="records"),
                "methods": _records(result["methods"]),
                "robustness": _records(result["robustness"]),
            },
            "json",
        )
    else:
        _summary(summary, fmt)
        for key in ("path", "weights", "methods", "robustness"):
            typer.echo("")
            frame = result[key].head(10) if key == "weights" else result[key]
            emit_table(frame, fmt)
    if out:
        charts.write(charts.evaluation_figure(result), out)
        typer.echo(f"wrote {out}", err=True)
    if robustness_out and not result["robustness"].empty:
        charts.write(charts.robustness_figure(result), robustness_out)
        typer.echo(f"wrote {robustness_out}", err=True)


def _all_deals(
    indicator: str,
    event: str,
    end: int | None,
    unit_level: str | None,
    min_pre: int,
    level: float,
    periods: str,
    fmt: TableFormat,
) -> None:
    from devocare.outcomes.staggered import all_deals

    res = all_deals(
        indicator, event=event, end=end, unit_level=unit_level, min_pre=min_pre, level=level, periods=periods
    )
    if fmt is TableFormat.json:
        body = {k: v for k, v in res.items() if not isinstance(v, pd.DataFrame)}
        body |= {k: _records(v) for k, v in res.items() if isinstance(v, pd.DataFrame)}
        emit_object(body, "json")
        return
    emit_table(res["per_area"], fmt)
    if fmt is TableFormat.table:
        typer.echo("")
        typer.echo(f"pooled: {res.get('pooled') or res.get('pooled_note')}")
        for caveat in res.get("pooled_caveats", []):
            typer.echo(f"  caveat: {caveat}")


@app.command("profile")
def profile(
    area: str = typer.Argument(..., help="Area code or name, e.g. E08000006 or Salford."),
    level: str = typer.Option(
        None, "--level", help="Compare within lad, utla, icb, ca, region or ons_region (default: the area's own level)."
    ),
    fmt: TableFormat = FORMAT,
) -> None:
    """One area on every indicator: value, 95% interval, England, better/similar/worse and the spread."""
    from devocare import geography
    from devocare.outcomes.benchmark import area_profile, format_value

    resolved = geography.resolve(area, level=level or None, vintage=2024 if level == "icb" else None)
    prof = area_profile(resolved.code, resolved.level)
    if fmt is TableFormat.table:
        shown = prof[["title", "period"]].copy()
        for col, head in (("value", "value"), ("lci", "lower 95%"), ("uci", "upper 95%"), ("england", "England")):
            shown[head] = prof[col].map(format_value)
        shown["compared with England"] = prof["comparison_label"]
        for col in ("worst", "median", "best"):
            shown[col] = prof[col].map(format_value)
        typer.echo(
            f"{prof['name'].iloc[0]} ({resolved.code}) among {int(prof['n_areas'].max())} areas at level "
            f"{resolved.level}; latest period of each indicator"
        )
        prof = shown
    emit_table(prof, fmt)


@app.command("define")
def define(
    indicator: str = typer.Argument(..., help="Indicator id (see `devocare outcomes list`)."), fmt: TableFormat = FORMAT
) -> None:
    """An indicator's definition: unit, direction, periods, levels, publisher, licence and provenance."""
    from devocare.outcomes.definitions import definition

    d = definition(indicator)
    if fmt is TableFormat.json:
        emit_object(d, "json")
        return
    keys = {"polarity", "published_levels", "aggregated_levels"}  # shown by their labels instead
    rows = [
        (k.replace("_label", "").replace("_", " "), ", ".join(map(str, v)) if isinstance(v, list) else v)
        for k, v in d.items()
        if k != "provenance" and k not in keys
    ]
    rows += [(f"provenance: {p['field'] or 'note'}", p["text"]) for p in d["provenance"]]
    emit_table(pd.DataFrame(rows, columns=["field", "value"]).astype(str), fmt)
