"""Plotly figures for reports, built from tidy frames (pure: data in, figure out, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# NHS identity colours (NHS.UK service manual, "Colours"), one per architecture in turn.
PALETTE = ["#005eb8", "#da291c", "#007f3b", "#330072", "#ed8b00", "#00a499", "#7c2855", "#425563"]
FONT = "Arial, Helvetica, sans-serif"


#: Where every report chart's legend goes: a column to the right of the plot, from its top. Below the plot
#: (where it was) it collided with long category labels, which Plotly tilts and lengthens downwards; to the
#: right nothing else is drawn (the right margin grows to fit it), so it can collide with nothing.
LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top", "font": {"size": 12}}


def _layout(fig: go.Figure, title: str, y_title: str = "", height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        template="plotly_white",
        legend=LEGEND,
    )
    if y_title:
        fig.update_yaxes(title_text=y_title)
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


#: Quantiles of the Monte Carlo draws behind every fan chart: the 90% and 50% bands and the median.
FAN_QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}


def fan_quantiles(frame: pd.DataFrame, x: str = "year", value: str = "value", draw: str = "draw") -> pd.DataFrame:
    """Per ``x`` (in order of first appearance): the :data:`FAN_QUANTILES` of ``value`` over the Monte Carlo
    draws (1, 2, ...) and the central run (draw 0) as ``central``; rows sharing ``x`` and ``draw`` are summed.
    Without Monte Carlo draws there are no quantile columns; without draw 0, ``central`` is NaN.

    One computation for the web's fan charts and downloads and for the reports' fan charts."""
    wide = frame.pivot_table(index=x, columns=draw, values=value, aggfunc="sum", sort=False)
    draws = [c for c in wide.columns if c != 0]
    out = pd.DataFrame(index=wide.index)
    if draws:
        q = np.quantile(wide[draws].to_numpy(dtype=float), list(FAN_QUANTILES.values()), axis=1)
        out = out.assign(**dict(zip(FAN_QUANTILES, q, strict=True)))
    out["central"] = wide[0] if 0 in wide.columns else np.nan
    return out.reset_index()


def fan_chart(
    frame: pd.DataFrame,
    title: str,
    y_title: str,
    series: str = "architecture",
    x: str = "year",
    value: str = "value",
    draw: str = "draw",
) -> go.Figure:
    """The central run (draw 0) as a line with 50% and 90% bands over the Monte Carlo draws (1, 2, ...),
    one fan per ``series`` value. ``frame`` is tidy: one row per series, ``x`` and ``draw``."""
    fig = go.Figure()
    fade = min(1.0, 3 / max(1, frame[series].nunique()))  # keep overlapping bands legible
    for i, (name, group) in enumerate(frame.groupby(series, sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        q = fan_quantiles(group, x, value, draw)
        xs = [str(v) for v in q[x]]
        if group.loc[group[draw] != 0, draw].nunique() > 1:  # one draw makes no band
            for lo, hi, alpha, label in (("p5", "p95", 0.15, "90% band"), ("p25", "p75", 0.3, "50% band")):
                fig.add_trace(
                    go.Scatter(
                        x=xs + xs[::-1],
                        y=np.r_[q[hi].to_numpy(), q[lo].to_numpy()[::-1]],
                        fill="toself",
                        mode="none",
                        fillcolor=_rgba(colour, alpha * fade),
                        name=f"{name}: {label}",
                        hoverinfo="skip",
                        legendgroup=str(name),
                        showlegend=False,
                    )
                )
        centre = q["central"] if (group[draw] == 0).any() else q["p50"]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=centre.to_numpy(dtype=float),
                mode="lines+markers",
                line={"color": colour, "width": 2},
                name=str(name),
                legendgroup=str(name),
            )
        )
    return _layout(fig, title, y_title)


def grouped_bars(
    frame: pd.DataFrame, category: str, columns: Sequence[str], title: str, y_title: str = ""
) -> go.Figure:
    """One group of bars per column, one bar per ``category`` row (e.g. metrics by architecture)."""
    fig = go.Figure()
    for i, (_, row) in enumerate(frame.iterrows()):
        fig.add_trace(
            go.Bar(
                x=[str(c).replace("_", " ") for c in columns],
                y=[row[c] for c in columns],
                name=str(row[category]),
                marker_color=PALETTE[i % len(PALETTE)],
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(automargin=True)
    return _layout(fig, title, y_title)


def tornado(frame: pd.DataFrame, title: str, x_title: str = "") -> go.Figure:
    """Tornado: a horizontal bar per parameter from the mean result in its lowest fifth of draws to the mean in
    its highest fifth (columns label, low_mean, high_mean), the strongest at the top."""
    rows = frame.iloc[::-1]
    low, high = rows["low_mean"].astype(float), rows["high_mean"].astype(float)
    fig = go.Figure(
        go.Bar(
            y=rows["label"],
            x=high - low,
            base=low,
            orientation="h",
            showlegend=False,
            marker_color=[PALETTE[0] if h >= lo else PALETTE[1] for lo, h in zip(low, high, strict=True)],
            hovertemplate="%{y}<br>lowest fifth %{base:,.4g}<extra></extra>",
        )
    )
    fig = _layout(fig, title, height=max(320, 80 + 44 * len(rows)))
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(automargin=True)
    return fig


def sankey(
    nodes: Sequence[dict | str], links: Sequence[dict], title: str, scale: float = 1e-9, unit: str = "£bn"
) -> go.Figure:
    """A funding Sankey from ``nodes`` (labels or dicts with ``label``/``name``/``id``) and ``links``
    (dicts with ``source``, ``target`` as node indices or ids, and ``value`` in £, shown × ``scale``)."""
    labels = [n if isinstance(n, str) else str(n.get("label") or n.get("name") or n.get("id")) for n in nodes]
    ids = [n if isinstance(n, str) else str(n.get("id", n.get("label"))) for n in nodes]
    index = {node_id: i for i, node_id in enumerate(ids)}

    def position(ref: object) -> int:
        return int(ref) if isinstance(ref, int | np.integer) else index[str(ref)]

    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.2f",
            valuesuffix=f" {unit}",
            node={"label": labels, "pad": 12, "thickness": 14, "color": PALETTE[0]},
            link={
                "source": [position(link["source"]) for link in links],
                "target": [position(link["target"]) for link in links],
                "value": [float(link["value"]) * scale for link in links],
                "label": [str(link.get("label", "")) for link in links],
            },
        )
    )
    return _layout(fig, title, height=520)


def _rings(geometry: dict) -> list[list[list[float]]]:
    """Outer and inner rings of a (Multi)Polygon, coordinates rounded to 0.001° (about 100 m)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = []
    for polygon in polygons:
        for ring in polygon:
            points = np.round(np.asarray(ring, dtype=float), 3)
            keep = np.r_[True, np.any(np.diff(points, axis=0) != 0, axis=1)]
            rings.append(points[keep].tolist())
    return rings


