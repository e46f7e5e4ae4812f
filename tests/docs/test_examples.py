"""Every example in the README and docs/ runs: each ``devocare`` command of a ```bash or ```console block,
and each ```python block.

How the Markdown is read:

- A page's examples run in order, in one temporary folder per page, sharing files (a command's ``--out``
  file is there for the next) and, for Python blocks, one namespace.
- A code block with a title (```yaml title="optimistic.yaml"```) is written to that file before the page
  runs, so examples can use the files the page shows.
- ``<!-- docs-test: COMMAND -->`` (invisible on the site) runs a shell command before the next example:
  preparing a file the text describes but does not show.
- In a ```console block, lines after a ``$ command`` are its expected output: each must appear in what the
  command prints, and ``error:`` output means exit code 2 (otherwise 0).
- Commands other than ``devocare``/``python -m devocare`` (make, pip, curl, ...) are not run: they are
  reported as skipped with the reason, as are the few in :data:`SKIP` (a server that runs until stopped, a
  remote cluster, a run of minutes).
- Monte Carlo draws are capped at :data:`DRAWS_CAP` (``--draws 200`` runs 20, and so does a ``simulate``
  or ``compare`` that leaves the default of 1,000) to keep the suite fast: the example's commands,
  options and paths are what is checked, not its sample size.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
DRAWS_CAP = 20
#: devocare commands not run here, by a pattern of the command line, with the reason.
SKIP = {
    r"^devocare serve\b": "starts a server that runs until stopped (tests/web/test_serve_cli.py starts one)",
    r"--scheduler tcp://": "needs a Dask scheduler at that address",
    r"--atoms lsoa": "an LSOA run of many draws takes minutes (tests/simulation run LSOA atoms)",
}
_FENCE = re.compile(r"^(?P<fence>```+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M)
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(?P<command>.*?)\s*-->", re.S)


@dataclass
class Example:
    """One thing to run: a shell command (with its expected output) or a Python block."""

    page: Path
    line: int
    kind: str  # "shell" or "python"
    text: str
    expected: list[str] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _commands(kind: str, body: str) -> list[tuple[int, str, list[str]]]:
    """(line offset, command, expected output lines) of a bash or console block."""
    out: list[tuple[int, str, list[str]]] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        offset, raw = i, lines[i]
        i += 1
        if kind == "console" and not raw.startswith("$ "):
            if out and raw.strip():
                out[-1][2].append(raw.strip())
            continue
        command = raw[2:] if kind == "console" else raw
        while command.rstrip().endswith("\\") and i < len(lines):
            command = command.rstrip()[:-1] + " " + lines[i].strip()
            i += 1
        if command.strip() and not command.lstrip().startswith("#"):
            out.append((offset, command.strip(), []))
    return out


def collect(page: Path) -> tuple[list[Example], dict[str, str]]:
    """A page's examples in order, and the files its titled blocks define."""
    text = page.read_text(encoding="utf-8")
    files: dict[str, str] = {}
    events: list[tuple[int, str, str, str]] = []
    for match in _FENCE.finditer(text):
        info = match["info"].strip()
        language = info.split()[0] if info else ""
        title = re.search(r'title="([^"]+)"', info)
        line = text.count("\n", 0, match.start()) + 2  # the block's first line
        if title:
            files[title.group(1)] = match["body"]
        elif language in ("bash", "console", "python"):
            events.append((match.start(), language, match["body"], str(line)))
    for match in _DIRECTIVE.finditer(text):
        events.append((match.start(), "setup", match["command"], "0"))
    examples: list[Example] = []
    pending: list[str] = []
    for _, language, body, line in sorted(events, key=lambda e: e[0]):
        if language == "setup":
            pending.append(body)
        elif language == "python":
            examples.append(Example(page, int(line), "python", body, setup=pending))
            pending = []
        else:
            for offset, command, expected in _commands(language, body):
                examples.append(Example(page, int(line) + offset, "shell", command, expected, setup=pending))
                pending = []
    return examples, files


EXAMPLES = [example for page in PAGES for example in collect(page)[0]]
_FOLDERS: dict[Path, Path] = {}
_NAMESPACES: dict[Path, dict[str, object]] = {}


@pytest.fixture
def folder(example: Example, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The page's own working folder (created with its titled files on first use), as the current directory."""
    if example.page not in _FOLDERS:
        path = tmp_path_factory.mktemp(example.page.stem)
        for name, content in collect(example.page)[1].items():
            (path / name).write_text(content, encoding="utf-8")
        _FOLDERS[example.page] = path
    path = _FOLDERS[example.page]
    monkeypatch.chdir(path)
    for variable in ("DATABASE_URL", "DEVOCARE_DATABASE_URL", "DEVOCARE_DB"):  # saved work stays in the page's
        monkeypatch.delenv(variable, raising=False)  # folder (its data folder here)
    monkeypatch.setenv("DEVOCARE_DATA_DIR", str(path))
    for command in example.setup:
        subprocess.run(["bash", "-c", command], cwd=path, check=True, timeout=60)
    return path


def _cap_draws(text: str) -> str:
    text = re.sub(r"--draws (\d+)", lambda m: f"--draws {min(int(m[1]), DRAWS_CAP)}", text)
    return re.sub(r"\bdraws=(\d+)", lambda m: f"draws={min(int(m[1]), DRAWS_CAP)}", text)


def _argv(command: str) -> tuple[list[str], str | None]:
    """The devocare arguments of a command line and the file its stdout goes to (``> file``), if any."""
    tokens = shlex.split(command, comments=True)
    if "|" in tokens:  # `| less` and the like only page the output
        tokens = tokens[: tokens.index("|")]
    out = None
    if ">" in tokens:
        at = tokens.index(">")
        tokens, out = tokens[:at], tokens[at + 1]
    args = tokens[3:] if tokens[:3] == ["python", "-m", "devocare"] else tokens[1:]
    if args and args[0] in ("simulate", "compare") and "--draws" not in args:  # the default is 1,000
        args += ["--draws", str(DRAWS_CAP)]
    return args, out


def _normalise(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_runs(example: Example, folder: Path, cli_in_process) -> None:
    if example.kind == "python":
        namespace = _NAMESPACES.setdefault(example.page, {"__name__": "__docs__"})
        code = compile(_cap_draws(example.text), example.id, "exec")
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)  # the documentation's own example, from the repository
        return
    command = example.text
    first = shlex.split(command, comments=True)[:3]
    if not first or (first[0] != "devocare" and first != ["python", "-m", "devocare"]):
        pytest.skip(f"not a devocare command: {command}")
    for pattern, reason in SKIP.items():
        if re.search(pattern, command):
            pytest.skip(reason)
    args, out = _argv(_cap_draws(command))
    result = cli_in_process(*args)
    printed = _normalise(result.stdout + "\n" + result.stderr)
    wants_error = bool(example.expected) and example.expected[0].startswith("error:")
    assert result.returncode == (2 if wants_error else 0), result.stderr[-3000:]
    for line in example.expected:
        assert _normalise(line) in printed, f"expected output not printed: {line}"
    if out is not None:
        (folder / out).write_text(result.stdout, encoding="utf-8")


def test_every_page_is_read():
    assert len(PAGES) > 15 and len(EXAMPLES) > 50
    assert sys.executable  # the examples run in this interpreter, on this checkout
