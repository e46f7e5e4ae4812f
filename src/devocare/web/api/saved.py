"""Saved work API: architectures (validated YAML), scenarios (JSON objects) and simulation runs, each found
only by its owner; read-only share links; and the shared items such a link opens."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from devocare.web.api.common import Pagination, pagination
from devocare.web.auth import owner
from devocare.web.frames import jsonable
from devocare.web.store import ItemId, get_store

router = APIRouter(prefix="/saved", tags=["saved work"])
shared_router = APIRouter(prefix="/shared", tags=["saved work"])

Kind = Literal["architectures", "scenarios", "runs"]
ShareToken = Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="A share link's token.")


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


def item_view(kind: str, item: Any) -> dict[str, Any]:
    """An item as the API shows it: no server paths, no owner ids; a run links to its table instead."""
    out: dict[str, Any] = jsonable(item.to_dict())
    out.pop("owner_id", None)
    if kind == "runs":
        out.pop("table_path", None)
        out["has_table"] = item.table_path is not None
    return out


def list_kind(request: Request, kind: str, pages: Pagination) -> dict[str, Any]:
    """One page of the caller's saved items of a kind, newest first (fetched from the store, not sliced)."""
    pages.check(request)
    store, who = get_store(request), owner(request)
    offset = (pages.page - 1) * pages.page_size
    limit = pages.page_size
    found: list[Any]
    if kind == "architectures":
        found = store.list_architectures(limit=limit, offset=offset, owner=who)
    elif kind == "scenarios":
        found = store.list_scenarios(limit=limit, offset=offset, owner=who)
    else:
        found = store.list_runs(limit=limit, offset=offset, owner=who)
    items = [item_view(kind, i) for i in found]
    total = store.count(kind, owner=who)
    return {
        "items": items,
        "total": total,
        "page": pages.page,
        "page_size": pages.page_size,
        "pages": max(1, -(-total // pages.page_size)),
    }


@router.get("/architectures", summary="Saved architectures")
def list_architectures(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Your saved architectures, newest first."""
    return list_kind(request, "architectures", pages)


@router.post("/architectures", status_code=201, summary="Save an architecture")
def save_architecture(request: Request, body: ArchitectureIn) -> dict[str, Any]:
    """Validate the YAML as an architecture (every problem listed in a 400 if not), then save it."""
    from devocare.web.store import load_user_architecture, saved_resolver

    who = owner(request)
    arch = load_user_architecture(request, body.yaml, body.name)
    item_id = get_store(request).save_architecture(body.name, body.yaml, saved=saved_resolver(request), owner=who)
    return {"id": item_id, "architecture_id": arch.id, "url": f"/architectures/saved/{item_id}"}


@router.get("/architectures/{item_id}", summary="One saved architecture")
def get_architecture(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Name, YAML and hash of a saved architecture."""
    return item_view("architectures", get_store(request).get_architecture(item_id, owner=owner(request)))


@router.delete("/architectures/{item_id}", status_code=204, summary="Delete a saved architecture")
def delete_architecture(request: Request, item_id: ItemId) -> Response:
    """Delete it."""
    get_store(request).delete_architecture(item_id, owner=owner(request))
    return Response(status_code=204)


@router.get("/scenarios", summary="Saved scenarios")
def list_scenarios(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Your saved scenarios, newest first."""
    return list_kind(request, "scenarios", pages)


@router.post("/scenarios", status_code=201, summary="Save a scenario")
def save_scenario(request: Request, body: ScenarioIn) -> dict[str, Any]:
    """Save a JSON object of simulation choices."""
    return {"id": get_store(request).save_scenario(body.name, body.payload, owner=owner(request))}


@router.get("/scenarios/{item_id}", summary="One saved scenario")
def get_scenario(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Name and payload of a saved scenario."""
    return item_view("scenarios", get_store(request).get_scenario(item_id, owner=owner(request)))


@router.delete("/scenarios/{item_id}", status_code=204, summary="Delete a saved scenario")
def delete_scenario(request: Request, item_id: ItemId) -> Response:
    """Delete it."""
    get_store(request).delete_scenario(item_id, owner=owner(request))
    return Response(status_code=204)


@router.get("/runs", summary="Saved simulation runs")
def list_runs(request: Request, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """Your saved runs (summary and run record; tables via /runs/{id}/table), newest first."""
    return list_kind(request, "runs", pages)


@router.get("/runs/{item_id}", summary="One saved run")
def get_run(request: Request, item_id: ItemId) -> dict[str, Any]:
    """Summary and run record of a saved run."""
    return item_view("runs", get_store(request).get_run(item_id, owner=owner(request)))


@router.get("/runs/{item_id}/table", summary="A saved run's result table")
def get_run_table(request: Request, item_id: ItemId, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """The run's tidy result table (read back from Parquet and checked against its hash), paginated."""
    import pandas as pd

    pages.check(request)
    table = get_store(request).get_run(item_id, owner=owner(request)).table()
    return pages.apply(table if table is not None else pd.DataFrame(), request)


@router.delete("/runs/{item_id}", status_code=204, summary="Delete a saved run")
def delete_run(request: Request, item_id: ItemId) -> Response:
    """Delete it and its table."""
    get_store(request).delete_run(item_id, owner=owner(request))
    return Response(status_code=204)


@router.post("/{kind}/{item_id}/share", status_code=201, summary="Make a read-only share link")
def share(request: Request, kind: Kind, item_id: ItemId) -> dict[str, Any]:
    """A link anyone holding it can read (not change) the item by; the same link until it is revoked."""
    token = get_store(request).share(kind, item_id, owner=owner(request))
    return {"token": token, "api": f"/api/v1/shared/{token}", "url": f"/shared/{token}"}


@router.delete("/{kind}/{item_id}/share", status_code=204, summary="Revoke the share link")
def unshare(request: Request, kind: Kind, item_id: ItemId) -> Response:
    """The item's link stops working; sharing again makes a new one."""
    get_store(request).unshare(kind, item_id, owner=owner(request))
    return Response(status_code=204)


@shared_router.get("/{token}", summary="A shared item (read-only)")
def shared_item(request: Request, token: str = ShareToken) -> dict[str, Any]:
    """The item a share link opens: its kind and contents."""
    kind, item = get_store(request).shared(token)
    out = item_view(kind, item)
    out["kind"] = kind
    return out


@shared_router.get("/{token}/table", summary="A shared run's result table (read-only)")
def shared_table(request: Request, token: str = ShareToken, pages: Pagination = Depends(pagination)) -> dict[str, Any]:
    """The shared run's tidy result table, paginated (404 if the link opens something other than a run)."""
    import pandas as pd

    from devocare.storage import NotFoundError

    pages.check(request)
    kind, item = get_store(request).shared(token)
    if kind != "runs":
        raise NotFoundError("this shared item is not a run; it has no table")
    table = item.table()  # type: ignore[union-attr]
    return pages.apply(table if table is not None else pd.DataFrame(), request)