def area_map(
    geojson: dict,
    code_property: str,
    name_property: str,
    values: dict[str, pd.Series],
    title: str,
    colour_title: str,
    colorscale: str = "RdBu",
    midpoint: float | None = None,
    initial: int = 0,
) -> go.Figure:
    """A choropleth drawn as filled SVG shapes (no map tiles, no topojson download, prints to PDF), with a
    menu to switch between ``values`` (one Series per architecture, indexed by area code), ``initial`` shown.

    Every area is one trace, so the boundaries are stored once and the menu only restyles colours and
    hover text; the colour scale is shared, so the maps are comparable.
    """
    from plotly.colors import sample_colorscale

    features = [f for f in geojson["features"] if f["geometry"]]
    codes = [f["properties"][code_property] for f in features]
    names = [f["properties"].get(name_property, "") for f in features]
    everything = pd.concat(list(values.values()))
    lo, hi = float(everything.min()), float(everything.max())
    if midpoint is not None:  # centre a diverging scale: equal distances either side look alike
        reach = max(abs(hi - midpoint), abs(midpoint - lo))
        lo, hi = midpoint - reach, midpoint + reach
    span = hi - lo if hi > lo else 1.0

    def styles(series: pd.Series) -> tuple[list[str], list[str]]:
        v = series.reindex(codes).to_numpy(dtype=float)
        colours = sample_colorscale(colorscale, list(np.clip(np.nan_to_num((v - lo) / span, nan=0.5), 0, 1)))
        colours = [c if np.isfinite(x) else "#d8dde0" for c, x in zip(colours, v, strict=True)]
        texts = [
            f"{n} ({c}): {x:.3g}" if np.isfinite(x) else f"{n} ({c}): no value"
            for n, c, x in zip(names, codes, v, strict=True)
        ]
        return colours, texts

    first_colours, first_texts = styles(list(values.values())[initial])
    fig = go.Figure()
    for feature, colour, text in zip(features, first_colours, first_texts, strict=True):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(feature["geometry"]):
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=colour,
                mode="lines",
                line={"color": "#aeb7bd", "width": 0.3},
                hoveron="fills",
                text=text,
                hoverinfo="text",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={
                "colorscale": colorscale,
                "cmin": lo,
                "cmax": hi,
                "color": [lo],
                "showscale": True,
                "colorbar": {"title": {"text": colour_title}},
            },
        )
    )
    n = len(features)
    buttons = []
    for label, series in values.items():
        colours, texts = styles(series)
        buttons.append(
            {"label": label, "method": "restyle", "args": [{"fillcolor": colours, "text": texts}, list(range(n))]}
        )
    fig.update_layout(
        updatemenus=[
            {
                "buttons": buttons,
                "active": initial,
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showactive": True,
            }
        ]
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1.64)  # 1° latitude ≈ 1.64° longitude at 52.5°N
    fig = _layout(fig, title, height=720)
    fig.update_layout(margin={"t": 110})
    return fig


