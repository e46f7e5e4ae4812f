"""A kill at any moment loses no acknowledged save: kill the writing process, and crash the server."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from devocare.storage import Store

sys.path.insert(0, str(Path(__file__).parent))
from crash_writer import item  # noqa: E402

pytestmark = pytest.mark.integration
WRITER = Path(__file__).with_name("crash_writer.py")


class Writer:
    """The writer process and the acknowledgements it has printed so far."""

    def __init__(self, url: str, runs_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), url, str(runs_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.acks: list[tuple[str, int, int]] = []
        self.retries = 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def _take(self, timeout: float) -> bool:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return False
        if line.strip() == "retry":
            self.retries += 1
        else:
            kind, n, item_id = line.split()
            self.acks.append((kind, int(n), int(item_id)))
        return True

    def wait_for(self, runs: int = 0, retries: int = 0, timeout: float = 90) -> None:
        """Read output until ``runs`` more run saves (or ``retries`` more retries) are acknowledged."""
        want_runs = sum(k == "run" for k, _, _ in self.acks) + runs
        want_retries = self.retries + retries
        deadline = time.monotonic() + timeout
        while sum(k == "run" for k, _, _ in self.acks) < want_runs or self.retries < want_retries:
            if self.proc.poll() is not None and self.lines.empty():
                raise AssertionError(f"writer exited: {self.proc.stderr.read()}")
            assert time.monotonic() < deadline, "writer made no progress"
            self._take(timeout=0.5)

    def kill(self) -> None:
        """SIGKILL the writer (mid-save, most likely), then collect every line it printed before dying."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        time.sleep(0.2)  # let the pump thread drain the pipe
        while self._take(timeout=0.2):
            pass


def check_every_acknowledged_save(url: str, runs_dir: Path, acks: list[tuple[str, int, int]]) -> None:
    """Each acknowledged id is there with exactly the content the writer saved under it, and every run
    saved at all is whole."""
    assert len(acks) >= 10
    with Store(url, runs_dir=runs_dir) as store:
        for kind, n, item_id in acks:
            name, yaml_text, summary, record, table = item(n)
            if kind == "architecture":
                saved = store.get_architecture(item_id)
                assert (saved.name, saved.yaml_text) == (name, yaml_text)
            else:
                run = store.get_run(item_id)
                assert (run.name, run.summary, run.run_record) == (name, summary, record)
                pd.testing.assert_frame_equal(run.table(), table)
        for run in store.list_runs():  # acknowledged or not, no run survives without its complete table
            assert run.table() is not None


def test_killing_the_writer_loses_no_acknowledged_save(db_url: str, tmp_path: Path) -> None:
    Store(db_url, runs_dir=tmp_path / "runs").close()  # migrate first so the writer starts saving at once
    writer = Writer(db_url, tmp_path / "runs")
    writer.wait_for(runs=15)
    writer.kill()
    assert writer.proc.returncode == -signal.SIGKILL
    check_every_acknowledged_save(db_url, tmp_path / "runs", writer.acks)


@pytest.mark.postgres
def test_crashing_the_postgres_server_loses_no_acknowledged_save(private_postgres, tmp_path: Path) -> None:
    url = private_postgres.url
    Store(url, runs_dir=tmp_path / "runs").close()
    writer = Writer(url, tmp_path / "runs")
    writer.wait_for(runs=10)
    private_postgres.crash()  # every backend dies mid-transaction; no checkpoint
    writer.wait_for(retries=1)  # the writer sees the server gone and retries
    before_restart = len(writer.acks)
    private_postgres.start()  # WAL replay
    writer.wait_for(runs=10)  # and carries on once the server is back
    writer.kill()
    assert len(writer.acks) > before_restart + 10
    check_every_acknowledged_save(url, tmp_path / "runs", writer.acks)
