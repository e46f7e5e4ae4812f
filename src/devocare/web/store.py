"""The saved-work store for the app: one ``devocare.storage.Store`` per app, opened on first use."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from devocare.storage import Store

_lock = threading.Lock()


def get_store(request: Request) -> Store:
    """The app's store (SQLite ``devocare.db`` by default, ``DATABASE_URL`` or the settings' URL otherwise)."""
    state = request.app.state
    if getattr(state, "store", None) is None:
        with _lock:
            if getattr(state, "store", None) is None:
                from devocare.storage import Store

                state.store = Store(state.settings.database_url)
    return state.store  # type: ignore[no-any-return]
