"""Outcomes: variation between areas for one indicator — map, funnel plot, trends, sortable table."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from devocare.errors import DevocareError
from devocare.web import cache, charts, render

router = APIRouter()

LEVELS = [
    ("utla", "Upper-tier local authorities"),
    ("lad", "Local authority districts"),
    ("icb", "ICBs (2024)"),
    ("ca", "Combined authorities"),
    ("region", "NHS regions"),
]


#: Column headings shown on the page (the CSV downloads keep the keys, which are a contract).
VALUE_LABELS = {
    "code": "Code",
    "name": "Area",
    "value": "Value",
    "lci": "Lower 95% limit",
    "uci": "Upper 95% limit",
    "approximate": "Approximate",
    "compared_with_england": "Compared with England",
}
TREND_LABELS = {
    "period": "Period",
    "n_areas": "Areas",
    "mean": "Mean of areas",
    "iqr": "Interquartile range",
    "cv": "Coefficient of variation",
    "gini": "Gini coefficient",
    "ratio_max_min": "Highest / lowest",
    "gap": "Gap best – worst",
}


@router.get("/outcomes")
def outcomes_page(
    request: Request,
    indicator: str = Query("hle_female", max_length=60),
    level: str = Query("utla", max_length=10),
    period: str = Query("latest", max_length=20),
    adjust: str = Query("none", max_length=10),
) -> Response:
    """One indicator at one level and period (``/outcomes?indicator=hle_female&level=utla``)."""
    from devocare.outcomes.aggregate import at_level, source_level
    from devocare.outcomes.benchmark import (
        CATEGORIES,
        LIMIT_LABELS,
        POSITIONS,
        category_label,
        compare_rows,
        england_value,
        position_label,
    )
    from devocare.outcomes.catalogue import catalogue, periods
    from devocare.outcomes.funnel import funnel
    from devocare.outcomes.variation import trends, variation

    cat = catalogue()
    errors: dict[str, str] = {}
    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    if indicator not in set(cat["id"]):
        errors["indicator"] = f"unknown indicator {indicator!r}"
    if level not in dict(LEVELS):
        errors["level"] = f"unknown level {level!r}; choose one of {', '.join(dict(LEVELS))}"
    if adjust not in {"none", "additive"}:
        errors["adjust"] = f"unknown adjustment {adjust!r}; choose none or additive"
    period_choices: list[str] = []
    if not errors:
        try:
            period_choices = periods(indicator, source_level(indicator, level))
            summary = variation(indicator, level, period)
            context["summary"] = summary
            rows = at_level(indicator, level, summary["period"])
            rows = rows.dropna(subset=["value"]).reset_index(drop=True)
            row = cat.set_index("id").loc[indicator]
            england = england_value(indicator, summary["period"])
            category, _basis = compare_rows(rows, england, str(row["polarity"]))
            table = rows[["code", "name", "value", "lci", "uci", "approximate"]].assign(
                compared_with_england=[category_label(c) for c in category]
            )
            datasets["values"] = table
            context["values"] = table
            context["england"] = england
            if rows["lci"].notna().any():
                ordered = (
                    rows.assign(comparison=category)
                    .dropna(subset=["lci", "uci"])
                    .sort_values("value", ascending=str(row["polarity"]) == "lower_is_better")
                )
                context["interval_chart"] = charts.interval_bars(
                    ordered,
                    f"{summary['title']}, {summary['period']}: each area with its 95% confidence interval",
                    england,
                    CATEGORIES,
                    xtitle=summary["unit"],
                    link=f"/outcomes/profile?area={{code}}&level={level}",
                )
            counts = pd.Series(category).value_counts()
            context["comparison_counts"] = [(k, CATEGORIES[k][0], int(counts[k])) for k in CATEGORIES if k in counts]
            if level in cache.BOUNDARIES:
                context["map"] = charts.choropleth(
                    table,
                    level,
                    "value",
                    f"{summary['title']}, {summary['period']}",
                    colorbar=summary["unit"],
                    link=f"/outcomes/profile?area={{code}}&level={level}",
                )
            context["indicator_row"] = row.to_dict()
            if bool(row["ci"]) or bool(row["counts"]):
                fun = funnel(indicator, level, summary["period"], adjust=adjust)  # type: ignore[arg-type]
                areas = fun["areas"]
                datasets["funnel_areas"] = areas
                datasets["funnel_limits"] = fun["curves"]
                context["funnel"] = fun
                context["funnel_chart"] = charts.funnel(
                    areas,
                    "precision",
                    "value",
                    f"Funnel plot: {summary['title']}, {summary['period']}",
                    limits=fun["curves"],
                    mean=fun["target"],
                    xtitle="precision (1 / standard error², log scale)",
                    ytitle=summary["unit"],
                    color="position",
                    groups=POSITIONS,
                    limit_labels=LIMIT_LABELS,
                    mean_label=f"Target: {fun['target_source']}",
                )
                found = fun["positions"]
                context["positions"] = {position_label(k): found[k] for k in [*POSITIONS, *found] if k in found}
            per_area, per_period = trends(indicator, level)
            datasets["trend_by_period"] = per_period
            datasets["trend_by_area"] = per_area
            trend = per_period.rename(columns=TREND_LABELS).melt(
                id_vars=["Period"], value_vars=[TREND_LABELS[k] for k in ("mean", "iqr", "gap")], var_name="statistic"
            )
            context["trend_chart"] = charts.lines(
                trend,
                "Period",
                "value",
                f"{summary['title']}: mean of areas and spread between areas over time",
                color="statistic",
                ytitle=summary["unit"],
            )
            # the period says the years; a bare "year" column renamed would lose its year formatting
            context["per_period"] = per_period.drop(columns="year").rename(columns=TREND_LABELS)
            context["values_shown"] = table.rename(columns=VALUE_LABELS)
        except DevocareError as exc:
            errors["period"] = str(exc)
    return render.page(
        request,
        "outcomes.html",
        "Outcomes and variation",
        "outcomes",
        datasets=datasets,
        errors=errors,
        form={"indicator": indicator, "level": level, "period": period, "adjust": adjust},
        indicators=[(r.id, r.title) for r in cat.itertuples()],
        levels=LEVELS,
        periods=[("latest", "Latest")] + [(p, p) for p in reversed(period_choices)],
        **context,
    )
