"""The saved-work store for the app: one ``devocare.storage.Store`` per app, opened on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Request

from devocare.errors import DevocareError
from devocare.web.auth import owner

if TYPE_CHECKING:
    from devocare.storage import Store

_lock = threading.Lock()

ItemId = Annotated[int, Path(ge=1, le=2**53, description="Saved item id.")]
"""A saved item's id in a URL (bounded so no database sees an out-of-range integer)."""


def get_store(request: Request) -> Store:
    """The app's store (SQLite ``devocare.db`` by default, ``DATABASE_URL`` or the settings' URL otherwise)."""
    state = request.app.state
    if getattr(state, "store", None) is None:
        with _lock:
            if getattr(state, "store", None) is None:
                from devocare.storage import Store

                state.store = Store(state.settings.database_url)
    store: Store = state.store
    return store


def load_saved_architecture(request: Request, ref: str) -> Any:
    """The architecture saved as ``saved:<id>``, loaded from the store and validated."""
    from devocare.architecture import load_text

    saved = get_store(request).get_architecture(saved_id(ref), owner=owner(request))
    return load_text(saved.yaml_text, name=saved.name)


def saved_id(ref: str) -> int:
    """The number in a ``saved:<id>`` reference."""
    text = ref.removeprefix("saved:")
    if not text.isdigit() or len(text) > 15:
        raise DevocareError(f"saved architecture reference {ref!r} must be saved:<number>")
    return int(text)


def saved_yaml_resolver(request: Request) -> Callable[[str], str]:
    """For ``extends: saved:<id>`` in YAML sent over the web: the YAML of the requesting user's own saved
    architecture of that id (another user's is reported as not found). Nothing else resolves: no paths."""
    store, who = get_store(request), owner(request)

    def resolve(ref: str) -> str:
        return store.get_architecture(saved_id(ref), owner=who).yaml_text

    return resolve
