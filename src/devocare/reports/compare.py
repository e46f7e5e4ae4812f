"""``compare_report``: a self-contained HTML report comparing architectures on the embedded data.

Every number in the report comes from the library (architecture metrics and diff, the simulator, the
parameter tree, the data catalogue); nothing is typed in here. A section whose library part is not
available in this installation is listed as missing, with the reason, rather than filled in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

import devocare
from devocare import atlas, data, formatting, measures, simulation
from devocare.bounds import MAX_SEED
from devocare.errors import DevocareError
from devocare.reports import charts
from devocare.reports.tables import esc as _esc
from devocare.reports.tables import table as _table
from devocare.reports.template import render_page
from devocare.simulation import attribution

DEFAULT_YEARS = 10
DEFAULT_DRAWS = 100
MAX_YEARS = 30
MAX_DRAWS = 5000


@dataclass
class Section:
    """One report section: its HTML, or why it is missing."""

    id: str
    title: str
    html: str = ""
    missing: str | None = None


@dataclass
class Context:
    """What the sections share: the loaded architectures, the run settings, and figures drawn so far."""

    archs: list[Any]
    years: int
    draws: int
    seed: int
    results: dict[str, Any] | None = None
    figure_count: int = 0
    attribute: bool = False
    attribution: Any = None
    progress: Callable[[int, int], None] | None = None

    def figure(self, fig: go.Figure) -> str:
        """A figure as an inline ``div`` (plotly.js is included once, in the page head)."""
        self.figure_count += 1
        return (
            '<div class="chart">'
            + fig.to_html(
                full_html=False,
                include_plotlyjs=False,
                include_mathjax=False,
                div_id=f"chart-{self.figure_count}",
                config={"displaylogo": False, "responsive": True},
            )
            + "</div>"
        )


#: The library functions the report reads, by (module, name): ordinary imports, named so that a section can
#: say which part it lacks when one is taken away.
LIBRARY: dict[tuple[str, str], Callable[..., Any]] = {
    ("devocare.atlas", "diff"): atlas.diff,
    ("devocare.atlas", "sankey"): atlas.sankey,
    ("devocare.atlas", "metrics_table"): atlas.metrics_table,
    ("devocare.simulation", "simulate"): simulation.simulate,
    ("devocare.simulation", "parameters"): simulation.parameters,
    ("devocare.simulation.attribution", "attribute"): attribution.attribute,
}


def _api(module: str, name: str) -> Callable[..., Any] | None:
    """A library function the report reads (None where it is not available)."""
    return LIBRARY.get((module, name))


def _missing(module: str, names: Sequence[str]) -> str | None:
    absent = [n for n in names if _api(module, n) is None]
    if not absent:
        return None
    return f"{', '.join(f'{module}.{n}' for n in absent)} not available in this installation of devocare"


def _arch_hash(arch: Any) -> str:
    return hashlib.sha256(arch.model_dump_json().encode("utf-8")).hexdigest()


# sections ------------------------------------------------------------------------------------------------


def _architectures_section(ctx: Context) -> Section:
    rows = [
        {
            "id": a.id,
            "name": a.name,
            "structure as of": str(a.as_of),
            "extends": a.extends or "–",
            "description": a.description,
            "sources": "; ".join(a.sources),
        }
        for a in ctx.archs
    ]
    return Section("architectures", "The architectures compared", _table(pd.DataFrame(rows)))


def _metrics_table_api() -> Callable[..., Any] | None:
    return _api("devocare.atlas", "metrics_table")


def _metrics_section(ctx: Context) -> Section:
    section = Section("metrics", "Structural metrics")
    metrics_table = _metrics_table_api()
    if metrics_table is None:
        section.missing = "devocare.atlas.metrics_table not available in this installation of devocare"
        return section
    table = metrics_table(ctx.archs)
    key = "id" if "id" in table.columns else table.columns[0]
    wide = table.set_index(key).T.rename_axis(index="metric", columns=None).reset_index()
    wide = wide.astype({c: object for c in wide.columns if c != "metric"})
    for column in wide.columns[1:]:
        wide[column] = [
            ("–" if v is None or (isinstance(v, float) and pd.isna(v)) or v == "" else _value(m, v))
            for m, v in zip(wide["metric"], wide[column], strict=True)
        ]
    wide["metric"] = wide["metric"].map(measures.label)
    html = [
        "<p>Computed from each architecture's bodies, functions, accountability edges and funding flows on "
        "the shipped geography, never typed in; the definitions are in the architecture reference "
        "(<code>docs/reference/architecture-format.md</code>) and the glossary of measures. Distance is "
        "accountability hops from the commissioner of a pound to the nearest electorate.</p>",
        _table(wide),
    ]
    shares = [
        c
        for c in table.columns
        if c != key
        and pd.api.types.is_float_dtype(table[c])
        and (c.endswith("_share") or c.startswith("centralism") or c == "coterminosity")
        and not c.startswith("board_")
    ]
    if shares:
        html.append(
            ctx.figure(
                charts.grouped_bars(
                    table, key, shares, "Centralism, devolution and coterminosity by architecture", "share"
                )
            )
        )
    boards = [c for c in table.columns if c.startswith("board_") and c.endswith("_share")]
    if boards:
        html.append(
            ctx.figure(
                charts.grouped_bars(
                    table, key, boards, "Board seats of commissioning bodies by category", "share of seats"
                )
            )
        )
    section.html = "\n".join(html)
    return section


def _changes_section(ctx: Context) -> Section:
    baseline = ctx.archs[0]
    section = Section("changes", f"What changes from {baseline.name}")
    section.missing = _missing("devocare.atlas", ["diff"])
    if section.missing:
        return section
    diff = _api("devocare.atlas", "diff")
    parts = []
    for other in ctx.archs[1:]:
        text = diff(baseline, other).to_text()  # type: ignore[misc]
        parts.append(
            f"<details open><summary><strong>{_esc(baseline.id)} → {_esc(other.id)}</strong></summary>"
            f"<pre>{_esc(text)}</pre></details>"
        )
    section.html = "\n".join(parts)
    return section


def _funding_section(ctx: Context) -> Section:
    section = Section("funding", "Where the money goes")
    section.missing = _missing("devocare.atlas", ["sankey"])
    if section.missing:
        return section
    sankey = _api("devocare.atlas", "sankey")
    parts = [
        "<p>Each architecture's cited funding flows from their source to the budget holders and on to "
        "service lines (hover for £bn).</p>"
    ]
    for arch in ctx.archs:
        flows = sankey(arch)  # type: ignore[misc]
        if not flows.get("links"):
            parts.append(f"<p>{_esc(arch.name)}: no funding flows with amounts.</p>")
            continue
        parts.append(ctx.figure(charts.sankey(flows["nodes"], flows["links"], f"Funding flows: {arch.name}")))
    section.html = "\n".join(parts)
    return section


def _run_simulations(ctx: Context) -> str | None:
    """Simulate each architecture with the same settings; return why not, if the simulator is missing."""
    missing = _missing("devocare.simulation", ["simulate"])
    if missing:
        return missing
    simulate = _api("devocare.simulation", "simulate")
    ctx.results = {
        a.id: simulate(a, years=ctx.years, draws=ctx.draws, seed=ctx.seed)  # type: ignore[misc]
        for a in ctx.archs
    }
    return None


# National series drawn as fan charts: draws_table() column → (title, unit label, scale).
FAN_MEASURES = {
    "spent": ("Money spent on health and care, England", "£bn", 1e-9),
    "acute_spend": ("Acute hospital spend, England", "£bn", 1e-9),
    "upstream_spend": ("Upstream spend (primary, community, public health, wider services), England", "£bn", 1e-9),
    "admissions": ("Emergency admissions, England", "admissions (millions)", 1e-6),
    "deficit_support": ("Deficits absorbed nationally, England", "£bn", 1e-9),
    "bodies_in_intervention": ("Budget holders in intervention", "bodies", 1.0),
}


def _simulation_section(ctx: Context) -> Section:
    section = Section("simulation", f"Simulated money over {ctx.years} years")
    section.missing = _run_simulations(ctx)
    if section.missing or not ctx.results:
        return section
    first = next(iter(ctx.results.values())).summary
    bands = (
        "the central run only (draws = 0)"
        if ctx.draws == 0
        else f"the central run (line) with 50% and 90% bands over {ctx.draws} Monte Carlo draws"
    )
    html = [
        f"<p>Each architecture's money rules run over {first.get('atoms', 'area')} areas from "
        f"{first.get('base_year')} to {first.get('horizon')} with the same parameters and seed ({ctx.seed}). "
        f"Charts show national totals by year: {bands}.</p>",
        f"<h3>At the horizon ({_esc(first.get('horizon'))})</h3>",
        "<p>Central run; in brackets the 5th–95th percentile over draws where there are draws.</p>",
        _table(_summary_table(ctx.results), float_format="{}"),
    ]
    draws = pd.concat(
        [r.draws_table().assign(architecture=arch_id) for arch_id, r in ctx.results.items()], ignore_index=True
    )
    for column, (title, unit, scale) in FAN_MEASURES.items():
        if column in draws.columns:
            frame = draws[["architecture", "year", "draw"]].assign(value=draws[column] * scale)
            html.append(ctx.figure(charts.fan_chart(frame, title, unit)))
    spend_map = _spend_to_need_map(ctx)
    if spend_map:
        html.append(spend_map)
    html.append(_waterfall_html(ctx))
    html.append(_tornado_html(ctx))
    section.html = "\n".join(html)
    return section


def _tornado_html(ctx: Context) -> str:
    """Which uncertain assumptions move each reform's paired difference in money spent from the first
    architecture (Monte Carlo runs with at least 10 draws)."""
    from devocare.simulation.sensitivity import describe, tornado

    results = list((ctx.results or {}).values())
    if len(results) < 2 or results[0].n_draws < 10:
        return ""
    base = results[0]
    html = [
        "<h3>What the differences depend on</h3><p>For each architecture against "
        f"{_esc(base.architecture)}, the uncertain parameters whose Monte Carlo draws move the paired difference "
        "in money spent at the horizon most: Spearman's rank correlation, and the mean difference in the fifth "
        "of draws where the parameter is lowest and where it is highest (the ends of each bar, £bn).</p>"
    ]
    for r in results[1:]:
        table = tornado(r, "spent_gbp_bn", base, top=8)
        html.append(f"<h4>{_esc(r.architecture)} minus {_esc(base.architecture)}</h4><p>{_esc(describe(table))}</p>")
        html.append(
            ctx.figure(
                charts.tornado(
                    table,
                    f"Sensitivity of the difference in money spent: {r.architecture} minus {base.architecture}",
                    "£bn",
                )
            )
        )
    return "\n".join(html)


def _waterfall_html(ctx: Context) -> str:
    """The change-factor waterfalls (£bn) by architecture: one table and one chart per measure."""
    order = list((ctx.results or {}).keys())
    frames = [
        r.waterfall.assign(architecture=arch_id)
        for arch_id, r in (ctx.results or {}).items()
        if r.waterfall is not None and len(r.waterfall)
    ]
    if not frames:
        return ""
    waterfall = pd.concat(frames, ignore_index=True)
    html = [
        "<h3>What drives the change from base year to horizon</h3><p>Change-factor waterfall (central "
        "run): each factor's effect is its Shapley value — its contribution averaged over every order in "
        "which the factors could be switched on — so base + effects = horizon exactly (the interaction "
        "row is zero up to rounding). £bn.</p>"
    ]
    for measure, group in waterfall.groupby("measure", sort=False):
        steps = list(group["step"].drop_duplicates())
        wide = group.pivot_table(index="step", columns="architecture", values="value") / 1e9
        wide = wide.reindex(index=steps, columns=[a for a in order if a in wide.columns])
        name = _WATERFALL_NAMES.get(str(measure), str(measure))
        shown = (wide * 1e9).rename_axis(columns=None).reset_index()
        shown["step"] = shown["step"].astype(str).str.replace("_", " ")
        for col in shown.columns[1:]:
            shown[col] = shown[col].map(formatting.money)
        html.append(f"<h4>{_esc(name)}</h4>" + _table(shown))
        factors = [s for s in steps if s not in ("base", "horizon")]
        by_arch = wide.loc[factors].T.rename_axis(index="architecture").reset_index()
        html.append(
            ctx.figure(
                charts.grouped_bars(
                    by_arch, "architecture", factors, f"Change in {name.lower()} by factor, base to horizon", "£bn"
                )
            )
        )
    return "\n".join(html)


_WATERFALL_NAMES = {"acute_spend": "Hospital (acute) spend", "upstream_spend": "Prevention (upstream) spend"}
MAP_BOUNDARIES = {"lad": ("lad24_england_bsc", "LAD24CD", "LAD24NM")}


def _spend_to_need_map(ctx: Context) -> str:
    """Map of money spent ÷ need by area at the horizon (central run), one menu entry per architecture."""
    results = ctx.results or {}
    level = {r.atom_level for r in results.values()}
    if len(level) != 1 or next(iter(level)) not in MAP_BOUNDARIES:
        return ""
    dataset, code_property, name_property = MAP_BOUNDARIES[next(iter(level))]
    values = {}
    for arch_id, result in results.items():
        spent = result.central_atoms["spent"][-1].sum(axis=1)
        need = result.central_atoms["need"][-1].sum(axis=1)
        values[arch_id] = pd.Series(spent / need, index=list(result.atoms))
    initial = 1 if len(values) > 1 else 0  # open on the first alternative to the baseline
    figure = charts.area_map(
        data.load_geojson(dataset),
        code_property,
        name_property,
        values,
        f"Money spent ÷ need by area, {next(iter(results.values())).years[-1]} (central run)",
        "spent ÷ need",
        midpoint=1.0,
        initial=initial,
    )
    return (
        "<h3>Where spending falls short of need</h3><p>Each local authority district's spending across the "
        "ten service lines divided by its need (the simulator's need-weighted cost) in the horizon year; "
        "below 1 means less spent than need. Choose the architecture in the menu (a printed copy shows "
        f"{_esc(list(values)[initial])}). Boundaries: {_esc(data.catalogue()[dataset].title)}.</p>" + ctx.figure(figure)
    )


def _number(value: Any) -> str:
    """A number by the one formatter (separators, ≤4 significant figures, never scientific notation)."""
    if isinstance(value, float):
        return formatting.number(value)
    return str(value)


def _value(key: str, value: Any) -> str:
    """A value of the measure or metric ``key`` in its unit (£bn, %, whole counts) by the one formatter."""
    if isinstance(value, str):
        return value
    return formatting.by_unit(value, formatting.guess_unit(key))


def _measure_label(key: str) -> str:
    """The registry's label of a summary key, with its unit (``Money spent (£bn)``)."""
    unit = measures.unit_label(key)
    return f"{measures.label(key)} ({unit})" if unit.startswith("£") and unit != "£" else measures.label(key)


