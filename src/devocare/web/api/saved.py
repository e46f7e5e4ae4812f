"""Saved work API: architectures (validated YAML), scenarios (JSON objects) and simulation runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.api.common import Pagination, pagination
from devocare.web.frames import jsonable
from devocare.web.store import ItemId, get_store

router = APIRouter(prefix="/saved", tags=["saved work"])


class ArchitectureIn(BaseModel):
    """An architecture to save: its YAML, validated in full before it is stored."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    yaml: str = Field(min_length=1, max_length=1_000_000, description="Architecture YAML (parsed with safe_load).")


class ScenarioIn(BaseModel):
    """A scenario to save: any JSON object of simulation choices."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    payload: dict[str, Any]


def list_kind(request: Request, kind: str, pages: Pagination) -> dict[str, Any]:
    """One page of saved items of a kind, newest first (the page is fetched from the store, not sliced)."""
    store = get_store(request)
    offset = (pages.page - 1) * pages.page_size
    limit = pages.page_size
    found: list[Any]
    if kind == "architectures":
        found = store.list_architectures(limit=limit, offset=offset)
    elif kind == "scenarios":
        found = store.list_scenarios(limit=limit, offset=offset)
    else:
        found = store.list_runs(limit=limit, offset=offset)
    items = [jsonable(i.to_dict()) for i in found]
    total = store.count(kind)
    return {"items": items, "total": total, "page": pages.page, "page_size": pages.page_size,
            "pages": max(1, -(-total // pages.page_size))}


@router.get("/architectures", summary="Saved architectures")
def list_architectures(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Saved architectures, newest first."""
    return list_kind(request, "architectures", pages)


@router.post("/architectures", status_code=201, summary="Save an architecture")
def save_architecture(request: Request, body: ArchitectureIn) -> dict[str, Any]:
    """Validate the YAML as an architecture (every problem listed in a 400 if not), then save it."""
    from devocare.web.store import load_user_architecture, saved_resolver

    arch = load_user_architecture(request, body.yaml, body.name)
    item_id = get_store(request).save_architecture(body.name, body.yaml, saved=saved_resolver(request))
    return {"id": item_id, "architecture_id": arch.id, "url": f"/architectures/saved/{item_id}"}


@router.get("/architectures/{item_id}", summary="One saved architecture")
def get_architecture(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Name, YAML and hash of a saved architecture."""
    out: dict[str, Any] = jsonable(get_store(request).get_architecture(item_id).to_dict())
    return out


@router.delete("/architectures/{item_id}", status_code=204, summary="Delete a saved architecture")
def delete_architecture(request: Request, item_id: ItemId) -> Response:
    """Delete it."""
    get_store(request).delete_architecture(item_id)
    return Response(status_code=204)


@router.get("/scenarios", summary="Saved scenarios")
def list_scenarios(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Saved scenarios, newest first."""
    return list_kind(request, "scenarios", pages)


@router.post("/scenarios", status_code=201, summary="Save a scenario")
def save_scenario(request: Request, body: ScenarioIn) -> dict[str, Any]:
    """Save a JSON object of simulation choices."""
    return {"id": get_store(request).save_scenario(body.name, body.payload)}


@router.get("/scenarios/{item_id}", summary="One saved scenario")
def get_scenario(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Name and payload of a saved scenario."""
    out: dict[str, Any] = jsonable(get_store(request).get_scenario(item_id).to_dict())
    return out


@router.delete("/scenarios/{item_id}", status_code=204, summary="Delete a saved scenario")
def delete_scenario(request: Request, item_id: ItemId) -> Response:
    """Delete it."""
    get_store(request).delete_scenario(item_id)
    return Response(status_code=204)


@router.get("/runs", summary="Saved simulation runs")
def list_runs(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Saved runs (summary and run record; tables via /runs/{id}/table), newest first."""
    return list_kind(request, "runs", pages)


@router.get("/runs/{item_id}", summary="One saved run")
def get_run(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Summary and run record of a saved run."""
    out: dict[str, Any] = jsonable(get_store(request).get_run(item_id).to_dict())
    out.pop("table_path", None)
    return out


@router.get("/runs/{item_id}/table", summary="A saved run's result table")
def get_run_table(request: Request, item_id: ItemId, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """The run's tidy result table (read back from Parquet and checked against its hash), paginated."""
    import pandas as pd

    table = get_store(request).get_run(item_id).table()
    return pages.apply(table if table is not None else pd.DataFrame(), request)


@router.delete("/runs/{item_id}", status_code=204, summary="Delete a saved run")
def delete_run(request: Request, item_id: ItemId) -> Response:
    """Delete it and its table."""
    get_store(request).delete_run(item_id)
    return Response(status_code=204)
