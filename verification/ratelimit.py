"""A per-host limit on outbound requests, shared by every worker.

Platforms answer a burst from one server with 429s, captchas or a ban, so all
workers together send at most ``SHAREKPI_RATE_LIMIT_PER_HOST`` requests per
second to one host (0 = no limit). The count lives in Redis when the broker
is Redis: one key per host per second, incremented by a Lua script that reads
Redis's own clock, so workers on several machines share one window whatever
their clocks say. With the embedded filesystem broker (one machine) or when
Redis does not answer, each process keeps its own window instead.

A caller over the limit gets ``RateLimited`` with the seconds until the next
window and is expected to come back later (the verify task re-queues itself
with a countdown); nothing here sleeps.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger(__name__)

KEY_PREFIX = "sharekpi:ratelimit:"

# KEYS[1] = prefix + host. Returns {count in this second, ms left in this second}.
_WINDOW_SCRIPT = """
local now = redis.call('TIME')
local key = KEYS[1] .. ':' .. now[1]
local count = redis.call('INCR', key)
if count == 1 then redis.call('EXPIRE', key, 2) end
return {count, 1000 - math.floor(tonumber(now[2]) / 1000)}
"""


class RateLimited(Exception):
    """Too many requests to ``host`` this second; try again in ``retry_after`` seconds."""

    def __init__(self, host: str, retry_after: float) -> None:
        super().__init__(f"rate limit for {host} reached; retry in {retry_after:.2f} s")
        self.host = host
        self.retry_after = retry_after


@dataclass
class _Window:
    second: int
    count: int


class LocalLimiter:
    """The same one-second window, kept in this process only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def hit(self, host: str) -> tuple[int, float]:
        now = time.time()
        second = int(now)
        with self._lock:
            window = self._windows.get(host)
            if window is None or window.second != second:
                window = self._windows[host] = _Window(second, 0)
            window.count += 1
            return window.count, (second + 1) - now


_local = LocalLimiter()
_last_warning = 0.0
_clients: dict[str, object] = {}  # Redis URL → registered window script
_clients_lock = threading.Lock()


def redis_url() -> str | None:
    """The Redis holding the shared counts: the broker, when it is Redis."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    return url if url.startswith(("redis://", "rediss://")) else None


def _window_script(url: str):
    """The window script registered on a client of ``url``: sent by its SHA (EVALSHA),
    the script itself only when Redis does not know it yet."""
    with _clients_lock:
        script = _clients.get(url)
        if script is None:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            script = _clients[url] = client.register_script(_WINDOW_SCRIPT)
        return script


def _hit_redis(url: str, host: str) -> tuple[int, float]:
    count, ms_left = _window_script(url)(keys=[KEY_PREFIX + host])
    return int(count), max(int(ms_left), 1) / 1000


def _warn(message: str) -> None:
    """Log at most once a minute: every fetch would otherwise repeat it."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= 60:
        _last_warning = now
        log.warning(message)


def acquire(host: str) -> None:
    """Count one request to ``host``; raise ``RateLimited`` when over the limit."""
    limit = int(getattr(settings, "SHAREKPI_RATE_LIMIT_PER_HOST", 0) or 0)
    if limit <= 0:
        return
    host = host.lower()
    url = redis_url()
    count = left = None
    if url is not None:
        try:
            count, left = _hit_redis(url, host)
        except Exception as exc:  # redis down: keep limiting, per process
            _warn(f"rate limit store {url} unavailable ({exc}); limiting per process")
    if count is None:
        count, left = _local.hit(host)
    if count > limit:
        # Spread the waiters over the next second instead of sending them back together.
        raise RateLimited(host, left + random.uniform(0, 1))
