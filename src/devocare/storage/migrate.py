"""Bring a saved-work database to the newest schema with the Alembic migrations shipped in the package.

No ``alembic.ini`` is needed: the script location is the ``migrations`` folder beside this module and
the migrations run on the caller's connection, inside one transaction (SQLite takes the write lock with
``BEGIN IMMEDIATE``; PostgreSQL takes an advisory lock), so two processes opening a fresh database at once
cannot both create the tables.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from devocare.errors import DevocareError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision the installed package knows."""
    heads = ScriptDirectory.from_config(_config()).get_heads()
    if len(heads) != 1:  # a packaging error, not user input
        raise RuntimeError(f"saved-work migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Migrate the database to :func:`head`; return the revision it is at afterwards."""
    revision = current(engine)
    if revision == head():
        return revision
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision is not None and revision not in known:
        raise DevocareError(
            f"the saved-work database is at schema revision {revision!r}, newer than this devocare "
            f"knows (newest {head()!r}); upgrade devocare to open it"
        )
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return head()