def contributions(frame: pd.DataFrame, title: str, x_title: str = "") -> go.Figure:
    """Horizontal bars of each part's central contribution to a difference (columns label, central), in the
    frame's order from the top, with a line from P5 to P95 over the Monte Carlo draws where the frame has
    them (columns p5, p95: the central run need not lie between them) and each part's share of the
    difference's variance on hover (column share_of_variance, where there is one). A row with ``total`` true (the
    difference itself) is grey; bars that raise the difference are blue, bars that lower it red, as in
    :func:`tornado`."""
    rows = frame.iloc[::-1]
    labels = rows["label"].astype(str).tolist()
    central = rows["central"].astype(float)
    total = rows["total"].astype(bool) if "total" in rows else pd.Series(False, index=rows.index)
    colours = [PALETTE[7] if t else PALETTE[0] if v >= 0 else PALETTE[1] for v, t in zip(central, total, strict=True)]
    shares = rows["share_of_variance"] if "share_of_variance" in rows else pd.Series(np.nan, index=rows.index)
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=central,
            orientation="h",
            showlegend=False,
            marker_color=colours,
            customdata=[f"<br>share of variance {v:.0%}" if v == v else "" for v in shares.astype(float)],
            hovertemplate="%{y}<br>central run %{x:,.4g}%{customdata}<extra></extra>",
        )
    )
    if {"p5", "p95"} <= set(rows.columns) and rows[["p5", "p95"]].notna().all().all():
        xs: list[float | None] = []
        ys: list[str | None] = []
        for label, lo, hi in zip(labels, rows["p5"].astype(float), rows["p95"].astype(float), strict=True):
            xs += [lo, hi, None]
            ys += [label, label, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                line={"color": "#212b32", "width": 1.5},
                marker={"symbol": "line-ns-open", "size": 10, "color": "#212b32"},
                showlegend=False,
                hovertemplate="%{y}<br>P5–P95 end %{x:,.4g}<extra></extra>",
            )
        )
    fig = _layout(fig, title, height=max(320, 80 + 44 * len(rows)))
    fig.update_xaxes(title_text=x_title, zeroline=True, zerolinecolor="#425563")
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=labels)
    return fig
