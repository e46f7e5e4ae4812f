"""The hostile-input corpus: every malformed or hostile architecture and scenario file under hostile/ is
refused by the real command line with exit code 2, one line naming the problem, no traceback, nothing written."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"
MANIFEST: dict[str, dict[str, str]] = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))


def _generator():  # the generator is a script beside the files, not a package module
    spec = importlib.util.spec_from_file_location("hostile_generate", HOSTILE / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_is_large_and_matches_its_generator(tmp_path: Path) -> None:
    assert len(MANIFEST) >= 100
    assert sum(e["kind"] == "architecture" for e in MANIFEST.values()) >= 80
    assert sum(e["kind"] == "scenario" for e in MANIFEST.values()) >= 20
    _generator().write(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8")) == MANIFEST
    for rel in MANIFEST:
        assert (tmp_path / rel).read_bytes() == (HOSTILE / rel).read_bytes(), f"{rel}: rerun generate.py"
    on_disk = {f"{p.parent.name}/{p.name}" for p in HOSTILE.glob("*/*.yaml")}
    assert on_disk == set(MANIFEST)


@pytest.mark.parametrize("rel", sorted(MANIFEST))
def test_each_hostile_file_is_refused_naming_the_problem(rel: str, cli_in_process, tmp_path: Path) -> None:
    entry = MANIFEST[rel]
    out = tmp_path / "out" / "result.parquet"
    out.parent.mkdir()
    common = ["--draws", "0", "--years", "1", "--out", str(out)]
    if entry["kind"] == "architecture":
        code, stdout, stderr = cli_in_process("simulate", str(HOSTILE / rel), *common)
    else:
        code, stdout, stderr = cli_in_process("simulate", "status-quo-2023", "--scenario", str(HOSTILE / rel), *common)
    assert code == 2, (rel, code, stdout[-500:], stderr[-2000:])
    assert stderr.startswith("error: ") and "Traceback" not in stderr
    assert entry["expect"] in stderr, (rel, stderr[-2000:])
    assert list(out.parent.iterdir()) == [], "nothing may be written"
    assert not stdout.strip()
