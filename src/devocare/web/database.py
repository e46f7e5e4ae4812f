"""The app's saved-work database: one ``devocare.storage.Store`` per app, opened on first use.

Apart from :mod:`devocare.web.store` (which also decides whose items a request may see, through
:mod:`devocare.web.auth`) so that sign-in can look users up without importing that module back.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import Request

if TYPE_CHECKING:
    from devocare.storage import Store

__all__ = ["get_store"]

_lock = threading.Lock()


def get_store(request: Request) -> Store:
    """The store of the request's app (see :func:`app_store`)."""
    return app_store(request.app)


def app_store(app: Any) -> Store:
    """The app's store (the settings' URL, else as :func:`devocare.storage.store.resolve_url` finds it)."""
    state = app.state
    if getattr(state, "store", None) is None:
        with _lock:
            if getattr(state, "store", None) is None:
                from devocare.storage import Store

                state.store = Store(state.settings.database_url)
    store: Store = state.store
    return store
