"""The start page and the about-the-data page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from devocare import data
from devocare.web import render

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    """What each page answers, with links."""
    return render.page(request, "index.html", "England's health and care system, executable", "")


@router.get("/about")
def about(request: Request) -> Response:
    """The embedded datasets with publisher and licence."""
    cat = data.list_datasets()
    return render.page(request, "about.html", "About the data", "", datasets={"datasets": cat}, catalogue=cat)
