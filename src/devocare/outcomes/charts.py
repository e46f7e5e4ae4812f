"""Plotly figures for the monitor: funnel plot, variation against deprivation, trends; HTML and PNG output.

Figures are built from the results of :mod:`.funnel`, :mod:`.variation` and :mod:`.evaluation` (no data
access here). :func:`write` saves a self-contained HTML file (plotly.js embedded, works offline) or a static
PNG through kaleido, which drives the system's Chromium; if no browser can be started the PNG export raises
a one-line error saying so rather than writing nothing silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from devocare.errors import DevocareError

__all__ = ["funnel_figure", "variation_figure", "trend_figure", "evaluation_figure", "robustness_figure", "write"]

_COLOURS = {
    "better_998": "#007f3b",
    "better_95": "#78be20",
    "within": "#768692",
    "worse_95": "#ffb81c",
    "worse_998": "#d5281b",
    "high_998": "#005eb8",
    "high_95": "#41b6e6",
    "low_95": "#ffb81c",
    "low_998": "#d5281b",
}
_LAYOUT = {"template": "plotly_white", "font": {"family": "Arial, sans-serif"}, "width": 900, "height": 560}


def funnel_figure(result: dict[str, Any]) -> go.Figure:
    """Funnel plot: each area's value against its precision, with 95% and 99.8% limits around the target."""
    areas: pd.DataFrame = result["areas"]
    curves: pd.DataFrame = result["curves"]
    fig = go.Figure()
    for key, dash in (("95", "dash"), ("99.8", "solid")):
        for side in ("lower", "upper"):
            fig.add_trace(
                go.Scatter(
                    x=curves["precision"],
                    y=curves[f"{side}_{key}"],
                    mode="lines",
                    line={"color": "#425563", "dash": dash, "width": 1},
                    name=f"{key}% limits",
                    legendgroup=key,
                    showlegend=side == "lower",
                )
            )
    fig.add_hline(
        y=result["target"], line={"color": "#231f20", "width": 1}, annotation_text=f"target: {result['target_source']}"
    )
    for position, grp in areas.groupby("position"):
        fig.add_trace(
            go.Scatter(
                x=grp["precision"],
                y=grp["value"],
                mode="markers",
                name=str(position),
                marker={"color": _COLOURS.get(str(position), "#768692"), "size": 7},
                text=grp["name"],
                hovertemplate="%{text}: %{y:.3g}<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"{result['title']}, {result['level']}, {result['period']}",
        xaxis_title="precision (1 / standard error²)",
        yaxis_title=result["unit"],
        **_LAYOUT,
    )
    fig.update_xaxes(type="log")
    return fig


def variation_figure(rows: pd.DataFrame, result: dict[str, Any], imd: pd.Series) -> go.Figure:
    """Each area's value against its IoD 2025 deprivation score, with the fitted line (the R² split)."""
    frame = rows.assign(imd=rows["code"].map(imd)).dropna(subset=["imd", "value"])
    dep = result["deprivation"]
    line_x = pd.Series([frame["imd"].min(), frame["imd"].max()])
    fig = go.Figure(
        [
            go.Scatter(
                x=frame["imd"],
                y=frame["value"],
                mode="markers",
                text=frame["name"],
                name="areas",
                marker={"color": "#005eb8", "size": 7},
                hovertemplate="%{text}: %{y:.3g}<extra></extra>",
            ),
            go.Scatter(
                x=line_x,
                y=dep["intercept"] + dep["slope_per_imd_point"] * line_x,
                mode="lines",
                name=f"deprivation fit (R² = {dep['share_deprivation']:.2f})",
                line={"color": "#d5281b"},
            ),
        ]
    )
    fig.update_layout(
        title=(
            f"{result['title']}, {result['level']}, {result['period']}: best/worst ratio "
            f"{result['ratio_max_min']:.2f}, gap {result['gap']:.3g} {result['unit']}"
        ),
        xaxis_title="IMD 2025 average score (higher = more deprived)",
        yaxis_title=result["unit"],
        **_LAYOUT,
    )
    return fig


def trend_figure(per_period: pd.DataFrame, title: str) -> go.Figure:
    """How the spread between areas has moved over time: coefficient of variation and best/worst ratio."""
    fig = go.Figure(
        [
            go.Scatter(
                x=per_period["period"], y=per_period["cv"], name="coefficient of variation", mode="lines+markers"
            ),
            go.Scatter(
                x=per_period["period"],
                y=per_period["ratio_max_min"],
                name="highest / lowest",
                yaxis="y2",
                mode="lines+markers",
            ),
        ]
    )
    fig.update_layout(
        title=title,
        yaxis={"title": "coefficient of variation"},
        yaxis2={"title": "highest / lowest", "overlaying": "y", "side": "right"},
        **_LAYOUT,
    )
    return fig


def evaluation_figure(result: dict[str, Any]) -> go.Figure:
    """Treated area against its synthetic control, with the start year marked."""
    path: pd.DataFrame = result["path"]
    fig = go.Figure(
        [
            go.Scatter(x=path["year"], y=path["treated"], name=result["area_name"], mode="lines+markers"),
            go.Scatter(
                x=path["year"], y=path["synthetic"], name="synthetic control", mode="lines", line={"dash": "dash"}
            ),
        ]
    )
    fig.add_vline(x=result["start"], line={"color": "#768692"})
    fig.update_layout(
        title=f"{result['title']}: {result['area_name']} from {result['start']}",
        xaxis_title="first year of period",
        yaxis_title=result["unit"],
        **_LAYOUT,
    )
    return fig


def robustness_figure(result: dict[str, Any]) -> go.Figure:
    """Every robustness estimate with its interval, beside the main methods' (a forest plot)."""
    main = result["methods"].assign(check="main", variant="as specified")
    table = pd.concat([main, result["robustness"]], ignore_index=True).dropna(subset=["estimate"])
    labels = [
        f"{c}: {v} · {m.replace('_', ' ')}"
        for c, v, m in zip(table["check"], table["variant"], table["method"], strict=True)
    ]
    lower = (table["estimate"] - table["lower"]).where(table["lower"].abs() < 1e12)
    upper = (table["upper"] - table["estimate"]).where(table["upper"].abs() < 1e12)
    fig = go.Figure(
        go.Scatter(
            x=table["estimate"],
            y=labels,
            mode="markers",
            error_x={"type": "data", "symmetric": False, "array": upper.fillna(0), "arrayminus": lower.fillna(0)},
            hovertext=table["note"].fillna(""),
            name="estimate",
        )
    )
    fig.add_vline(x=0, line={"color": "#768692"})
    level = int(round(100 * float(result["level"])))
    fig.update_layout(
        title=f"How stable is the estimate? {result['title']}, {result['area_name']} "
        f"({level}% intervals; none drawn where unbounded or not computed)",
        xaxis_title=result["unit"],
        yaxis={"autorange": "reversed"},
        **(_LAYOUT | {"height": max(400, 22 * len(table) + 120)}),
    )
    return fig


def write(fig: go.Figure, out: str | Path) -> Path:
    """Save a figure as self-contained HTML (``.html``) or static PNG (``.png``)."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png"):
        raise DevocareError(f"output file {str(out)!r} must end in .html or .png")
    if not path.parent.exists():
        raise DevocareError(f"output folder {str(path.parent)!r} does not exist")
    if suffix == ".html":
        fig.write_html(path, include_plotlyjs=True, full_html=True)
        return path
    try:
        fig.write_image(path, format="png", scale=1)
    except Exception as exc:  # kaleido raises several types when no browser can be started
        raise DevocareError(f"PNG export needs kaleido and a Chromium/Chrome browser; it failed: {exc}") from exc
    return path
