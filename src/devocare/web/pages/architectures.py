"""Architectures: the list, one page per architecture (accountability graph, funding Sankey, centralism
matrix, metrics, sources), editing a copy, and Compare (metrics side by side and the diff as a change list)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from devocare.errors import DevocareError
from devocare.web import cache, charts, render
from devocare.web.auth import owner, viewer
from devocare.web.problems import ProblemError
from devocare.web.store import ItemId, get_store, load_saved_architecture, load_user_architecture, saved_resolver

router = APIRouter()

TIERS = ["national", "regional", "system", "place", "neighbourhood"]
METRIC_LABELS = {
    "centralism_index": "Centralism index (functions and spend held nationally)",
    "centralism_functions": "Share of functions held at national tier",
    "centralism_spend": "Share of spend held at national tier",
    "spend_devolved_share": "Share of spend whose holder answers to a local electorate (devolved)",
    "spend_delegated_share": "Share of spend whose holder answers to the centre (delegated)",
    "distance_mean": "Mean steps from each pound to an electorate",
    "distance_max": "Most steps from a pound to an electorate",
    "fragmentation": "Fragmentation: commissioners plus budget pots on one resident's pathway",
    "fragmentation_commissioners": "Distinct commissioners on one resident's pathway",
    "fragmentation_pots": "Budget pots on one resident's pathway",
    "coterminosity": "Coterminosity of the bodies' areas (population share nesting)",
    "board_members": "Board members (all area bodies)",
    "board_elected_share": "Elected share of board members",
    "population_devolved_share": "Population covered by devolved bodies",
    "central_headcount": "Central headcount",
    "running_cost_gbp": "Running costs, £",
    "spend_gbp": "Spend covered, £",
    "bodies": "Bodies",
    "functions": "Function assignments",
    "commissioning_population_out_of_hospital": "Figure 10: residents of the area commissioning out-of-hospital care",
    "commissioning_population_hospital": "Figure 10: residents of the area commissioning hospital care",
    "pathway_budget_holders": "Figure 10: budget holders on one resident's pathway",
    "population_with_deal_share": "Figure 10: residents in an area with a devolution deal (2025)",
    "central_headcount_planned": "Central headcount at the end of its planned path",
    "accountability_investment_gbp": "Funding for place scrutiny and citizen voice, £ a year",
}
COMPARE_CHART = [
    "centralism_index",
    "spend_devolved_share",
    "population_devolved_share",
    "board_elected_share",
    "coterminosity",
]
MAX_UPLOAD_BYTES = 512_000
EXAMPLE_DRAFT = """extends: status-quo-2023
id: status-quo-5y
name: Status quo with 5-year settlements
sources: ["assumption: what-if variant"]
money:
  settlement_years: 5
