"""The saved-work store for the app: one ``devocare.storage.Store`` per app, opened on first use."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

from fastapi import Path, Request

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
