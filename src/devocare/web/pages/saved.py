"""Saved work: architectures, scenarios and runs kept in the store, with links back to the pages that
show them and delete buttons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from devocare.web import render
from devocare.web.frames import summary_frame
from devocare.web.pages.simulate import scenario_url
from devocare.web.store import ItemId, get_store

router = APIRouter()


@router.get("/saved")
def saved_page(request: Request) -> Response:
    """Everything saved, newest first."""
    store = get_store(request)
    architectures = store.list_architectures(limit=200)
    scenarios = store.list_scenarios(limit=200)
    runs = store.list_runs(limit=200)
    return render.page(request, "saved.html", "Saved work", "saved", architectures=architectures,
                       scenarios=[(s, scenario_url(s.payload)) for s in scenarios], runs=runs,
                       database=store.dialect)


@router.get("/saved/runs/{item_id}")
def saved_run(request: Request, item_id: ItemId) -> Response:
    """One saved run: its summary, run record and result table (download)."""
    run = get_store(request).get_run(item_id)
    table = run.table()
    summary = summary_frame(run.summary)
    datasets = {"summary": summary}
    if table is not None:
        datasets["result_table"] = table
    return render.page(request, "saved_run.html", run.name, "saved", datasets=datasets, run=run, summary=summary,
                       rows=0 if table is None else len(table))


@router.post("/saved/scenarios/{item_id}/delete")
def delete_scenario(request: Request, item_id: ItemId) -> Response:
    """Delete a saved scenario."""
    get_store(request).delete_scenario(item_id)
    return RedirectResponse("/saved", status_code=303)


@router.post("/saved/runs/{item_id}/delete")
def delete_run(request: Request, item_id: ItemId) -> Response:
    """Delete a saved run and its table."""
    get_store(request).delete_run(item_id)
    return RedirectResponse("/saved", status_code=303)
