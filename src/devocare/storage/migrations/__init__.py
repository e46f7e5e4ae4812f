"""Alembic migrations of the saved-work database, run by :class:`devocare.storage.Store` on open."""