"""


def load_reference(request: Request, ref: str) -> Any:
    """A built-in id, or ``saved:<id>`` from the store, loaded and validated."""
    from devocare import architecture

    if ref.startswith("saved:"):
        return load_saved_architecture(request, ref)
    if ref not in architecture.builtin_ids():
        from devocare.errors import UnknownChoiceError

        raise UnknownChoiceError("architecture", ref, architecture.builtin_ids())
    return architecture.load(ref)


def _short_label(name: str, width: int = 18) -> str:
    """A body's name as a node label: wrapped to two short lines (the full name is in the hover text)."""
    import textwrap

    lines = textwrap.wrap(str(name), width) or [str(name)]
    return "<br>".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def graph_figure(graph: dict[str, Any], link: str) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The accountability graph laid out by tier (rows) for Plotly, plus its nodes and edges tables."""
    nodes = pd.DataFrame(graph["nodes"])
    edges = pd.DataFrame(graph["edges"])
    nodes["row"] = nodes["tier"].map({t: i for i, t in enumerate(TIERS)}).fillna(len(TIERS))
    nodes = nodes.sort_values(["row", "kind", "id"]).reset_index(drop=True)
    nodes["x"] = nodes.groupby("row").cumcount()
    width = nodes.groupby("row")["x"].transform("max").replace(0, 1)
    nodes["x"] = (nodes["x"] + 0.5) / (width + 1)
    nodes.loc[nodes.groupby("row")["x"].transform("count") == 1, "x"] = 0.5
    nodes["y"] = -nodes["row"]
    nodes["label"] = nodes["name"].map(_short_label)
    nodes["textposition"] = ["top center" if i % 2 == 0 else "bottom center" for i in nodes.groupby("row").cumcount()]
    nodes["hover"] = (
        nodes["name"]
        + "<br>"
        + nodes["kind"]
        + ", "
        + nodes["tier"]
        + ", leadership: "
        + nodes["leadership"]
        + nodes["statutory"].map({True: "<br>statutory", False: "<br>not statutory"})
    )
    pos = nodes.set_index("id")[["x", "y"]]
    plot_edges = edges[edges["source"].isin(pos.index) & edges["target"].isin(pos.index)].copy()
    plot_edges["x0"] = plot_edges["source"].map(pos["x"])
    plot_edges["y0"] = plot_edges["source"].map(pos["y"])
    plot_edges["x1"] = plot_edges["target"].map(pos["x"])
    plot_edges["y1"] = plot_edges["target"].map(pos["y"])
    plot_edges["kind"] = plot_edges["type"]
    fig = charts.network(nodes, plot_edges, "Who answers to whom (arrows point to the body answered to)")
    fig["data"][-1]["customdata"] = [link.format(body=b) for b in nodes["id"]]
    fig["layout"]["annotations"] = [
        {
            "x": r.x1,
            "y": r.y1,
            "ax": r.x0,
            "ay": r.y0,
            "xref": "x",
            "yref": "y",
            "axref": "x",
            "ayref": "y",
            "showarrow": True,
            "arrowhead": 2,
            "arrowsize": 1.2,
            "arrowwidth": 1,
            "arrowcolor": "#768692",
            "standoff": 8,
            "text": "",
        }
        for r in plot_edges.itertuples()
    ]
    fig["layout"]["yaxis"]["range"] = [-len(TIERS) + 0.4, 0.6]
    fig["layout"]["yaxis"].update(
        {
            "visible": True,
            "tickvals": [-i for i in range(len(TIERS))],
            "ticktext": TIERS,
            "showgrid": False,
            "zeroline": False,
        }
    )
    return fig, nodes[["id", "name", "kind", "tier", "leadership", "statutory", "area_level"]], edges


def sources_of(arch: Any) -> pd.DataFrame:
    """Every cited source in the architecture with the elements that cite it."""
    rows: list[dict[str, str]] = []
    rows += [{"source": s, "element": "architecture"} for s in arch.sources]
    for group, items in (
        ("body", arch.bodies),
        ("function", arch.functions),
        ("accountability", arch.accountability),
        ("flow", arch.flows),
    ):
        for item in items:
            label = getattr(item, "id", None) or f"{getattr(item, 'from_', '')}→{getattr(item, 'to', '')}"
            rows += [{"source": s, "element": f"{group} {label}"} for s in item.sources]
    rows += [{"source": s, "element": "money"} for s in arch.money.sources]
    for pot in arch.money.pots:
        rows += [{"source": s, "element": f"pot {pot.id}"} for s in pot.sources]
    frame = pd.DataFrame(rows)
    return frame.groupby("source", sort=True)["element"].apply(lambda s: ", ".join(sorted(set(s)))).reset_index()


def metric_rows(values: dict[str, Any]) -> pd.DataFrame:
    """Metrics with plain-English labels, in a stable order."""
    keys = [k for k in METRIC_LABELS if k in values] + [k for k in values if k not in METRIC_LABELS]
    return pd.DataFrame(
        {"metric": keys, "meaning": [METRIC_LABELS.get(k, "") for k in keys], "value": [values[k] for k in keys]}
    )


def architecture_page(request: Request, arch: Any, ref: str, body: str) -> Response:
    """Render one architecture (built-in or saved)."""
    from devocare import architecture, atlas

    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    metrics = cache.builtin_metrics(ref) if ref in architecture.builtin_ids() else atlas.metrics(arch)
    context["metrics"] = metric_rows(metrics)
    datasets["metrics"] = context["metrics"]
    base = request.url.path
    fig, nodes, edges = graph_figure(atlas.graph_json(arch), base + "?body={body}#chain")
    context["graph"] = fig
    datasets["accountability_nodes"] = nodes
    datasets["accountability_edges"] = edges
    flows = atlas.sankey(arch)
    context["sankey"] = charts.sankey(flows["nodes"], flows["links"], "Where the money goes (£ per year)")
    links = pd.DataFrame(flows["links"])
    labels = [n["label"] for n in flows["nodes"]]
    links["from"] = links["source"].map(lambda i: labels[i])
    links["to"] = links["target"].map(lambda i: labels[i])
    datasets["funding_flows"] = links[["from", "to", "value", "label"]]
    matrix = architecture.function_matrix(arch)
    context["matrix"] = matrix
    datasets["function_matrix"] = matrix
    bodies = pd.DataFrame(
        [
            {
                "id": b.id,
                "name": b.name,
                "kind": b.kind,
                "tier": b.tier,
                "statutory": b.statutory,
                "leadership": b.leadership,
                "area_level": b.area_level or "",
                "start": b.start,
                "end": b.end,
            }
            for b in arch.bodies
        ]
    )
    context["bodies"] = bodies
    datasets["bodies"] = bodies
    pots = pd.DataFrame(
        [
            {"pot": p.id, "holder": p.holder, "tier": p.tier, "ring_fenced": p.ring_fenced, "lines": _pot_lines(p)}
            for p in arch.money.pots
        ]
    )
    context["pots"] = pots
    datasets["budget_pots"] = pots
    money = arch.money
    from devocare.architecture.money_text import money_rules

    context["money_rules"] = money_rules(money)
    srcs = sources_of(arch)
    context["sources"] = srcs
    datasets["sources"] = srcs
    if body:
        context["chain"] = architecture.chain_summary(arch, body)
        context["chain_body"] = body
    context["mermaid"] = atlas.to_mermaid(arch)
    return render.page(
        request,
        "architecture.html",
        arch.name,
        "architectures",
        datasets=datasets,
        arch=arch,
        ref=ref,
        body_choices=[(b.id, b.name) for b in arch.bodies],
        **context,
    )


@router.get("/architectures")
def architectures_list(request: Request) -> Response:
    """Every built-in architecture with its headline metrics, and the saved ones."""
    from devocare import architecture

    ids = architecture.builtin_ids()
    table = cache.builtin_metrics_table(ids)
    archs = [architecture.load(i) for i in ids]
    cards = [{"id": a.id, "name": a.name, "description": a.description, "as_of": a.as_of} for a in archs]
    try:
        saved = get_store(request).list_architectures(limit=100, owner=viewer(request))
    except DevocareError:
        saved = []
    return render.page(
        request,
        "architectures.html",
        "Architectures",
        "architectures",
        datasets={"metrics": table},
        metrics_all=table,
        cards=cards,
        saved=saved,
        builtin_ids=ids,
        draft=request.query_params.get("copy", "")[:MAX_UPLOAD_BYTES] or EXAMPLE_DRAFT,
    )


@router.get("/architectures/saved/{item_id}")
def saved_architecture(request: Request, item_id: ItemId, body: str = Query("", max_length=80)) -> Response:
    """A saved architecture's page."""
    arch = load_reference(request, f"saved:{item_id}")
    return architecture_page(request, arch, f"saved:{item_id}", body)


