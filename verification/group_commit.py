"""Group commit: many threads' small writes, one transaction.

A verification worker runs dozens of tasks at once in threads, each waiting on a
platform for most of its life and then writing its decision: a few rows of its own
and the listeners' set-based updates. Committed one by one, those transactions cost
more CPU than everything else the worker does. A ``GroupCommitter`` lets each task
hand its write over and wait for the result, while one committer thread drains
whatever has queued up since its last commit and writes it in one transaction
(``write_many``). There is no timer: when the database is quick, batches are small
and nobody waits; when it is busy, writes queue up and batches grow by themselves.

The task still acknowledges its message only after ``submit`` returns, so a worker
that dies between the platform's answer and the commit loses nothing: the message
is delivered again. If a group's transaction fails, each write of the group is
tried again alone, so one bad write cannot fail the others.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from django.db import close_old_connections, connection

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommitter(Generic[Item, Result]):
    def __init__(
        self,
        write_many: Callable[[Sequence[Item]], list[Result]],
        *,
        max_group: int = 100,
        name: str = "group-commit",
    ) -> None:
        self._write_many = write_many
        self._max_group = max_group
        self._name = name
        self._queue: queue.Queue[tuple[Item, Future]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.groups = 0  # how many transactions, for the curious (and the tests)
        self.items = 0

    def submit(self, item: Item, timeout: float | None = None) -> Result:
        """Write ``item`` with whatever else is waiting; block until it is committed and
        return its result (or raise what writing it alone raised)."""
        future: Future = Future()
        self._queue.put((item, future))
        self._ensure_running()
        return future.result(timeout)

    def _ensure_running(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self._max_group:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(group)

    def _commit(self, group: list[tuple[Item, Future]]) -> None:
        close_old_connections()  # a connection past CONN_MAX_AGE or broken is replaced
        try:
            results = self._write_many([item for item, _ in group])
        except Exception as exc:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            if len(group) == 1:
                group[0][1].set_exception(exc)
                return
            log.warning("A group of %s writes failed (%s); writing each alone", len(group), exc)
            for one in group:
                self._commit([one])
            return
        self.groups += 1
        self.items += len(group)
        for (_, future), result in zip(group, results, strict=True):
            future.set_result(result)
