"""How architectures and simulation results show themselves in a console, a notebook and a chart.

Short ``repr``s (one line, whatever the size of the object), small HTML tables for Jupyter
(``_repr_html_``), and Plotly figures for a result's plot methods. Kept apart from the models so that
they stay about data; the models' methods call these.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

# Architectures and results are passed in (typed Any): this module sits below both in the layers.
Architecture = Any
SimulationResult = Any

#: Summary figures shown in a result's HTML view, with their labels, in order.
RESULT_FIGURES = (
    ("spent_gbp_bn", "Spent at the horizon (£bn)"),
    ("acute_share", "Acute share of spend"),
    ("upstream_share", "Upstream share of spend"),
    ("admissions_per_1000", "Admissions per 1,000"),
    ("bodies_in_intervention", "Budgets in intervention"),
    ("deficit_support_gbp_bn", "Deficit support (£bn)"),
    ("funding_per_need_cv", "Funding per need, CV"),
)

#: Budget measures that are counts or flags, not money.
COUNT_MEASURES = frozenset({"admissions", "floor_breached", "intervention"})


def _table(rows: Iterable[tuple[str, Any]], caption: str) -> str:
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption style='text-align:left'><b>{html.escape(caption)}</b></caption>{cells}</table>"


def architecture_repr(arch: Architecture) -> str:
    """``Architecture(id=..., name=..., as_of=..., bodies=N, functions=N, ...)``: one line."""
    return (
        f"Architecture(id={arch.id!r}, name={arch.name!r}, as_of={arch.as_of.isoformat()!r}, "
        f"bodies={len(arch.bodies)}, functions={len(arch.functions)}, "
        f"accountability={len(arch.accountability)}, flows={len(arch.flows)})"
    )


def architecture_html(arch: Architecture) -> str:
    """The architecture's name, description and counts, then its bodies (id, name, kind, tier, areas)."""
    head = _table(
        [
            ("id", arch.id),
            ("as of", arch.as_of.isoformat()),
            ("extends", arch.extends or "—"),
            ("bodies", len(arch.bodies)),
            ("functions", len(arch.functions)),
            ("accountability edges", len(arch.accountability)),
            ("funding flows", len(arch.flows)),
        ],
        arch.name,
    )
    bodies = pd.DataFrame(
        [
            {"id": b.id, "name": b.name, "kind": str(b.kind), "tier": str(b.tier), "areas": b.area_level or "—"}
            for b in arch.bodies
        ]
    )
    description = f"<p>{html.escape(arch.description)}</p>" if arch.description else ""
    return head + description + bodies.to_html(index=False, escape=True)


def result_repr(result: SimulationResult) -> str:
    """``SimulationResult(architecture=..., years=..., draws=N, atoms=..., budgets=N)``: one line."""
    years = f"{result.years[0]}–{result.years[-1]}" if result.years else ""
    return (
        f"SimulationResult(architecture={result.architecture!r}, years={years!r} ({len(result.years)}), "
        f"draws={result.n_draws}, atoms={result.atom_level!r} ({len(result.atoms)}), "
        f"budgets={len(result.budgets)})"
    )


def result_html(result: SimulationResult) -> str:
    """The run's headline figures at the horizon: central run, and P5–P95 over the draws when there are any."""
    summary = result.summary
    rows: list[tuple[str, Any]] = [
        ("years", f"{summary['base_year']} to {summary['horizon']}"),
        ("draws", summary["draws"]),
        ("atoms", f"{summary['atoms']} ({len(result.atoms)})"),
        ("budgets", summary["budgets"]),
    ]
    for key, label in RESULT_FIGURES:
        value = f"{summary[key]:,.3f}"
        if f"{key}_p5" in summary:
            value += f" (P5–P95 {summary[f'{key}_p5']:,.3f} to {summary[f'{key}_p95']:,.3f})"
        rows.append((label, value))
    return _table(rows, f"Simulation of {result.architecture}")


def _go() -> Any:
    from devocare.extras import require

    require("charts", "plotting")
    import plotly.graph_objects as go

    return go