def _summary_table(results: dict[str, Any]) -> pd.DataFrame:
    """Summary measures (rows) by architecture (columns): central value and P5–P95 where there are draws."""
    summaries = {arch_id: r.summary for arch_id, r in results.items()}
    keys = [
        k
        for k in next(iter(summaries.values()))
        if not k.endswith(("_mean", "_p5", "_p50", "_p95"))
        and k not in ("architecture", "base_year", "horizon", "years", "draws", "atoms")
    ]
    rows = []
    for key in keys:
        row = {"measure": _measure_label(key)}
        for arch_id, summary in summaries.items():
            value = summary.get(key)
            text = _value(key, value)
            if f"{key}_p5" in summary and summary.get("draws"):
                text += f" ({_value(key, summary[f'{key}_p5'])} to {_value(key, summary[f'{key}_p95'])})"
            row[arch_id] = text
        rows.append(row)
    return pd.DataFrame(rows)


def _attribution_section(ctx: Context) -> Section:
    """Each reform's paired difference from the first architecture split exactly over the mechanism groups
    (its own runs: one per combination of the groups that act, with the report's seed, years and draws)."""
    section = Section("attribution", f"What makes each difference from {ctx.archs[0].name}")
    section.missing = _missing("devocare.simulation.attribution", ["attribute"])
    if section.missing:
        return section
    from devocare.reports.attribution import attribution_html

    attribute = _api("devocare.simulation.attribution", "attribute")
    ctx.attribution = attribute(  # type: ignore[misc]
        ctx.archs, ctx.archs[0], years=ctx.years, draws=ctx.draws, seed=ctx.seed, progress=ctx.progress
    )
    section.html = attribution_html(ctx.attribution, ctx.figure)
    return section


