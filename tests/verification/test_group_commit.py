"""verification.group_commit: many threads' writes, few transactions, no write lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from verification.group_commit import GroupCommitter


class Store:
    """A stand-in for the database: one 'transaction' per call, slow enough for writes
    to queue up behind it."""

    def __init__(self, bad: set[int] = frozenset()):
        self.bad = bad
        self.calls: list[list[int]] = []
        self.written: list[int] = []
        self.lock = threading.Lock()

    def write_many(self, items):
        with self.lock:
            self.calls.append(list(items))
        threading.Event().wait(0.01)
        if self.bad & set(items):
            raise ValueError(f"cannot write {sorted(self.bad & set(items))}")
        self.written.extend(items)
        return [item * 10 for item in items]


def test_each_caller_gets_its_own_result_and_writes_share_transactions():
    store = Store()
    committer = GroupCommitter(store.write_many, max_group=50)
    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(committer.submit, range(400)))
    assert results == [item * 10 for item in range(400)]
    assert sorted(store.written) == list(range(400))
    assert committer.items == 400
    assert committer.groups < 200, "writes should have been grouped"
    assert max(len(call) for call in store.calls) <= 50


def test_a_bad_write_fails_alone():
    store = Store(bad={13})
    committer = GroupCommitter(store.write_many)
    with ThreadPoolExecutor(max_workers=30) as pool:
        futures = {item: pool.submit(committer.submit, item) for item in range(30)}
    with pytest.raises(ValueError, match="cannot write"):
        futures[13].result()
    assert {item: f.result() for item, f in futures.items() if item != 13} == {
        item: item * 10 for item in range(30) if item != 13
    }
    assert sorted(store.written) == [item for item in range(30) if item != 13]


def test_a_lone_write_is_not_held_back():
    store = Store()
    committer = GroupCommitter(store.write_many)
    assert committer.submit(7, timeout=5) == 70
    assert store.calls == [[7]]
