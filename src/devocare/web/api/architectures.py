"""Architectures API: built-ins, one architecture as JSON, its metrics, views (graph, Sankey, centralism
matrix, accountability chains), diffs, and validation of user YAML."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from devocare.web import cache
from devocare.web.frames import jsonable
from devocare.web.problems import ProblemError

router = APIRouter(tags=["architectures"])


def _load(arch_id: str) -> Any:
    from devocare import architecture
    from devocare.errors import UnknownChoiceError

    if arch_id not in architecture.builtin_ids():
        raise ProblemError(404, str(UnknownChoiceError("architecture", arch_id, architecture.builtin_ids())))
    return architecture.load(arch_id)


@router.get("/architectures", summary="Built-in architectures")
def list_architectures() -> list[dict[str, Any]]:
    """Id, name, date described and description of every built-in architecture."""
    from devocare import architecture

    return [
        {
            "id": a.id,
            "name": a.name,
            "as_of": str(a.as_of),
            "description": a.description,
            "links": {"self": f"/api/v1/architectures/{a.id}", "page": f"/architectures/{a.id}"},
        }
        for a in (architecture.load(i) for i in architecture.builtin_ids())
    ]


@router.get("/architectures/{arch_id}", summary="One architecture as JSON")
def get_architecture(arch_id: str) -> dict[str, Any]:
    """The validated architecture (bodies, functions, accountability, flows, money rules, sources)."""
    out: dict[str, Any] = jsonable(_load(arch_id).model_dump(mode="json", by_alias=True))
    return out


@router.get("/architectures/{arch_id}/metrics", summary="Structural metrics of one architecture")
def get_metrics(arch_id: str) -> dict[str, Any]:
    """Centralism, devolved share of spend, distance to an electorate, fragmentation, coterminosity, boards."""
    _load(arch_id)
    out: dict[str, Any] = jsonable(cache.builtin_metrics(arch_id))
    return out


@router.get("/architectures/{arch_id}/graph", summary="Accountability graph")
def get_graph(arch_id: str) -> dict[str, Any]:
    """Nodes (bodies) and edges (who answers to whom, typed)."""
    from devocare import atlas

    out: dict[str, Any] = jsonable(atlas.graph_json(_load(arch_id)))
    return out


@router.get("/architectures/{arch_id}/sankey", summary="Funding flows as a Sankey")
def get_sankey(arch_id: str) -> dict[str, Any]:
    """Nodes and links (source, target, £ value) from funders through holders to service lines."""
    from devocare import atlas

    out: dict[str, Any] = jsonable(atlas.sankey(_load(arch_id)))
    return out


@router.get("/architectures/{arch_id}/functions", summary="Centralism matrix")
def get_functions(arch_id: str) -> list[dict[str, Any]]:
    """Every function with its holder, tier and share of residents."""
    from devocare import architecture

    out: list[dict[str, Any]] = jsonable(architecture.function_matrix(_load(arch_id)))
    return out


@router.get("/architectures/{arch_id}/chain", summary="Accountability chain of one body")
def get_chain(arch_id: str, body: str = Query(..., max_length=80, description="Body id.")) -> dict[str, Any]:
    """The shortest path from the body to an electorate, its length, and whether it ends locally."""
    from devocare import architecture

    out: dict[str, Any] = jsonable(architecture.chain_summary(_load(arch_id), body))
    return out


def _load_ref(request: Request, ref: str) -> Any:
    """A built-in id or ``saved:<id>`` (a saved architecture, validated)."""
    if ref.startswith("saved:"):
        from devocare.web.pages.architectures import load_reference

        return load_reference(request, ref)
    return _load(ref)


@router.get("/metrics", summary="Metrics of several architectures")
def metrics(
    request: Request,
    ids: list[str] = Query(
        default=["status-quo-2023", "reform-aco-2024"],
        max_length=20,
        alias="id",
        description="Built-in ids or saved:<id> (repeat id=)",
    ),
) -> list[dict[str, Any]]:
    """One row of metrics per architecture."""
    from devocare import atlas

    archs = [_load_ref(request, i) for i in ids]
    table = atlas.metrics_table(archs) if any(i.startswith("saved:") for i in ids) else cache.builtin_metrics_table(ids)
    out: list[dict[str, Any]] = jsonable(table)
    return out


@router.get("/diff", summary="What changes from one architecture to another")
def diff(
    request: Request,
    a: str = Query(..., max_length=80, description="Built-in id or saved:<id>."),
    b: str = Query(..., max_length=80, description="Built-in id or saved:<id>."),
) -> dict[str, Any]:
    """Bodies created/abolished/merged, functions moved, money re-routed, accountability re-pointed, metrics."""
    from devocare import atlas

    out: dict[str, Any] = jsonable(atlas.diff(_load_ref(request, a), _load_ref(request, b)).to_dict())
    return out


class ValidateRequest(BaseModel):
    """Architecture YAML to check (parsed with safe_load; ``extends:`` may name a built-in or ``saved:<id>``,
    never a file)."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(min_length=1, max_length=500_000)


@router.post("/architectures/validate", summary="Validate an architecture and compute its metrics")
def validate(request: Request, body: ValidateRequest) -> dict[str, Any]:
    """Every problem with its path (400) or the architecture's id, name and metrics (200). Nothing is saved."""
    from devocare import atlas
    from devocare.web.store import load_user_architecture

    arch = load_user_architecture(request, body.yaml, "request")
    return {"id": arch.id, "name": arch.name, "metrics": jsonable(atlas.metrics(arch))}