def _run_record_section(ctx: Context) -> Section:
    record = {
        "report": "compare",
        "devocare_version": devocare.__version__,
        "data_hash": data.data_hash(),
        "architectures": {a.id: {"name": a.name, "sha256": _arch_hash(a)} for a in ctx.archs},
        "years": ctx.years,
        "draws": ctx.draws,
        "seed": ctx.seed,
    }
    if ctx.attribute:
        record["attribute"] = True
        record["attribution_runs"] = ctx.attribution.runs if ctx.attribution is not None else 0
    html = [
        "<p>Everything needed to reproduce this report: package version, data hash, the SHA-256 of each "
        "architecture as resolved, and the run settings.</p>",
        f"<pre>{_esc(json.dumps(record, indent=2, default=str))}</pre>",
    ]
    if ctx.results:
        for arch_id, result in ctx.results.items():
            html.append(
                f"<details><summary>Simulator run record: {_esc(arch_id)}</summary>"
                f"<pre>{_esc(json.dumps(result.run_record, indent=2, default=str))}</pre></details>"
            )
    else:
        html.append("<p>No simulator run records: the simulation section is missing.</p>")
    return Section("run-record", "Run record", "\n".join(html))


def _assumptions_section(ctx: Context) -> Section:
    section = Section("assumptions", "Assumptions and sources")
    parameters = _api("devocare.simulation", "parameters")
    if parameters is None:
        section.missing = "devocare.simulation.parameters not available in this installation of devocare"
        return section
    table = parameters()
    labelled = table["source"].astype(str).str.lower().str.startswith("assumption")
    shown = table[[c for c in ("path", "label", "value", "unit", "distribution", "source") if c in table]]
    if "value" in shown:
        shown = shown.astype({"value": str})
    section.html = (
        f"<p>The simulator's {len(table)} parameters with the value in force, unit, uncertainty "
        f"used for Monte Carlo draws and source. {int(labelled.sum())} are labelled "
        "<strong>assumption</strong> in the parameter tree: no direct published estimate, with the "
        "note and any evidence drawn on in the source column.</p>" + _table(shown)
    )
    return section