def fan_figure(result: SimulationResult, measure: str = "spent") -> Any:
    """National ``measure`` by year: the central run as a line, 50% and 90% bands over the draws."""
    from devocare.errors import UnknownChoiceError

    draws = result.draws_table()
    choices = [c for c in draws.columns if c not in ("draw", "year")]
    if measure not in choices:
        raise UnknownChoiceError("measure", measure, choices)
    go = _go()
    money = measure in ("spent", "acute_spend", "upstream_spend", "deficit_support")
    scale, unit = (1e9, " (£bn)") if money else (1.0, "")
    wide = draws.pivot_table(index="year", columns="draw", values=measure, sort=False) / scale
    years = [str(y) for y in wide.index]
    fig = go.Figure()
    if wide.shape[1] > 2:
        mc = wide.drop(columns=0).to_numpy(dtype=float)
        for lo, hi, alpha, label in ((5, 95, 0.15, "90% of draws"), (25, 75, 0.3, "50% of draws")):
            low, high = pd.DataFrame(mc).quantile([lo / 100, hi / 100], axis=1).to_numpy()
            fig.add_trace(
                go.Scatter(
                    x=years + years[::-1],
                    y=list(high) + list(low[::-1]),
                    fill="toself",
                    mode="none",
                    fillcolor=f"rgba(0,94,184,{alpha})",
                    name=label,
                )
            )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=wide[0].to_numpy(dtype=float),
            mode="lines+markers",
            name="central run",
            line={"color": "#005eb8", "width": 2},
        )
    )
    fig.update_layout(
        title=f"{result.architecture}: {measure.replace('_', ' ')}{unit}",
        template="plotly_white",
        xaxis_title="year",
        yaxis_title=measure.replace("_", " ") + unit,
    )
    return fig


def waterfall_figure(result: SimulationResult, measure: str = "acute_spend") -> Any:
    """The change-factor waterfall of ``measure`` (base year → each factor → interaction → horizon), £bn."""
    from devocare.errors import UnknownChoiceError

    choices = list(dict.fromkeys(result.waterfall["measure"]))
    if measure not in choices:
        raise UnknownChoiceError("waterfall measure", measure, choices)
    go = _go()
    rows = result.waterfall[result.waterfall["measure"] == measure]
    kinds = ["absolute" if step in ("base", "horizon") else "relative" for step in rows["step"]]
    kinds[-1] = "total"
    fig = go.Figure(
        go.Waterfall(
            x=[str(s).replace("_", " ") for s in rows["step"]],
            measure=kinds,
            y=(rows["value"] / 1e9).to_numpy(dtype=float),
        )
    )
    fig.update_layout(
        title=f"{result.architecture}: change in {measure.replace('_', ' ')} (£bn)",
        template="plotly_white",
        yaxis_title="£bn",
        showlegend=False,
    )
    return fig


def budgets_figure(result: SimulationResult, measure: str = "spent", year: str | None = None, top: int = 30) -> Any:
    """The central run's ``measure`` by budget in ``year`` (default the horizon): the ``top`` largest, £m."""
    from devocare.errors import UnknownChoiceError

    table = result.table
    rows = table[(table["draw"] == 0) & table["body"].notna()]
    choices = sorted(map(str, rows["measure"].unique()))
    if measure not in choices:
        raise UnknownChoiceError("measure", measure, choices)
    year = year or result.years[-1]
    if year not in result.years:
        raise UnknownChoiceError("year", year, result.years)
    go = _go()
    selected = rows[(rows["measure"] == measure) & (rows["year"] == year)]
    scale, unit = (1.0, "") if measure in COUNT_MEASURES else (1e6, "£m")
    chosen = selected.groupby("body", observed=True)["value"].sum().nlargest(top)[::-1] / scale
    fig = go.Figure(
        go.Bar(
            x=chosen.to_numpy(dtype=float), y=[str(b) for b in chosen.index], orientation="h", marker_color="#005eb8"
        )
    )
    fig.update_layout(
        title=f"{result.architecture}: {measure.replace('_', ' ')} by budget, {year}" + (f" ({unit})" if unit else ""),
        template="plotly_white",
        xaxis_title=unit or measure.replace("_", " "),
        height=max(400, 18 * len(chosen) + 120),
    )
    return fig
