"""Ownership, share links and concurrent deletes in the store, on SQLite and (where a server is reachable)
PostgreSQL."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from devocare.storage import NotFoundError, accounts


def test_items_are_found_only_by_their_owner(store):
    alice, bob = (accounts.user_for_token(store, accounts.add_user(store, n)) for n in ("alice", "bob"))
    ids = {
        "architectures": store.save_architecture("a", "id: draft\n", validate=False, owner=alice.id),
        "scenarios": store.save_scenario("s", {"x": 1}, owner=alice.id),
        "runs": store.save_run("r", {}, {}, pd.DataFrame({"v": [1]}), owner=alice.id),
    }
    getters = {"architectures": store.get_architecture, "scenarios": store.get_scenario, "runs": store.get_run}
    deleters = {
        "architectures": store.delete_architecture,
        "scenarios": store.delete_scenario,
        "runs": store.delete_run,
    }
    for kind, item_id in ids.items():
        assert getters[kind](item_id, owner=alice.id).owner_id == alice.id
        for other in (bob.id, None):  # another user, and the local single user
            with pytest.raises(NotFoundError):
                getters[kind](item_id, owner=other)
            with pytest.raises(NotFoundError):
                deleters[kind](item_id, owner=other)
            with pytest.raises(NotFoundError):
                store.share(kind, item_id, owner=other)
            assert store.count(kind, owner=other) == 0
        assert store.count(kind, owner=alice.id) == 1
        token = store.share(kind, item_id, owner=alice.id)
        assert store.shared(token)[1].id == item_id and store.share(kind, item_id, owner=alice.id) == token
        store.unshare(kind, item_id, owner=alice.id)
        with pytest.raises(NotFoundError):
            store.shared(token)


def test_ids_are_not_reused(store):
    first = store.save_scenario("a", {})
    store.delete_scenario(first)
    assert store.save_scenario("b", {}) > first


def test_concurrent_deletes_of_one_item_give_one_success_and_not_found(store):
    for _ in range(5):
        item = store.save_scenario("x", {})
        outcomes: list[str] = []

        def delete(item: int = item, outcomes: list[str] = outcomes) -> None:
            try:
                store.delete_scenario(item)
                outcomes.append("deleted")
            except NotFoundError:
                outcomes.append("missing")

        threads = [threading.Thread(target=delete) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes) == ["deleted", "missing", "missing", "missing"]
