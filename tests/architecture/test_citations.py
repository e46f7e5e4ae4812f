"""Sources a reader can follow: every citation in a built-in architecture resolves to an entry of the
bibliography (docs/background/bibliography.md), a shipped dataset, or a labelled assumption."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from devocare import architecture as A
from devocare import bibliography, data

ROOT = Path(__file__).resolve().parents[2]
BUILTINS = ROOT / "src" / "devocare" / "architecture" / "builtins"


def _sources(node: Any, path: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                out += [(f"{path}.sources[{i}]", str(s)) for i, s in enumerate(value)]
            else:
                out += _sources(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _sources(value, f"{path}[{i}]")
    return out


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_every_citation_resolves(arch_id: str) -> None:
    raw = yaml.safe_load((BUILTINS / f"{arch_id}.yaml").read_text(encoding="utf-8"))
    catalogue = set(data.catalogue())
    cited = _sources(raw)
    assert cited
    unresolved = []
    for where, source in cited:
        if source.startswith("assumption: ") and len(source) > len("assumption: "):
            continue
        if source.startswith("data "):
            if source.split()[1] in catalogue:
                continue
        elif bibliography.cited_key(source):
            continue
        unresolved.append(f"{where}: {source}")
    assert unresolved == []


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_no_citation_points_outside_the_repository(arch_id: str) -> None:
    text = (BUILTINS / f"{arch_id}.yaml").read_text(encoding="utf-8")
    assert not re.search(r"\bseed 00\d|EVIDENCE", text, flags=re.IGNORECASE)


def test_bibliography_page_is_generated_from_the_table() -> None:
    page = (ROOT / "docs" / "background" / "bibliography.md").read_text(encoding="utf-8")
    assert page.startswith(bibliography.to_markdown().rstrip("\n"))  # then the hand-kept parameter sources


def test_every_reference_is_complete_and_derived_figures_name_their_inputs() -> None:
    for ref in bibliography.REFERENCES:
        assert ref.kind in bibliography.KINDS and ref.author and ref.title and ref.year and ref.where, ref.key
        if ref.kind == "derived":
            inputs = [k for k in bibliography.keys() if k in ref.where]
            assert inputs, f"{ref.key} names none of its inputs"
        else:
            assert ref.where.startswith(("http://", "https://")), ref.key
    assert len(bibliography.keys()) == len(bibliography.REFERENCES)


def test_the_schema_accepts_keys_and_rejects_unknown_ones() -> None:
    from devocare.architecture.schema import check_source

    assert check_source("reform-2024 §4.3.1 (block grants)") == "reform-2024 §4.3.1 (block grants)"
    with pytest.raises(ValueError, match="bibliography key"):
        check_source("reform-2042 §4.3.1")


# --- the parameter tree and the docs: no citation a reader cannot resolve ----------------------------------

PARAMETERS = ROOT / "src" / "devocare" / "simulation" / "parameters.yaml"
#: The forms no reader of the repository can follow: the first release's evidence notes and numbered seed files.
UNRESOLVABLE = re.compile(r"EVIDENCE|\b[Ss]eed \d{3}\b")


def _parameter_texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key in ("source", "note") and isinstance(value, str):
                out.append((where, value))
            else:
                out += _parameter_texts(value, where)
    return out


def test_no_parameter_source_cites_a_file_outside_the_repository() -> None:
    texts = _parameter_texts(yaml.safe_load(PARAMETERS.read_text(encoding="utf-8")))
    assert len(texts) > 40
    assert [where for where, text in texts if UNRESOLVABLE.search(text)] == []
    assert not UNRESOLVABLE.search(PARAMETERS.read_text(encoding="utf-8"))  # comments included


def test_every_key_a_parameter_cites_is_in_the_bibliography() -> None:
    texts = _parameter_texts(yaml.safe_load(PARAMETERS.read_text(encoding="utf-8")))
    cited = [(where, key) for where, text in texts for key in bibliography.cited_keys(text)]
    assert len(cited) > 30  # the parameters cite their sources by key
    assert [f"{where}: {key}" for where, key in cited if not bibliography.resolves(key)] == []


def test_a_cited_key_that_does_not_exist_is_caught() -> None:
    keys = bibliography.cited_keys("rose 3% (bibliography hf-health-care-funding, nope-2099 and `nhse-bcf`)")
    assert keys == ["hf-health-care-funding", "nope-2099", "nhse-bcf"]
    assert [k for k in keys if not bibliography.resolves(k)] == ["nope-2099"]
    assert bibliography.resolves("HF-FUNDING")  # an older upper-case key still names its entry


@pytest.mark.parametrize("page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: p.name)
def test_no_page_cites_a_file_outside_the_repository_and_every_cited_key_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert not UNRESOLVABLE.search(text), page
    keys = re.findall(r"bibliography\s+`([^`]+)`", text) + re.findall(r"\(bibliography ([a-z0-9][a-z0-9.\-]*)", text)
    assert [k for k in keys if not bibliography.resolves(k.rstrip("."))] == [], page
