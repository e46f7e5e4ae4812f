"""The saved-work store: architectures, scenarios and simulation runs in SQLite or PostgreSQL.

Why it is built this way:

- Zero set-up by default: a SQLite file ``devocare.db`` in the per-user data folder
  (:func:`devocare.paths.data_dir`, created on first use), whichever folder a command or server starts in;
  ``DEVOCARE_DB`` names another file; PostgreSQL (``postgresql://`` URLs use psycopg 3) or another SQLite file
  when ``DEVOCARE_DATABASE_URL`` or ``DATABASE_URL`` is set.
- Nothing acknowledged is lost: every save is one transaction and returns only after the commit. SQLite
  runs in WAL mode with ``synchronous=FULL``; PostgreSQL commits are durable by default. A run's result
  table is written to Parquet, flushed to disk and renamed into place *before* the row that names it is
  committed, so a kill at any moment leaves either no run or a complete one (at worst an orphan file).
- The schema is managed by Alembic migrations shipped in the package and applied on open.
- Every item has an owner: ``owner=None`` (the default) is the single local user; a shared server passes
  the signed-in user's id, and an item is found, listed or deleted only by its owner (others get
  :class:`NotFoundError`, as if it did not exist). A share token gives read-only access by link. Ids are
  never reused, so a ``saved:<id>`` reference or a link cannot come to mean someone else's item.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import math
import os
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from devocare.errors import DevocareError
from devocare.safeyaml import MAX_DEPTH
from devocare.storage import migrate
from devocare.storage.models import ArchitectureRow, RunRow, ScenarioRow

DEFAULT_DB = "devocare.db"
MAX_NAME = 200
MAX_YAML_BYTES = 1_000_000
MAX_JSON_BYTES = 5_000_000
KINDS = ("architectures", "scenarios", "runs")


class DatabaseUnavailableError(DevocareError):
    """The database cannot be reached or opened (the web layer answers 503)."""

    exit_code = 1


class NotFoundError(DevocareError, KeyError):
    """A saved item id that does not exist (the web layer answers 404)."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class SavedArchitecture:
    """A saved architecture (its YAML as the user wrote it)."""

    id: int
    name: str
    yaml_text: str
    sha256: str
    created_at: datetime
    owner_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {**asdict(self), "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class SavedScenario:
    """A saved scenario (a JSON object of choices and parameter overrides)."""

    id: int
    name: str
    payload: dict[str, Any]
    created_at: datetime
    owner_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {**asdict(self), "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class SavedRun:
    """A saved simulation run; :meth:`table` reads its result table back from Parquet."""

    id: int
    name: str
    summary: dict[str, Any]
    run_record: dict[str, Any]
    table_path: Path | None
    table_sha256: str | None
    created_at: datetime
    owner_id: int | None = None

    def table(self) -> pd.DataFrame | None:
        """The run's result table, checked against the SHA-256 recorded when it was saved.

        The file is read once and the same bytes are hashed and parsed, so a delete or a rewrite racing
        with the read gives :class:`NotFoundError` or a clear error, never a half-read table.
        """
        if self.table_path is None:
            return None
        try:
            data = self.table_path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"run {self.id}: its result table is missing (deleted?)") from None
        except OSError as exc:
            raise DevocareError(f"run {self.id}: its result table cannot be read: {exc.strerror}") from None
        if hashlib.sha256(data).hexdigest() != self.table_sha256:
            raise DevocareError(f"run {self.id}: its result table has been altered")
        return pd.read_parquet(io.BytesIO(data))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (the table itself is not included, only its path)."""
        return {
            "id": self.id,
            "name": self.name,
            "summary": self.summary,
            "run_record": self.run_record,
            "table_path": str(self.table_path) if self.table_path else None,
            "table_sha256": self.table_sha256,
            "created_at": self.created_at.isoformat(),
            "owner_id": self.owner_id,
        }


def default_database() -> Path:
    """``devocare.db`` in the per-user data folder (``DEVOCARE_DATA_DIR`` overrides the folder)."""
    from devocare.paths import data_dir

    return data_dir() / DEFAULT_DB


def resolve_url(url: str | None = None) -> URL:
    """The database URL: ``url`` (a URL or a SQLite file path), else ``DEVOCARE_DATABASE_URL``, else
    ``DATABASE_URL``, else ``DEVOCARE_DB`` (a file path or URL), else :func:`default_database`."""
    text = (
        url
        or os.environ.get("DEVOCARE_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or os.environ.get("DEVOCARE_DB")
        or str(default_database())
    )
    if "://" not in text:
        return URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    if text.startswith("postgres://"):  # the Heroku-style spelling
        text = "postgresql://" + text[len("postgres://") :]
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise DevocareError(f"invalid database URL {text!r}: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed
    raise DevocareError(f"unsupported database {backend!r} in the database URL; use sqlite:// or postgresql://")


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        # A server that does not answer fails a request in seconds (503), rather than holding the worker thread
        # for the operating system's TCP timeout while requests pile up behind it.
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    memory = url.database is None or url.database in ("", ":memory:")
    if url.database is not None and not memory:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=StaticPool if memory else None, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now: no lock upgrade deadlocks

    return engine


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_ready(value: Any, where: str, depth: int = 0) -> Any:
    """A copy with numpy scalars as Python numbers and non-finite floats as null (JSON has no NaN); nesting
    deeper than :data:`devocare.safeyaml.MAX_DEPTH` is refused (it would exhaust the stack here or later)."""
    if isinstance(value, Mapping | list | tuple | np.ndarray) and depth >= MAX_DEPTH:
        raise DevocareError(f"{where} is nested deeper than {MAX_DEPTH} levels (the limit)")
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v, where, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v, where, depth + 1) for v in value]
    if isinstance(value, np.ndarray):
        return _json_ready(value.tolist(), where, depth)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Path):
        return str(value)
    raise DevocareError(f"{where} holds a {type(value).__name__}, which cannot be saved as JSON")


def _check_text(text: str, what: str) -> None:
    """Refuse text that is not valid Unicode (a lone surrogate cannot be stored or sent as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise DevocareError(f"{what} holds an unpaired surrogate character (not valid Unicode)") from None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise DevocareError("a saved item needs a non-empty name")
    if len(name) > MAX_NAME:
        raise DevocareError(f"name is {len(name)} characters; at most {MAX_NAME} allowed")
    _check_text(name, "name")
    return name.strip()


def clean(value: Any) -> Any:
    """A stored value made safe to show: text with unpaired surrogates gets U+FFFD in their place (an item
    written before they were refused, or by hand, must not break a page for everyone)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _check_json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise DevocareError(f"{what} must be a JSON object (a dict), not {type(value).__name__}")
    ready = _json_ready(value, what)
    _check_text(json.dumps(ready, ensure_ascii=False), what)
    size = len(json.dumps(ready))
    if size > MAX_JSON_BYTES:
        raise DevocareError(f"{what} is {size} bytes of JSON; at most {MAX_JSON_BYTES} allowed")
    return ready


def _check_yaml(yaml_text: str) -> str:
    if not isinstance(yaml_text, str):
        raise DevocareError(f"architecture YAML must be text, not {type(yaml_text).__name__}")
    size = len(yaml_text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise DevocareError(f"architecture YAML is {size} bytes; at most {MAX_YAML_BYTES} allowed")
    from devocare import safeyaml

    try:  # drafts too: no alias bombs, impossible dates, deep nesting or lone surrogates
        safeyaml.check_events(yaml_text, "architecture files")
        parsed = safeyaml.construct(yaml_text)
    except yaml.YAMLError as exc:
        raise DevocareError(f"architecture YAML does not parse: {safeyaml.describe(exc)}") from None
    if not isinstance(parsed, dict):
        raise DevocareError("architecture YAML must be a mapping (id:, name:, bodies: ...)")
    return yaml_text


#: Whether directories can be opened and fsynced (POSIX); on Windows a rename is durable without it.
DIR_FSYNC = os.name == "posix"


def _fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable where the platform and filesystem allow it; skip elsewhere."""
    if not DIR_FSYNC:
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EISDIR):
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:  # filesystems that cannot sync a directory say EINVAL (or ENOTSUP)
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


class Store:
    """Saved architectures, scenarios and runs in one database; opening it applies pending migrations.

    ``url`` is a SQLAlchemy URL or a SQLite file path (default: see :func:`resolve_url`). ``runs_dir``
    holds the runs' Parquet tables: ``DEVOCARE_RUNS_DIR`` if set, else ``<db name>-runs/`` beside a SQLite
    file, or ``devocare-runs`` in the per-user data folder for PostgreSQL and in-memory SQLite.
    """

    def __init__(self, url: str | None = None, runs_dir: str | Path | None = None) -> None:
        self.url = resolve_url(url)
        try:
            self.engine = _make_engine(self.url)
        except OSError as exc:  # the SQLite file's folder cannot be created
            raise DatabaseUnavailableError(f"cannot open the saved-work database {self}: {exc.strerror}") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            self.revision = migrate.upgrade(self.engine)
        except (OperationalError, InterfaceError) as exc:
            self.engine.dispose()
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise DatabaseUnavailableError(f"cannot open the saved-work database {self}: {reason}") from None
        self.runs_dir = Path(runs_dir or os.environ.get("DEVOCARE_RUNS_DIR") or self._default_runs_dir())

    def _default_runs_dir(self) -> Path:
        if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:"):
            db = Path(self.url.database)
            return db.with_name(db.name.removesuffix(".db") + "-runs")
        from devocare.paths import data_dir

        return data_dir() / "devocare-runs"

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.url.get_backend_name()

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # architectures -------------------------------------------------------------------------------------

    def save_architecture(
        self,
        name: str,
        yaml_text: str,
        validate: bool = True,
        saved: Callable[[str], tuple[str, str]] | None = None,
        owner: int | None = None,
    ) -> int:
        """Save an architecture's YAML exactly as written; return its id.

        With ``validate`` (the default) it must load as a complete architecture (``extends:`` resolved,
        every rule checked by :func:`devocare.architecture.load_text`); otherwise it need only parse, with
        ``safe_load``, as a mapping (a draft). ``extends:`` may name built-ins and ``saved:<id>`` (through
        ``saved`` when given, so the caller decides which saved items are visible; else ``owner``'s items in this
        store), never a file. ``owner`` is the saving user's id (None: the local user).
        """
        name, yaml_text = _check_name(name), _check_yaml(yaml_text)
        if validate:
            from devocare.architecture import load_text

            # raises ArchitectureError listing every problem
            load_text(yaml_text, name=name, saved=saved or (lambda ref: self._saved_yaml(ref, owner)))
        row = ArchitectureRow(
            name=name,
            yaml_text=yaml_text,
            created_at=datetime.now(UTC),
            owner_id=owner,
            sha256=hashlib.sha256(yaml_text.encode("utf-8")).hexdigest(),
        )
        return self._add(row)

    def list_architectures(
        self, limit: int | None = None, offset: int = 0, owner: int | None = None
    ) -> list[SavedArchitecture]:
        """Saved architectures of ``owner``, newest first."""
        return [_architecture(r) for r in self._list(ArchitectureRow, limit, offset, owner)]

    def get_architecture(self, item_id: int, owner: int | None = None) -> SavedArchitecture:
        """One saved architecture of ``owner``; :class:`NotFoundError` if ``owner`` has none with that id."""
        return _architecture(self._get(ArchitectureRow, item_id, "architecture", owner))

    def _saved_yaml(self, ref: str, owner: int | None = None) -> tuple[str, str]:
        """(YAML text, name) of ``owner``'s ``saved:<id>`` in this store, for ``extends:``."""
        text = ref.removeprefix("saved:")
        if not text.isdigit():
            raise DevocareError(f"saved architecture reference {ref!r} must be saved:<number>")
        saved = self.get_architecture(int(text), owner=owner)
        return saved.yaml_text, saved.name

    def delete_architecture(self, item_id: int, owner: int | None = None) -> None:
        """Delete a saved architecture of ``owner``."""
        self._delete(ArchitectureRow, item_id, "architecture", owner)

    # scenarios -----------------------------------------------------------------------------------------

    def save_scenario(self, name: str, payload: dict[str, Any], owner: int | None = None) -> int:
        """Save a scenario (a JSON object); return its id."""
        row = ScenarioRow(
            name=_check_name(name),
            payload=_check_json_object(payload, "scenario payload"),
            created_at=datetime.now(UTC),
            owner_id=owner,
        )
        return self._add(row)

    def list_scenarios(
        self, limit: int | None = None, offset: int = 0, owner: int | None = None
    ) -> list[SavedScenario]:
        """Saved scenarios of ``owner``, newest first."""
        return [_scenario(r) for r in self._list(ScenarioRow, limit, offset, owner)]

    def get_scenario(self, item_id: int, owner: int | None = None) -> SavedScenario:
        """One saved scenario of ``owner``; :class:`NotFoundError` if ``owner`` has none with that id."""
        return _scenario(self._get(ScenarioRow, item_id, "scenario", owner))

    def delete_scenario(self, item_id: int, owner: int | None = None) -> None:
        """Delete a saved scenario of ``owner``."""
        self._delete(ScenarioRow, item_id, "scenario", owner)

    # runs ----------------------------------------------------------------------------------------------

    def save_run(
        self,
        name: str,
        summary: dict[str, Any],
        run_record: dict[str, Any],
        table: pd.DataFrame | None = None,
        owner: int | None = None,
    ) -> int:
        """Save a run: summary and run record in the database, ``table`` as Parquet in :attr:`runs_dir`.

        The Parquet file is complete on disk before the row naming it is committed; if the commit
        fails the file is removed again, unless the database cannot say that no row names it.
        """
        name = _check_name(name)
        summary = _check_json_object(summary, "run summary")
        run_record = _check_json_object(run_record, "run record")
        if table is not None and not isinstance(table, pd.DataFrame):
            raise DevocareError(f"a run's table must be a pandas DataFrame, not {type(table).__name__}")
        path = self._write_table(table) if table is not None else None
        row = RunRow(
            name=name,
            summary=summary,
            run_record=run_record,
            created_at=datetime.now(UTC),
            table_file=path.name if path else None,
            owner_id=owner,
            table_sha256=_sha256_file(path) if path else None,
        )
        try:
            return self._add(row)
        except BaseException:
            if path is not None and not self._may_name(path.name):
                path.unlink(missing_ok=True)
            raise

    def _may_name(self, table_file: str) -> bool:
        """Whether a saved run may name ``table_file`` after a failed save: a server that dies as it commits
        can keep the row though the client saw an error, so the file is removed only when the database says
        no row names it (an unreachable database leaves it: a file no row names is harmless, a row without its
        file is not)."""
        try:
            with self._sessions() as session:
                return session.scalar(select(RunRow.id).where(RunRow.table_file == table_file)) is not None
        except Exception:
            return True

    def _write_table(self, table: pd.DataFrame) -> Path:
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        final = self.runs_dir / f"run-{uuid.uuid4().hex}.parquet"
        partial = final.with_suffix(".parquet.partial")
        try:
            table.to_parquet(partial, index=False)
            with partial.open("rb+") as handle:
                os.fsync(handle.fileno())
            partial.replace(final)
            _fsync_dir(self.runs_dir)
        except (ValueError, TypeError, ImportError) as exc:
            partial.unlink(missing_ok=True)
            raise DevocareError(f"the run's table cannot be written as Parquet: {exc}") from None
        return final

    def list_runs(self, limit: int | None = None, offset: int = 0, owner: int | None = None) -> list[SavedRun]:
        """Saved runs of ``owner``, newest first (tables are not read)."""
        return [self._run(r) for r in self._list(RunRow, limit, offset, owner)]

    def get_run(self, item_id: int, owner: int | None = None) -> SavedRun:
        """One saved run of ``owner``; call ``.table()`` on it for the result table."""
        return self._run(self._get(RunRow, item_id, "run", owner))

    def delete_run(self, item_id: int, owner: int | None = None) -> None:
        """Delete a saved run of ``owner`` and then its Parquet table."""
        table_file = self._delete(RunRow, item_id, "run", owner).table_file
        if table_file:
            (self.runs_dir / table_file).unlink(missing_ok=True)

    def _run(self, row: RunRow) -> SavedRun:
        return SavedRun(
            id=row.id,
            name=clean(row.name),
            summary=clean(row.summary),
            run_record=clean(row.run_record),
            table_path=self.runs_dir / row.table_file if row.table_file else None,
            table_sha256=row.table_sha256,
            created_at=_aware(row.created_at),
            owner_id=row.owner_id,
        )

    # read-only links -----------------------------------------------------------------------------------

    def share(self, kind: str, item_id: int, owner: int | None = None) -> str:
        """The item's read-only share token, created on first use (unguessable: 256 random bits)."""
        model, what = _model(kind)
        with self._transaction() as session:
            row = session.get(model, _check_id(item_id, what), with_for_update=True)  # one token, however raced
            if row is None or row.owner_id != owner:
                raise NotFoundError(f"no saved {what} with id {item_id}")
            if row.share_token is None:
                row.share_token = secrets.token_urlsafe(32)
            token: str = row.share_token
        return token

    def unshare(self, kind: str, item_id: int, owner: int | None = None) -> None:
        """Revoke the item's share token: its link stops working (a new share makes a new link)."""
        model, what = _model(kind)
        with self._transaction() as session:
            row = session.get(model, _check_id(item_id, what))
            if row is None or row.owner_id != owner:
                raise NotFoundError(f"no saved {what} with id {item_id}")
            row.share_token = None

    def shared(self, token: str) -> tuple[str, SavedArchitecture | SavedScenario | SavedRun]:
        """The kind and item a share token opens; :class:`NotFoundError` for an unknown or revoked token."""
        if not isinstance(token, str) or not 20 <= len(token) <= 64:
            raise NotFoundError("no shared item with that link")
        with self._sessions() as session:
            for kind in KINDS:
                model, _ = _model(kind)
                row = session.scalars(select(model).where(model.share_token == token)).first()
                if row is not None:
                    item: SavedArchitecture | SavedScenario | SavedRun
                    if kind == "architectures":
                        item = _architecture(row)
                    elif kind == "scenarios":
                        item = _scenario(row)
                    else:
                        item = self._run(row)
                    return kind, item
        raise NotFoundError("no shared item with that link")

    # shared --------------------------------------------------------------------------------------------

    def count(self, kind: str, owner: int | None = None) -> int:
        """How many items of ``kind`` (``architectures``, ``scenarios``, ``runs``) ``owner`` has saved."""
        model, _ = _model(kind)
        with self._sessions() as session:
            query = select(func.count()).select_from(model).where(_owned_by(model, owner))
            return int(session.scalar(query) or 0)

    def _add(self, row: Any) -> int:
        with self._transaction() as session:
            session.add(row)
            session.flush()
            item_id: int = row.id
            return item_id

    def _list(self, model: Any, limit: int | None, offset: int, owner: int | None) -> list[Any]:
        if limit is not None and limit < 0 or offset < 0:
            raise DevocareError("limit and offset must not be negative")
        query = select(model).where(_owned_by(model, owner)).order_by(model.id.desc()).offset(offset).limit(limit)
        with self._sessions() as session:
            return list(session.scalars(query))

    def _get(self, model: Any, item_id: int, what: str, owner: int | None) -> Any:
        with self._sessions() as session:
            row = session.get(model, _check_id(item_id, what))
        if row is None or row.owner_id != owner:  # another user's item is reported as missing, not forbidden
            raise NotFoundError(f"no saved {what} with id {item_id}")
        return row

    def _delete(self, model: Any, item_id: int, what: str, owner: int | None) -> Any:
        with self._transaction() as session:
            # The row is locked as it is read (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises), so of two
            # concurrent deletes one deletes and the other then finds nothing: one success, one not-found.
            row = session.get(model, _check_id(item_id, what), with_for_update=True)
            if row is None or row.owner_id != owner:
                raise NotFoundError(f"no saved {what} with id {item_id}")
            session.delete(row)
        return row


def _model(kind: str) -> tuple[Any, str]:
    found = {
        "architectures": (ArchitectureRow, "architecture"),
        "scenarios": (ScenarioRow, "scenario"),
        "runs": (RunRow, "run"),
    }.get(kind)
    if found is None:
        from devocare.errors import UnknownChoiceError

        raise UnknownChoiceError("saved-work kind", kind, list(KINDS))
    return found


def _owned_by(model: Any, owner: int | None) -> Any:
    return model.owner_id.is_(None) if owner is None else model.owner_id == owner


def _check_id(item_id: Any, what: str) -> int:
    try:
        value = int(item_id)
    except (TypeError, ValueError):
        raise DevocareError(f"{what} id must be a whole number, not {item_id!r}") from None
    if isinstance(item_id, bool) or value != item_id and str(value) != str(item_id).strip():
        raise DevocareError(f"{what} id must be a whole number, not {item_id!r}")
    return value


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _architecture(row: ArchitectureRow) -> SavedArchitecture:
    return SavedArchitecture(
        id=row.id,
        name=clean(row.name),
        yaml_text=clean(row.yaml_text),
        sha256=row.sha256,
        created_at=_aware(row.created_at),
        owner_id=row.owner_id,
    )


def _scenario(row: ScenarioRow) -> SavedScenario:
    return SavedScenario(
        id=row.id,
        name=clean(row.name),
        payload=clean(row.payload),
        created_at=_aware(row.created_at),
        owner_id=row.owner_id,
    )
