"""Package conventions: one version source, metadata, extras, lower-bound pins, what the sdist carries."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _min_constraints():
    spec = importlib.util.spec_from_file_location("min_constraints", ROOT / ".ci" / "min-constraints.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.unit
def test_one_version_source():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "devocare._version.__version__"}
    init = (ROOT / "src" / "devocare" / "__init__.py").read_text(encoding="utf-8")
    assert not re.search(r"__version__\s*=", init)
    from devocare import __version__, _version

    assert __version__ == _version.__version__ and re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


@pytest.mark.unit
def test_metadata_urls_classifiers_keywords_and_typed():
    project = PYPROJECT["project"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(project["urls"])
    assert "Typing :: Typed" in project["classifiers"] and len(project["keywords"]) >= 5
    assert (ROOT / "src" / "devocare" / "py.typed").exists()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["devocare"]


@pytest.mark.unit
def test_core_leaves_heavy_optional_packages_to_extras():
    core = " ".join(PYPROJECT["project"]["dependencies"])
    for heavy in ("numba", "dask", "fastapi", "uvicorn", "plotly", "kaleido", "psycopg", "httpx", "sqlalchemy"):
        assert heavy not in core, f"{heavy} is in the core dependencies"
    optional = PYPROJECT["project"]["optional-dependencies"]
    assert any(r.startswith("httpx") for r in optional["dev"])


@pytest.mark.unit
def test_min_constraints_pin_every_runtime_lower_bound():
    pins = _min_constraints().pins(ROOT / "pyproject.toml")
    assert pins["numpy"] == "2.0" and pins["typer"] == "0.16" and pins["psycopg"] == "3.1.4"
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
        assert name in pins, f"{name} has no lower bound pinned"
    assert "pytest" not in pins and "ruff" not in pins and "devocare" not in pins  # tools and self-references


@pytest.mark.unit
def test_readme_links_and_images_are_absolute():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)", readme)
    assert targets, "the README has no links"
    relative = [t for t in targets if not re.match(r"https?://", t)]
    assert not relative, f"relative links break on a package index: {relative}"
    for image in re.findall(r"!\[[^\]]*\]\(https://github.com/devocare/devocare/raw/main/([^)]+)\)", readme):
        assert (ROOT / image).exists(), image


@pytest.mark.integration
def test_sdist_carries_tests_docs_and_the_typed_marker(tmp_path):
    pytest.importorskip("build")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 and "Could not find a version" in done.stdout + done.stderr:
        pytest.skip("no package index to install the build backend from")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sdist,) = tmp_path.glob("devocare-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for needed in (
        "tests/conftest.py",
        "tests/foundation/test_packaging.py",
        "docs/index.md",
        "mkdocs.yml",
        "src/devocare/py.typed",
        "src/devocare/_version.py",
        "README.md",
        "LICENSE",
        "Makefile",
        ".ci/min-versions",
    ):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