def _evaluation_section(ctx: Context) -> Section:
    title = "Did devolution change outcomes? (Greater Manchester)"
    try:
        from devocare.reports.evaluation import evaluation_html

        return Section("evaluation", title, evaluation_html(ctx.figure))
    except DevocareError as exc:
        return Section("evaluation", title, missing=str(exc))


def _caveats_section(ctx: Context, missing: list[Section]) -> Section:
    items = [
        "These are model results on the stated parameters, not forecasts: each figure depends on the "
        "assumptions listed above, and those labelled as assumptions have no direct published estimate.",
        "Areas that do not nest (for example local authorities and ICBs) are linked by population shares "
        "from Census 2021 LSOA populations; money moved across such boundaries is apportioned, not observed.",
        "Architectures describe structures as written in their sources; where a source leaves a choice open "
        "(for example how a combined authority would spend retained savings) the architecture or the "
        "parameter tree records the choice made, with its source or assumption label.",
        "Embedded data are the published vintages named in the data section; later revisions by the "
        "publishers are not reflected.",
    ]
    if ctx.results is not None:
        items.append(
            "Uncertainty bands reflect only the parameter ranges drawn in the Monte Carlo, not "
            "uncertainty in the model's structure."
            if ctx.draws
            else "Run with draws = 0: central values only, no uncertainty shown."
        )
    for s in missing:
        items.append(f"{s.title} is not in this report: {s.missing}.")
    html = "<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>"
    return Section("caveats", "Caveats", html)


