"""Linux, macOS and Windows: each platform-specific piece has a fallback, tested by taking the piece away."""

from __future__ import annotations

import builtins
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devocare.errors import DevocareError
from devocare.reports import pdf
from devocare.simulation import montecarlo

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


# --- available memory -------------------------------------------------------------------------------------


def test_available_memory_comes_from_psutil():
    import psutil

    measured = montecarlo.available_bytes()
    assert measured > 0
    assert abs(measured - psutil.virtual_memory().available) < 0.25 * psutil.virtual_memory().total


def test_available_memory_without_psutil_proc_or_sysconf(monkeypatch):
    monkeypatch.setitem(sys.modules, "psutil", None)
    real_open = builtins.open

    def no_proc(path, *args, **kwargs):
        if str(path).startswith("/proc"):
            raise FileNotFoundError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_proc)
    if hasattr(os, "sysconf"):
        assert montecarlo.available_bytes() > 0  # POSIX: physical memory
        monkeypatch.delattr(os, "sysconf")
    assert montecarlo.available_bytes() == montecarlo.FALLBACK_AVAILABLE_BYTES  # Windows without psutil


# --- directory fsync --------------------------------------------------------------------------------------


def test_directory_fsync_is_skipped_where_unsupported(tmp_path, monkeypatch):
    from devocare.storage import store

    calls: list[object] = []
    monkeypatch.setattr(store.os, "fsync", lambda fd: calls.append(fd))
    store._fsync_dir(tmp_path)
    assert len(calls) == 1  # POSIX: the directory is synced
    monkeypatch.setattr(store, "DIR_FSYNC", False)  # as on Windows
    monkeypatch.setattr(store.os, "open", lambda *a, **k: pytest.fail("a directory was opened"))
    store._fsync_dir(tmp_path)
    assert len(calls) == 1


@pytest.mark.parametrize("code, swallowed", [(errno.EINVAL, True), (errno.EIO, False)])
def test_directory_fsync_refused_by_the_filesystem(tmp_path, monkeypatch, code, swallowed):
    from devocare.storage import store

    def refuse(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(store.os, "fsync", refuse)
    if swallowed:
        store._fsync_dir(tmp_path)
    else:
        with pytest.raises(OSError):
            store._fsync_dir(tmp_path)


# --- the PDF browser --------------------------------------------------------------------------------------


@pytest.fixture
def no_browser(monkeypatch):
    """No browser anywhere: none configured, none on PATH, none in the usual places."""
    monkeypatch.delenv("DEVOCARE_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "BROWSER_PATHS", ("/nonexistent/chromium",))
    return monkeypatch


def test_browser_from_the_environment_variable(no_browser, tmp_path):
    exe = tmp_path / "my-chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    no_browser.setenv("DEVOCARE_CHROMIUM", str(exe))
    assert pdf.chromium_path() == str(exe)
    no_browser.setenv("DEVOCARE_CHROMIUM", str(tmp_path / "typo"))
    with pytest.raises(DevocareError, match="DEVOCARE_CHROMIUM=.*not an executable"):
        pdf.chromium_path()


@pytest.mark.parametrize("name", ["google-chrome", "chromium-browser", "msedge"])
def test_browser_found_on_path_by_any_of_its_names(no_browser, name):
    no_browser.setattr(pdf.shutil, "which", lambda n: f"/opt/bin/{n}" if n == name else None)
    assert pdf.chromium_path() == f"/opt/bin/{name}"


def test_browser_in_a_usual_install_place(no_browser, tmp_path):
    app = tmp_path / "Google Chrome"
    app.write_text("")
    app.chmod(0o755)
    no_browser.setattr(pdf, "BROWSER_PATHS", ("/nonexistent/chromium", str(app)))
    assert pdf.chromium_path() == str(app)


def test_no_browser_is_a_clear_error_that_writes_nothing(no_browser, tmp_path):
    assert pdf.chromium_path() is None
    with pytest.raises(DevocareError, match="--pdf needs Chromium, Chrome or Edge.*DEVOCARE_CHROMIUM"):
        pdf.html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


# --- the Numba cache --------------------------------------------------------------------------------------


def _numba_cache_dir(env: dict[str, str]) -> str:
    code = (
        "import devocare.simulation.fused as f, os\n"
        "import numba\nprint(os.environ['NUMBA_CACHE_DIR'])\nprint(numba.config.CACHE_DIR)"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "DEVOCARE_CACHE_DIR")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, "PYTHONPATH": str(ROOT / "src"), **env},
    )
    assert done.returncode == 0, done.stderr
    variable, config = done.stdout.split()
    assert variable == config  # numba read the variable devocare set
    return variable


def test_numba_cache_is_per_user_not_in_the_package(tmp_path):
    pytest.importorskip("numba")
    from platformdirs import user_cache_path

    default = _numba_cache_dir({})
    assert default == str(user_cache_path("devocare", appauthor=False) / "numba")
    assert "site-packages" not in default and not default.startswith(str(ROOT / "src"))
    assert _numba_cache_dir({"DEVOCARE_CACHE_DIR": str(tmp_path)}) == str(tmp_path / "numba")
    assert _numba_cache_dir({"NUMBA_CACHE_DIR": str(tmp_path / "mine")}) == str(tmp_path / "mine")
