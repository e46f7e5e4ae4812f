"""The saved-work store for the app: one ``devocare.storage.Store`` per app, opened on first use."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Request

from devocare.errors import DevocareError

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

    try:
        item_id = int(ref.removeprefix("saved:"))
    except ValueError:
        raise DevocareError(f"saved architecture reference {ref!r} must be saved:<number>") from None
    saved = get_store(request).get_architecture(item_id)
    return load_text(saved.yaml_text, name=saved.name)
