"""Saved work: architectures, scenarios and simulation runs (SQLite by default, PostgreSQL on request).

>>> from devocare.storage import Store
>>> store = Store("sqlite://")          # in memory; Store() opens $DEVOCARE_DATABASE_URL or the per-user devocare.db
>>> store.get_architecture(store.save_architecture("draft", "id: mine\\n", validate=False)).name
'draft'
"""

from devocare.storage.store import (
    DatabaseUnavailableError,
    NotFoundError,
    SavedArchitecture,
    SavedRun,
    SavedScenario,
    Store,
    resolve_url,
)

__all__ = [
    "Store",
    "SavedArchitecture",
    "SavedScenario",
    "SavedRun",
    "NotFoundError",
    "DatabaseUnavailableError",
    "resolve_url",
]
