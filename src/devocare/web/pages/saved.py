"""Saved work: architectures, scenarios and runs kept in the store, with links back to the pages that
show them and delete buttons."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from devocare.storage import NotFoundError, SavedRun, SavedScenario
from devocare.web import render
from devocare.web.auth import owner
from devocare.web.frames import summary_frame
from devocare.web.pages.simulate import scenario_url
from devocare.web.store import ItemId, get_store

router = APIRouter()


@router.get("/saved")
def saved_page(request: Request) -> Response:
    """Everything saved, newest first."""
    store, who = get_store(request), owner(request)
    architectures = store.list_architectures(limit=200, owner=who)
    scenarios = store.list_scenarios(limit=200, owner=who)
    runs = store.list_runs(limit=200, owner=who)
    return render.page(
        request,
        "saved.html",
        "Saved work",
        "saved",
        architectures=architectures,
        scenarios=[(s, scenario_url(s.payload)) for s in scenarios],
        runs=runs,
        database=store.dialect,
    )


@router.get("/saved/runs/{item_id}")
def saved_run(request: Request, item_id: ItemId) -> Response:
    """One saved run: its summary, run record and result table (download)."""
    return _run_page(request, get_store(request).get_run(item_id, owner=owner(request)))


def _run_page(request: Request, run: Any) -> Response:
    table = run.table()
    summary = summary_frame(run.summary)
    datasets = {"summary": summary}
    if table is not None:
        datasets["result_table"] = table
    return render.page(
        request,
        "saved_run.html",
        run.name,
        "saved",
        datasets=datasets,
        run=run,
        summary=summary,
        rows=0 if table is None else len(table),
    )


@router.get("/shared/{token}")
def shared_page(
    request: Request, token: str = Path(min_length=20, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
) -> Response:
    """What a read-only share link opens: a run's page, an architecture's page, or a scenario's Simulate form."""
    kind, item = get_store(request).shared(token)
    if isinstance(item, SavedRun):
        return _run_page(request, item)
    if isinstance(item, SavedScenario):
        url = scenario_url(item.payload)
        if url is None:
            raise NotFoundError("this shared scenario is not a Simulate page's choices")
        return RedirectResponse(url, status_code=303)
    from devocare.architecture import load_text
    from devocare.web.pages.architectures import architecture_page

    store, owner_id = get_store(request), item.owner_id  # builds on its owner's saved ones, as when saved
    arch = load_text(item.yaml_text, name=item.name, saved=lambda ref: store._saved_yaml(ref, owner_id))
    return architecture_page(request, arch, "shared", "")


@router.post("/saved/{kind}/{item_id}/share")
def share(request: Request, kind: Literal["architectures", "scenarios", "runs"], item_id: ItemId) -> Response:
    """Make (or reuse) the item's read-only link and open it: the address bar then holds the link to send."""
    token = get_store(request).share(kind, item_id, owner=owner(request))
    return RedirectResponse(f"/shared/{token}", status_code=303)


@router.post("/saved/scenarios/{item_id}/delete")
def delete_scenario(request: Request, item_id: ItemId) -> Response:
    """Delete a saved scenario."""
    get_store(request).delete_scenario(item_id, owner=owner(request))
    return RedirectResponse("/saved", status_code=303)


@router.post("/saved/runs/{item_id}/delete")
def delete_run(request: Request, item_id: ItemId) -> Response:
    """Delete a saved run and its table."""
    get_store(request).delete_run(item_id, owner=owner(request))
    return RedirectResponse("/saved", status_code=303)
