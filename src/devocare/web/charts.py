"""Plotly figures as plain JSON dicts (drawn in the browser by the plotly.js bundled with plotly).

Each builder takes a DataFrame the library computed and returns a figure; none computes figures itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare.web.frames import jsonable

NHS_BLUE = "#005eb8"
PALETTE = ["#005eb8", "#ed8b00", "#009639", "#7c2855", "#00a499", "#330072", "#ae2573", "#41b6e6", "#768692", "#ffb81c"]


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout = {
        "title": {"text": title, "font": {"size": 16}},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "font": {"family": "Frutiger W01, Arial, sans-serif"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": PALETTE,
    }
    layout.update(extra)
    return layout


def choropleth(
    df: pd.DataFrame,
    level: str,
    value: str,
    title: str,
    code: str = "code",
    name: str = "name",
    colorbar: str = "",
    link: str | None = None,
    highlight: str | None = None,
) -> dict[str, Any]:
    """Areas of ``level`` coloured by ``value``; boundaries fetched by the browser from the API.

    ``link`` is a URL template with ``{code}``: clicking an area follows it. ``highlight`` outlines one area.
    """
    trace: dict[str, Any] = {
        "type": "choropleth",
        "geojson": f"/api/v1/boundaries/{level}",
        "featureidkey": "properties.code",
        "locations": df[code].tolist(),
        "z": jsonable(df[value].astype(float).tolist()),
        "text": df[name].tolist() if name in df else df[code].tolist(),
        "hovertemplate": "%{text}<br>%{z:,.4g}<extra></extra>",
        "colorscale": [[0, "#e8edee"], [0.5, "#41b6e6"], [1, "#003087"]],
        "marker": {"line": {"color": "#ffffff", "width": 0.3}},
        "colorbar": {"title": {"text": colorbar}},
    }
    if link:
        trace["customdata"] = [link.format(code=c) for c in df[code]]
    traces = [trace]
    if highlight is not None:
        traces.append(
            {
                "type": "choropleth",
                "geojson": f"/api/v1/boundaries/{level}",
                "featureidkey": "properties.code",
                "locations": [highlight],
                "z": [1],
                "showscale": False,
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "marker": {"line": {"color": "#d5281b", "width": 2.5}},
                "hoverinfo": "skip",
            }
        )
    geo = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}}
    return {"data": traces, "layout": _layout(title, geo=geo, height=560, margin={"l": 0, "r": 0, "t": 50, "b": 0})}


def bars(
    df: pd.DataFrame, x: str, y: str, title: str, color: str | None = None, horizontal: bool = False, ytitle: str = ""
) -> dict[str, Any]:
    """Bar chart (grouped by ``color`` when given)."""
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    traces = []
    for key, part in groups:
        xs, ys = jsonable(part[x].tolist()), jsonable(part[y].tolist())
        trace = {
            "type": "bar",
            "x": ys if horizontal else xs,
            "y": xs if horizontal else ys,
            "orientation": "h" if horizontal else "v",
        }
        if key is not None:
            trace["name"] = str(key)
        traces.append(trace)
    extra: dict[str, Any] = {"barmode": "group"}
    if horizontal:
        extra.update(height=max(360, 22 * len(df) + 120), yaxis={"automargin": True}, xaxis={"title": ytitle})
    else:
        extra["yaxis"] = {"title": ytitle}
    return {"data": traces, "layout": _layout(title, **extra)}


def lines(df: pd.DataFrame, x: str, y: str, title: str, color: str | None = None, ytitle: str = "") -> dict[str, Any]:
    """Line chart, one line per ``color`` value."""
    groups = [(None, df)] if color is None else list(df.groupby(color, sort=False))
    traces = []
    for key, part in groups:
        trace = {
            "type": "scatter",
            "mode": "lines+markers",
            "x": jsonable(part[x].tolist()),
            "y": jsonable(part[y].tolist()),
        }
        if key is not None:
            trace["name"] = str(key)
        traces.append(trace)
    return {"data": traces, "layout": _layout(title, yaxis={"title": ytitle})}


def fan(
    df: pd.DataFrame,
    x: str,
    title: str,
    series: str | None = None,
    ytitle: str = "",
    mid: str = "p50",
    bands: tuple[tuple[str, str], ...] = (("p5", "p95"), ("p25", "p75")),
) -> dict[str, Any]:
    """Fan chart: shaded quantile bands around a central line, one fan per ``series`` value."""
    groups = [(None, df)] if series is None else list(df.groupby(series, sort=False))
    traces: list[dict[str, Any]] = []
    for i, (key, part) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
        xs = jsonable(part[x].tolist())
        label = "" if key is None else str(key)
        for j, (lo, hi) in enumerate(bands):
            if lo not in part or hi not in part:
                continue
            fill = f"rgba({r},{g},{b},{0.15 + 0.15 * j})"
            traces.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": jsonable(part[lo].tolist()),
                    "mode": "lines",
                    "line": {"width": 0},
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
            traces.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": jsonable(part[hi].tolist()),
                    "mode": "lines",
                    "line": {"width": 0},
                    "fill": "tonexty",
                    "fillcolor": fill,
                    "name": f"{label} {lo}–{hi}".strip(),
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": jsonable(part[mid].tolist()),
                "mode": "lines+markers",
                "line": {"color": colour, "width": 2},
                "name": f"{label} {mid}".strip(),
            }
        )
    return {"data": traces, "layout": _layout(title, yaxis={"title": ytitle})}


def sankey(nodes: list[dict[str, Any]], links: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """Funding Sankey from ``atlas.sankey`` nodes and links."""
    index = {str(n.get("id", i)): i for i, n in enumerate(nodes)}

    def at(ref: Any) -> int:
        return int(ref) if isinstance(ref, int | np.integer) else index[str(ref)]

    link_values = [float(lk.get("value", lk.get("amount", 0)) or 0) for lk in links]
    return {
        "data": [
            {
                "type": "sankey",
                "arrangement": "snap",
                "node": {
                    "label": [str(n.get("label", n.get("name", n.get("id", "")))) for n in nodes],
                    "pad": 12,
                    "color": NHS_BLUE,
                },
                "link": {
                    "source": [at(lk["source"]) for lk in links],
                    "target": [at(lk["target"]) for lk in links],
                    "value": link_values,
                    "label": [str(lk.get("label", "")) for lk in links],
                },
            }
        ],
        "layout": _layout(title, height=max(420, 18 * len(nodes))),
    }


def network(nodes: pd.DataFrame, edges: pd.DataFrame, title: str) -> dict[str, Any]:
    """Accountability graph: nodes at given x, y positions, edges as line segments with hover labels."""
    traces: list[dict[str, Any]] = []
    for kind, part in edges.groupby("kind", sort=False) if len(edges) else []:
        xs: list[Any] = []
        ys: list[Any] = []
        for row in part.itertuples():
            xs += [row.x0, row.x1, None]
            ys += [row.y0, row.y1, None]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "name": f"{kind} accountability",
                "hoverinfo": "skip",
                "line": {"width": 1.2},
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers+text",
            "x": nodes["x"].tolist(),
            "y": nodes["y"].tolist(),
            "text": nodes["label"].tolist(),
            "textposition": nodes["textposition"].tolist() if "textposition" in nodes else "top center",
            "textfont": {"size": 10},
            "hovertext": nodes["hover"].tolist(),
            "hoverinfo": "text",
            "name": "bodies",
            "marker": {"size": 14, "color": NHS_BLUE, "line": {"color": "#fff", "width": 1}},
        }
    )
    layout = _layout(
        title,
        xaxis={"visible": False, "zeroline": False, "range": [-0.05, 1.05]},
        yaxis={"visible": False, "zeroline": False},
        height=680,
        hovermode="closest",
        margin={"l": 110, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h"},
    )
    return {"data": traces, "layout": layout}


def funnel(
    df: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    limits: pd.DataFrame | None = None,
    mean: float | None = None,
    xtitle: str = "",
    ytitle: str = "",
    color: str | None = None,
    groups: dict[str, tuple[str, str]] | None = None,
    limit_labels: dict[str, str] | None = None,
    mean_label: str = "England",
) -> dict[str, Any]:
    """Funnel plot: areas as points against their size, with control-limit curves when given.

    With ``color`` and ``groups`` (key → (label, colour)) the points are coloured by that column and the
    legend says the label, never the key. ``limit_labels`` names each limit curve column (e.g.
    ``lower_95`` → "95% control limits"); curves sharing a label share one legend entry.
    """
    keys: list[Any] = [None] if color is None else [k for k in (groups or {}) if (df[color] == k).any()]
    if color is not None:
        keys += [k for k in df[color].unique() if k not in keys]
    traces: list[dict[str, Any]] = []
    for key in keys:
        part = df if key is None else df[df[color] == key]
        label, colour = (groups or {}).get(str(key), (str(key), "#768692")) if key is not None else ("areas", NHS_BLUE)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": jsonable(part[x].tolist()),
                "y": jsonable(part[y].tolist()),
                "text": part["name"].tolist() if "name" in part else None,
                "name": label,
                "hovertemplate": "%{text}<br>%{y:,.4g}<extra>" + label + "</extra>",
                "marker": {"color": colour, "size": 7, "line": {"color": "#212b32", "width": 0.5}},
            }
        )
    if limits is not None and len(limits):
        lx = limits.columns[0]
        seen: set[str] = set()
        for col in limits.columns[1:]:
            name = (limit_labels or {}).get(str(col), str(col))
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": jsonable(limits[lx].tolist()),
                    "y": jsonable(limits[col].tolist()),
                    "name": name,
                    "legendgroup": name,
                    "showlegend": name not in seen,
                    "line": {"dash": "dot" if str(col).endswith("_95") else "dash", "color": "#4c6272"},
                }
            )
            seen.add(name)
    if mean is not None:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [float(df[x].min()), float(df[x].max())],
                "y": [mean, mean],
                "name": mean_label,
                "line": {"color": "#212b32"},
            }
        )
    return {"data": traces, "layout": _layout(title, xaxis={"title": xtitle, "type": "log"}, yaxis={"title": ytitle})}


def interval_bars(
    df: pd.DataFrame,
    title: str,
    england: float | None,
    groups: dict[str, tuple[str, str]],
    color: str = "comparison",
    xtitle: str = "",
    link: str | None = None,
) -> dict[str, Any]:
    """Areas' values as horizontal bars with their 95% confidence intervals, coloured by comparison.

    ``df`` needs ``name``, ``value``, ``lci``, ``uci`` and the ``color`` column; bars are drawn in the order
    given (sort before calling). The legend says each group's label from ``groups``. ``link`` is a URL
    template with ``{code}`` that a click on a bar follows.
    """
    traces: list[dict[str, Any]] = []
    for key, (label, colour) in groups.items():
        part = df[df[color] == key]
        if part.empty:
            continue
        err = {
            "type": "data",
            "symmetric": False,
            "color": "#212b32",
            "thickness": 1,
            "array": jsonable((part["uci"] - part["value"]).tolist()),
            "arrayminus": jsonable((part["value"] - part["lci"]).tolist()),
        }
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": jsonable(part["value"].tolist()),
                "y": part["name"].tolist(),
                "name": label,
                "marker": {"color": colour},
                "error_x": err,
                "hovertemplate": "%{y}: %{x:,.4g}<extra>" + label + "</extra>",
            }
        )
        if link and "code" in part:
            traces[-1]["customdata"] = [link.format(code=c) for c in part["code"]]
    shapes = []
    if england is not None and england == england:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": england,
                "x1": england,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#212b32", "width": 2},
            }
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [england, england],
                "y": [None, None],
                "name": f"England ({england:,.4g})",
                "line": {"color": "#212b32", "width": 2},
            }
        )
    order = df["name"].tolist()
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=max(420, 13 * len(df) + 140),
            shapes=shapes,
            barmode="overlay",
            legend={"orientation": "h"},
            xaxis={"title": xtitle},
            margin={"l": 220, "r": 20, "t": 60, "b": 60},
            yaxis={
                "categoryorder": "array",
                "categoryarray": order,
                "autorange": "reversed",
                "tickfont": {"size": 9},
                "automargin": True,
            },
        ),
    }


def spine(pos: pd.DataFrame, profile: pd.DataFrame, title: str, groups: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Spine chart: one row per indicator, England at the centre, better to the right (Fingertips' layout).

    ``pos`` holds the scaled positions (:func:`devocare.outcomes.benchmark.spine_positions`) and ``profile``
    the real numbers and ``comparison`` for the hover text and colours, row for row.
    """
    labels = pos["title"].tolist()
    lo_all = np.minimum(pos["worst"], pos["best"])
    lo_mid = np.minimum(pos["p25"], pos["p75"])
    hover_range = [
        f"worst {w:,.4g}, best {b:,.4g} {u}"
        for w, b, u in zip(profile["worst"], profile["best"], profile["unit"], strict=True)
    ]
    hover_mid = [
        f"25th percentile {a:,.4g}, median {m:,.4g}, 75th percentile {c:,.4g}"
        for a, m, c in zip(profile["p25"], profile["median"], profile["p75"], strict=True)
    ]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "base": jsonable(lo_all.tolist()),
            "x": jsonable((pos["worst"] - pos["best"]).abs().tolist()),
            "name": "Range of areas, worst to best",
            "marker": {"color": "#d8dde0"},
            "hovertext": hover_range,
            "hoverinfo": "text",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": labels,
            "base": jsonable(lo_mid.tolist()),
            "x": jsonable((pos["p75"] - pos["p25"]).abs().tolist()),
            "name": "Middle half of areas (25th to 75th percentile)",
            "marker": {"color": "#768692"},
            "hovertext": hover_mid,
            "hoverinfo": "text",
        },
    ]
    for key, (label, colour) in groups.items():
        mask = (profile["comparison"] == key).to_numpy()
        if not mask.any():
            continue
        text = [
            f"{v:,.4g} {u} (England {e:,.4g})"
            for v, u, e in zip(profile["value"][mask], profile["unit"][mask], profile["england"][mask], strict=True)
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": [t for t, m in zip(labels, mask, strict=True) if m],
                "x": jsonable(pos["value"][mask].tolist()),
                "name": label,
                "hovertext": text,
                "hoverinfo": "text",
                "marker": {"color": colour, "size": 12, "symbol": "circle", "line": {"color": "#212b32", "width": 1}},
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": [0, 0],
            "y": [labels[0], labels[-1]],
            "name": "England",
            "line": {"color": "#212b32", "width": 2},
            "hoverinfo": "skip",
        }
    )
    return {
        "data": traces,
        "layout": _layout(
            title,
            barmode="overlay",
            height=max(420, 34 * len(labels) + 160),
            legend={"orientation": "h", "y": -0.08},
            xaxis={
                "range": [-1.1, 1.1],
                "tickvals": [-1, 0, 1],
                "ticktext": ["Worst", "England", "Best"],
                "zeroline": False,
                "fixedrange": True,
            },
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            margin={"l": 300, "r": 20, "t": 60, "b": 60},
        ),
    }


def tornado(df: pd.DataFrame, title: str, xtitle: str = "") -> dict[str, Any]:
    """Tornado: one horizontal bar per parameter from the mean result in its lowest fifth of draws to the mean
    in its highest fifth (columns label, low_mean, high_mean), the largest at the top."""
    rows = df.iloc[::-1]
    low, high = rows["low_mean"].astype(float), rows["high_mean"].astype(float)
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": rows["label"].tolist(),
        "x": jsonable((high - low).tolist()),
        "base": jsonable(low.tolist()),
        "marker": {"color": [PALETTE[0] if h >= lo else PALETTE[1] for lo, h in zip(low, high, strict=True)]},
        "hovertemplate": "%{y}<br>lowest fifth: %{base:,.4g}<br>highest fifth: %{x:+,.4g} from there<extra></extra>",
        "showlegend": False,
    }
    return {
        "data": [trace],
        "layout": _layout(
            title, xaxis={"title": xtitle}, yaxis={"automargin": True}, height=max(300, 60 + 40 * len(rows))
        ),
    }
