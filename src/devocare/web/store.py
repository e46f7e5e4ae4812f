"""Saved work for a request: the app's store (:func:`get_store`) and whose items the request may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Request

from devocare.errors import DevocareError
from devocare.web.auth import owner
from devocare.web.database import get_store

ItemId = Annotated[int, Path(ge=1, le=2**53, description="Saved item id.")]
"""A saved item's id in a URL (bounded so no database sees an out-of-range integer)."""


def saved_item_id(ref: str) -> int:
    """The id in ``saved:<id>`` (a DevocareError if it is not a positive number in range)."""
    text = ref.removeprefix("saved:")
    if not text.isdigit() or not 1 <= int(text) <= 2**53:
        raise DevocareError(f"saved architecture reference {ref!r} must be saved:<number>")
    return int(text)


def saved_resolver(request: Request) -> Callable[[str], tuple[str, str]]:
    """What ``extends: saved:<id>`` may resolve to for this request: (YAML text, name) of a saved architecture.

    The one place that decides which saved architectures a request may build on: the requesting user's own
    (another user's is not found); file paths are never resolved for text submitted over the web (see
    :func:`devocare.architecture.load_text`).
    """

    def resolve(ref: str) -> tuple[str, str]:
        saved = get_store(request).get_architecture(saved_item_id(ref), owner=owner(request))
        return saved.yaml_text, saved.name

    return resolve


def load_user_architecture(request: Request, text: str, name: str) -> Any:
    """Validate architecture YAML a client submitted: ``extends:`` may name built-ins and ``saved:<id>`` only."""
    from devocare.architecture import load_text

    return load_text(text, name=name, saved=saved_resolver(request))


def load_saved_architecture(request: Request, ref: str) -> Any:
    """The requesting user's architecture saved as ``saved:<id>``, loaded from the store and validated."""
    saved = get_store(request).get_architecture(saved_item_id(ref), owner=owner(request))
    return load_user_architecture(request, saved.yaml_text, saved.name)
