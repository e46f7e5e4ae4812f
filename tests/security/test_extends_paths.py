"""``extends:`` never opens a server file for text submitted over the web, and on the CLI stays inside the
architecture file's folder tree (symlinks resolved). A secret file outside the tree stands in for /etc/shadow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devocare import architecture as A
from devocare.architecture.problems import ArchitectureError

SECRET_LINE = "root:$6$s3cr3t-hash:19000:0:99999:7:::"
CHILD = "id: child\nname: Child\nsources: ['assumption: test']\nextends: {ref}\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the architecture's folder whose lines look like YAML keys (the shadow-file leak)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "shadow.yaml"
    path.write_text(f"{SECRET_LINE}\ndaemon: secret-value-42\n", encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "sub").mkdir(parents=True)
    return folder


def _problems(exc: pytest.ExceptionInfo[ArchitectureError]) -> str:
    return str(exc.value)


def test_submitted_text_cannot_extend_a_file_by_absolute_or_relative_path(secret: Path, monkeypatch) -> None:
    monkeypatch.chdir(secret.parent)
    for ref in (str(secret), "shadow.yaml", "./shadow.yaml", "../outside/shadow.yaml", "/etc/passwd"):
        with pytest.raises(ArchitectureError) as exc:
            A.load_text(CHILD.format(ref=ref), name="request")
        text = _problems(exc)
        assert "extends" in text and "not a file" in text, text
        assert "secret" not in text and "s3cr3t" not in text and "daemon" not in text


def test_submitted_text_gives_the_same_answer_whether_or_not_the_path_exists(secret: Path) -> None:
    answers = []
    for ref in (str(secret), str(secret.with_name("missing.yaml"))):
        with pytest.raises(ArchitectureError) as exc:
            A.load_text(CHILD.format(ref=ref), name="request")
        answers.append(_problems(exc).replace(ref, "<ref>"))
    assert answers[0] == answers[1]


def test_saved_references_go_through_the_callers_resolver() -> None:
    base = "extends: status-quo-2023\nid: base\nname: Base\nsources: ['assumption: test']\n"
    seen: list[str] = []

    def resolve(ref: str) -> tuple[str, str]:
        seen.append(ref)
        return base, "base"

    arch = A.load_text(CHILD.format(ref="saved:7"), name="request", saved=resolve)
    assert arch.id == "child" and arch.extends == "saved:7" and seen == ["saved:7"]
    with pytest.raises(ArchitectureError, match="only in the web app"):
        A.load_text(CHILD.format(ref="saved:7"), name="request")
    with pytest.raises(ArchitectureError, match="must read saved:<number>"):
        A.load_text(CHILD.format(ref="saved:../../etc/passwd"), name="request", saved=resolve)


def test_cli_extends_resolves_relative_to_the_file_inside_its_tree(tree: Path) -> None:
    (tree / "sub" / "base.yaml").write_text(
        "extends: status-quo-2023\nid: base\nname: Base\nsources: ['assumption: test']\n", encoding="utf-8"
    )
    child = tree / "child.yaml"
    child.write_text(CHILD.format(ref="sub/base.yaml"), encoding="utf-8")
    assert A.load(str(child)).id == "child"


def test_cli_extends_outside_the_tree_is_refused_without_echoing_it(tree: Path, secret: Path) -> None:
    child = tree / "child.yaml"
    for ref in (str(secret), "../outside/shadow.yaml"):
        child.write_text(CHILD.format(ref=ref), encoding="utf-8")
        with pytest.raises(ArchitectureError) as exc:
            A.load(str(child))
        text = _problems(exc)
        assert "is outside" in text and "s3cr3t" not in text and "daemon" not in text


def test_cli_extends_through_a_symlink_out_of_the_tree_is_refused(tree: Path, secret: Path) -> None:
    (tree / "link.yaml").symlink_to(secret)
    child = tree / "child.yaml"
    child.write_text(CHILD.format(ref="link.yaml"), encoding="utf-8")
    with pytest.raises(ArchitectureError, match="is outside") as exc:
        A.load(str(child))
    assert "s3cr3t" not in _problems(exc)


def test_cli_refusal_over_the_real_entry_point(cli_in_process, tree: Path, secret: Path) -> None:
    child = tree / "child.yaml"
    child.write_text(CHILD.format(ref=str(secret)), encoding="utf-8")
    code, out, err = cli_in_process("arch", "validate", str(child))
    assert code == 2 and "is outside" in err and "Traceback" not in err
    assert "s3cr3t" not in out + err and "daemon" not in out + err


def test_unreadable_extends_file_is_a_clear_error(cli_in_process, tree: Path, monkeypatch) -> None:
    base = tree / "base.yaml"
    base.write_text("id: base\n", encoding="utf-8")
    child = tree / "child.yaml"
    child.write_text(CHILD.format(ref="base.yaml"), encoding="utf-8")
    if os.geteuid() == 0:  # root reads every file: make this one refuse as it would for anyone else
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self.name == "base.yaml":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    base.chmod(0)
    try:
        code, _, err = cli_in_process("arch", "validate", str(child))
    finally:
        base.chmod(0o600)
    assert code == 2 and "permission denied" in err and "Traceback" not in err


def _chain(tree: Path, depth: int) -> Path:
    (tree / "a0.yaml").write_text(
        "extends: status-quo-2023\nid: a0\nname: A0\nsources: ['assumption: test']\n", encoding="utf-8"
    )
    for i in range(1, depth):
        (tree / f"a{i}.yaml").write_text(f"extends: a{i - 1}.yaml\nid: a{i}\n", encoding="utf-8")
    return tree / f"a{depth - 1}.yaml"


def test_a_chain_ten_deep_loads_and_is_not_called_a_cycle(tree: Path) -> None:
    assert A.load(str(_chain(tree, 10))).id == "a9"


def test_a_chain_past_the_limit_names_the_limit_not_a_cycle(tree: Path) -> None:
    with pytest.raises(ArchitectureError) as exc:
        A.load(str(_chain(tree, A.loader.MAX_EXTENDS_DEPTH + 3)))
    assert f"more than {A.loader.MAX_EXTENDS_DEPTH} architectures deep" in str(exc.value)
    assert "cycle" not in str(exc.value)


def test_a_real_cycle_is_called_a_cycle_even_through_different_spellings(tree: Path) -> None:
    (tree / "x.yaml").write_text("id: x\nextends: sub/../y.yaml\n", encoding="utf-8")
    (tree / "y.yaml").write_text("id: y\nextends: ./x.yaml\n", encoding="utf-8")
    with pytest.raises(ArchitectureError, match="extends cycle"):
        A.load(str(tree / "x.yaml"))


def test_load_text_with_a_base_dir_reads_only_inside_it(tree: Path, secret: Path) -> None:
    (tree / "sub" / "base.yaml").write_text(
        "extends: status-quo-2023\nid: base\nname: Base\nsources: ['assumption: test']\n", encoding="utf-8"
    )
    assert A.load_text(CHILD.format(ref="sub/base.yaml"), name="text", base_dir=tree).id == "child"
    with pytest.raises(ArchitectureError, match="is outside") as exc:
        A.load_text(CHILD.format(ref=str(secret)), name="text", base_dir=tree)
    assert "s3cr3t" not in str(exc.value)