def _data_section(ctx: Context) -> Section:
    frame = data.list_datasets()
    columns = [c for c in ("id", "title", "publisher", "vintage", "licence") if c in frame.columns]
    return Section(
        "data",
        "Data",
        "<p>The embedded official datasets (provenance in each data folder's "
        "PROVENANCE.md).</p>" + _table(frame[columns]),
    )


# entry point ---------------------------------------------------------------------------------------------


def _check_settings(years: int, draws: int, seed: int) -> None:
    if not 1 <= int(years) <= MAX_YEARS:
        raise DevocareError(f"years must be between 1 and {MAX_YEARS}, got {years}")
    if not 0 <= int(draws) <= MAX_DRAWS:
        raise DevocareError(f"draws must be between 0 and {MAX_DRAWS}, got {draws}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise DevocareError(f"seed must be from 0 to {MAX_SEED}, got {seed}")


def _load_all(refs: Sequence[Any]) -> list[Any]:
    """Load each architecture (built-in id, YAML path, or an already-loaded Architecture, e.g. an edited
    copy); at least two, each with its own id."""
    from devocare.architecture import Architecture, load

    refs = [refs] if isinstance(refs, str) else list(refs)
    unique = [
        r
        for i, r in enumerate(refs)
        if isinstance(r, Architecture) or str(r) not in [str(x) for x in refs[:i] if not isinstance(x, Architecture)]
    ]
    archs = [r if isinstance(r, Architecture) else load(str(r)) for r in unique]  # load names every problem
    if len(archs) < 2:
        given = [str(getattr(r, "id", r)) for r in refs]
        raise DevocareError(f"compare needs at least two different architectures, got {given!r}")
    seen: dict[str, int] = {}
    for i, arch in enumerate(archs):
        if arch.id in seen:
            raise DevocareError(
                f"architectures {seen[arch.id] + 1} and {i + 1} both have id {arch.id!r}; give "
                "each architecture compared its own id"
            )
        seen[arch.id] = i
    return archs


def compare_report(
    arch_ids: Sequence[Any],
    years: int = DEFAULT_YEARS,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    attribute: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """The HTML of a report comparing architectures (built-in ids, YAML paths or loaded Architecture
    objects), the first as baseline. With ``attribute``, a section splits each other architecture's
    paired difference from the first exactly over the reform mechanisms (as ``compare --attribute``: one
    run per combination of the mechanism groups that act, so use few draws); ``progress(done, total)`` is
    called after each of its runs."""
    _check_settings(years, draws, seed)
    archs = _load_all(arch_ids)
    ctx = Context(
        archs=archs, years=int(years), draws=int(draws), seed=int(seed), attribute=attribute, progress=progress
    )
    sections = [
        _architectures_section(ctx),
        _metrics_section(ctx),
        _changes_section(ctx),
        _funding_section(ctx),
        _simulation_section(ctx),
        *([_attribution_section(ctx)] if attribute else []),
        _evaluation_section(ctx),
        _assumptions_section(ctx),
    ]
    sections.append(_run_record_section(ctx))
    missing = [s for s in sections if s.missing]
    sections += [_caveats_section(ctx, missing), _data_section(ctx)]
    names = ", ".join(a.name for a in archs)
    return render_page(
        title=f"Comparing {len(archs)} architectures",
        subtitle=f"{names} — {ctx.years} years, {ctx.draws} draws, seed {ctx.seed}",
        sections=sections,
        missing=missing,
        version=devocare.__version__,
        data_hash=data.data_hash(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        plotly_js=plotly.offline.get_plotlyjs() if ctx.figure_count else "",
    )
