"""Alembic environment: migrate the connection that :func:`devocare.storage.migrate.upgrade` hands over.

There is no ``alembic.ini``; the caller passes an open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from devocare.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # One migrator at a time when several processes open a fresh database together.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7241001)")
    context.run_migrations()
