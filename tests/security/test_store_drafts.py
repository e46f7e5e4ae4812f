"""Drafts (architectures saved without validation) are parsed as safely as everything else: no alias bomb,
impossible date, deep nesting or lone surrogate gets past the store or crashes it, and nothing is saved."""

from __future__ import annotations

import pytest

from devocare.errors import DevocareError

BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(9))


@pytest.fixture
def store(tmp_path):
    from devocare.storage import Store

    return Store(f"sqlite:///{tmp_path / 'drafts.db'}")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (BOMB, "anchors (&l0) are not accepted"),
        ("id: x\nas_of: 2024-02-30\n", "impossible date '2024-02-30'"),
        ("id: x\nd: " + "[" * 3000 + "]" * 3000 + "\n", "nesting"),
        ("id: x\nd: !!binary aGVsbG8=\n", "YAML tag !!binary"),
        ("id: x\nname: \ud800\n", "not valid Unicode"),
    ],
)
def test_hostile_drafts_are_refused_and_not_saved(store, text: str, needle: str) -> None:
    with pytest.raises(DevocareError) as exc:
        store.save_architecture("draft", text, validate=False)
    assert "does not parse" in str(exc.value) and needle in str(exc.value)
    assert store.list_architectures() == []


def test_saved_architecture_can_extend_another_saved_one(store) -> None:
    base = store.save_architecture(
        "base", "extends: status-quo-2023\nid: base\nname: Base\nsources: ['assumption: test']\n"
    )
    child = store.save_architecture("child", f"extends: saved:{base}\nid: child\n")
    assert child != base
    with pytest.raises(DevocareError, match="no saved architecture|not found|does not exist"):
        store.save_architecture("orphan", "extends: saved:999999\nid: orphan\n")


def test_deeply_nested_scenario_payload_is_refused_not_a_recursion_error(store) -> None:
    payload: dict = {"x": 1}
    for _ in range(5000):
        payload = {"a": payload}
    with pytest.raises(DevocareError, match="nested deeper than 64 levels"):
        store.save_scenario("deep", payload)
    shallow: dict = {"x": 1}
    for _ in range(60):
        shallow = {"a": shallow}
    assert store.save_scenario("ok", shallow) > 0
