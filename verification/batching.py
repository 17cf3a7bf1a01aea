"""Newly logged shares handed to the workers several at a time.

Publishing one Celery message per share cost a web process more CPU than anything
else a submission does (about 0.7 ms of 3 ms under load: Celery's and kombu's Python
and a Redis round trip in the request's own thread). So a web process does not
publish in the request: ``Batcher.add`` puts the share's id on a list (a lock and an
append), and one thread of the process, started on first use, publishes what gathered
within ``linger`` seconds as one ``verify_shares`` message of at most ``limit`` ids.

Nothing is lost that was not already at risk: a share is committed before its id is
added, and a message that never leaves (the process killed within the linger, the
broker down) leaves the share pending, where verification's sweep finds it as it did
before (``verification.services.sweep_pending``). At a normal exit the ids left are
published (``atexit``). A forked child starts with no ids and no thread of its own
until it adds one.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# Ids waiting at most: beyond this (the broker down for a long while under load) new
# ones are not kept in memory; they wait in the database for the sweep.
BACKLOG_MAX = 50_000


class Batcher:
    """Gathers ids and hands them to ``send(ids)`` from one thread per process."""

    def __init__(self, send: Callable[[list[int]], None], *, linger: float, limit: int):
        self._send = send
        self.linger = linger
        self.limit = limit
        self._reset()
        os.register_at_fork(after_in_child=self._reset)
        atexit.register(self.flush)

    def _reset(self) -> None:
        # Fresh in a forked child: the parent's lock may have been held at the fork and
        # its thread does not exist here; its ids are the parent's to send.
        self._wake = threading.Condition(threading.Lock())
        self._ids: list[int] = []
        self._thread: threading.Thread | None = None
        self._dropped = 0

    def add(self, share_id: int) -> None:
        with self._wake:
            if len(self._ids) >= BACKLOG_MAX:
                self._dropped += 1
                return
            self._ids.append(share_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="verification-publisher", daemon=True
                )
                self._thread.start()
            if len(self._ids) == 1 or len(self._ids) >= self.limit:
                self._wake.notify()

    def _take(self) -> tuple[list[int], int]:
        """Wait for an id, then up to ``linger`` for more (or ``limit`` of them)."""
        with self._wake:
            while not self._ids:
                self._wake.wait()
            deadline = time.monotonic() + self.linger
            while len(self._ids) < self.limit:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(left)
            batch, self._ids = self._ids[: self.limit], self._ids[self.limit :]
            dropped, self._dropped = self._dropped, 0
            return batch, dropped

    def _run(self) -> None:
        while True:
            batch, dropped = self._take()
            if dropped:
                log.warning(
                    "%s logged shares not queued for verification (backlog full); "
                    "the sweep will queue them",
                    dropped,
                )
            self._publish(batch)

    def _publish(self, batch: list[int]) -> None:
        try:
            self._send(batch)
        except Exception as exc:  # kombu raises many kinds when the broker is down
            log.warning(
                "Could not queue verification of shares %s; the sweep will retry (%s)",
                ", ".join(map(str, batch)),
                exc,
            )

    def flush(self) -> None:
        """Send every id waiting now, in this thread (at exit; tests)."""
        with self._wake:
            waiting, self._ids = self._ids, []
        for start in range(0, len(waiting), self.limit):
            self._publish(waiting[start : start + self.limit])

    def discard(self) -> list[int]:
        """Forget the ids waiting now, and return them (tests)."""
        with self._wake:
            waiting, self._ids = self._ids, []
        return waiting