@router.get("/architectures/{arch_id}")
def builtin_architecture(request: Request, arch_id: str, body: str = Query("", max_length=80)) -> Response:
    """A built-in architecture's page (``?body=icb`` shows that body's accountability chain)."""
    from devocare import architecture
    from devocare.errors import UnknownChoiceError

    if arch_id not in architecture.builtin_ids():
        raise ProblemError(404, str(UnknownChoiceError("architecture", arch_id, architecture.builtin_ids())))
    return architecture_page(request, architecture.load(arch_id), arch_id, body)


@router.post("/architectures/upload")
async def upload(
    request: Request,
    name: str = Form(..., min_length=1, max_length=200),
    yaml_text: str = Form("", max_length=MAX_UPLOAD_BYTES),
    file: UploadFile | None = File(None),
) -> Response:
    """Save an architecture from a YAML file or the text box, after full validation."""
    text = yaml_text
    if file is not None and file.filename:
        raw = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ProblemError(413, f"architecture file larger than {MAX_UPLOAD_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DevocareError("architecture file is not UTF-8 text") from None
    if not text.strip():
        raise DevocareError("give an architecture as a YAML file or in the text box")
    who = owner(request)
    load_user_architecture(request, text, name)
    item_id = get_store(request).save_architecture(name, text, saved=saved_resolver(request), owner=who)
    return RedirectResponse(f"/architectures/saved/{item_id}", status_code=303)


@router.post("/saved/architectures/{item_id}/delete")
def delete_saved(request: Request, item_id: ItemId) -> Response:
    """Delete a saved architecture."""
    get_store(request).delete_architecture(item_id, owner=owner(request))
    return RedirectResponse("/saved", status_code=303)


@router.get("/compare")
def compare(request: Request, arch: list[str] = Query(default=[], max_length=8)) -> Response:
    """Two or more architectures side by side (``/compare?arch=status-quo-2023&arch=reform-aco-2024``)."""
    from devocare import architecture, atlas

    chosen = [a for a in arch if a][:8] or ["status-quo-2023", "reform-aco-2024"]
    errors: dict[str, str] = {}
    datasets: dict[str, pd.DataFrame] = {}
    context: dict[str, Any] = {}
    loaded = []
    for ref in chosen:
        try:
            loaded.append((ref, load_reference(request, ref)))
        except DevocareError as exc:
            errors["arch"] = str(exc)
    if len(loaded) < 2 and not errors:
        errors["arch"] = "choose at least two architectures to compare"
    if not errors:
        builtins = set(architecture.builtin_ids())
        table = (
            cache.builtin_metrics_table([r for r, _ in loaded])
            if all(r in builtins for r, _ in loaded)
            else atlas.metrics_table([a for _, a in loaded])
        )
        datasets["metrics"] = table
        wide = table.set_index("id").T.reset_index().rename(columns={"index": "metric"})
        wide.insert(1, "meaning", wide["metric"].map(METRIC_LABELS).fillna(""))
        context["wide"] = wide
        long = table.melt(id_vars=["id"], value_vars=[c for c in COMPARE_CHART if c in table], var_name="metric")
        context["metrics_chart"] = charts.bars(long, "metric", "value", "Headline metrics (shares, 0 to 1)", color="id")
        diffs = []
        base_ref, base = loaded[0]
        for ref, other in loaded[1:]:
            d = atlas.diff(base, other).to_dict()
            diffs.append({"a": base_ref, "b": ref, "d": d})
            for section in (
                "functions_moved",
                "money_rerouted",
                "accountability_repointed",
                "bodies_created",
                "bodies_abolished",
            ):
                if d.get(section):
                    datasets[f"diff_{ref}_{section}"] = pd.DataFrame(d[section])
        context["diffs"] = diffs
    choices = [(i, i) for i in _baseline_first(architecture.builtin_ids())]
    choices += [(f"saved:{s.id}", f"Saved: {s.name}") for s in _saved(request)]
    return render.page(
        request,
        "compare.html",
        "Compare architectures",
        "compare",
        datasets=datasets,
        errors=errors,
        chosen=chosen,
        choices=choices,
        **context,
    )


def _saved(request: Request) -> list[Any]:
    try:
        return get_store(request).list_architectures(limit=50, owner=viewer(request))
    except DevocareError:
        return []


def _baseline_first(ids: list[str]) -> list[str]:
    """Built-in ids with today's system first, so ticking boxes makes it the baseline of the change list."""
    return sorted(ids, key=lambda i: (i != "status-quo-2023", i))


def _pot_lines(pot: Any) -> str:
    """A pot's lines, each with its share where the pot holds part of it (``line_shares``)."""
    shares = pot.line_shares or {}
    return ", ".join(f"{line} ({shares[line]:.2%})" if line in shares else line for line in pot.lines)
