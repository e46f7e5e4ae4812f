"""Fixtures running the storage tests against SQLite and, where a server is reachable, PostgreSQL.

The PostgreSQL URL comes from ``DEVOCARE_TEST_POSTGRES_URL`` or the file ``.ci/start-postgres`` writes.
Without a server the ``postgres`` tests skip, unless ``DEVOCARE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``
as root), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

URL_FILE = Path(os.environ.get("DEVOCARE_TEST_POSTGRES_URL_FILE", "/tmp/devocare-test-postgres.url"))


def _configured_url() -> str | None:
    url = os.environ.get("DEVOCARE_TEST_POSTGRES_URL", "").strip()
    if not url and URL_FILE.exists():
        url = URL_FILE.read_text().strip()
    return url or None


def _unavailable(reason: str) -> None:
    if os.environ.get("DEVOCARE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (DEVOCARE_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"no PostgreSQL server: {reason} (run .ci/start-postgres as root, or set DEVOCARE_TEST_POSTGRES_URL)")


def _admin_connect(url: str):
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        connect_timeout=3,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of the test server's database (skips when none is reachable)."""
    url = _configured_url()
    if url is None:
        _unavailable(f"DEVOCARE_TEST_POSTGRES_URL is not set and {URL_FILE} does not exist")
    try:
        _admin_connect(url).close()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        _unavailable(
            f"cannot connect to {make_url(url).render_as_string(hide_password=True)}: "
            f"{str(exc).strip().splitlines()[0]}"
        )
    return url


@pytest.fixture
def postgres_url(postgres_server_url: str):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"devocare_t_{uuid.uuid4().hex[:12]}"
    with _admin_connect(postgres_server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    with _admin_connect(postgres_server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path: Path) -> str:
    """An empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'work.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(db_url: str, tmp_path: Path):
    """A store on an empty database of each backend, its Parquet tables under ``tmp_path``."""
    from devocare.storage import Store

    with Store(db_url, runs_dir=tmp_path / "runs") as opened:
        yield opened


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary directory, which a test may crash and restart."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir, self.root, self.port = bindir, root, port
        self.data = root / "data"
        self.url = f"postgresql://devocare@127.0.0.1:{port}/postgres"

    def _run(self, *args: str) -> None:
        import subprocess

        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        """Create the cluster (trust authentication on loopback, no fsync during initdb only)."""
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "devocare", "--no-sync")

    def start(self) -> None:
        """Start the server and wait until it accepts connections (after crash recovery, if any)."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def crash(self) -> None:
        """Stop the server the way a crash does: no checkpoint, every backend killed, WAL replay on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")


@pytest.fixture
def private_postgres():
    """A private PostgreSQL server for tests that kill the server (skips when PostgreSQL is not installed)."""
    import shutil
    import socket
    import tempfile

    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not installed:
        _unavailable("PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)")
    root = Path(tempfile.mkdtemp(prefix="devocare-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = PrivatePostgres(installed[-1].parent, root, port)
    try:
        server.init()
        server.start()
        yield server
    finally:
        try:
            server.crash()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(root, ignore_errors=True)
