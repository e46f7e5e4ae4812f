"""The documentation site builds with warnings as errors (broken links, missing pages, bad API references)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    api = (tmp_path / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("devocare.geography.areas", "devocare.simulation.simulate", "devocare.extras.require"):
        assert f'id="{name}"' in api, name
    assert (tmp_path / "guides" / "install" / "index.html").exists()
