"""The per-host rate limit is one count in Redis shared by every worker process."""

from __future__ import annotations

import itertools
import multiprocessing
import time
import uuid

import pytest

from verification import ratelimit

pytestmark = pytest.mark.integration


def _acquire_in_child(host: str, answers) -> None:
    ratelimit._clients.clear()  # the parent's sockets are not ours to use
    try:
        ratelimit.acquire(host)
        answers.put("allowed")
    except ratelimit.RateLimited:
        answers.put("limited")


def test_another_process_sees_the_same_count(redis_url, settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 5
    context = multiprocessing.get_context("fork")
    for _ in range(3):  # start again if a one-second window ends half-way
        host = f"{uuid.uuid4().hex[:8]}.ratelimit-test"
        while time.time() % 1 > 0.2:  # start early in a second
            time.sleep(0.01)
        second = int(time.time())
        for _ in range(5):
            ratelimit.acquire(host)
        answers = context.Queue()
        child = context.Process(target=_acquire_in_child, args=(host, answers))
        child.start()
        child.join(10)
        answer = answers.get(timeout=5)
        if int(time.time()) == second:
            # The child has its own per-process window, so only Redis can refuse it.
            assert answer == "limited"
            return
    pytest.fail("could not fit the test in one second three times")


def test_counts_go_up_by_one_and_start_again_each_second(redis_url):
    host = f"{uuid.uuid4().hex[:8]}.ratelimit-test"
    counts = [ratelimit._hit_redis(redis_url, host) for _ in range(20)]
    assert counts[0][0] == 1
    for (before, _), (after, left) in itertools.pairwise(counts):
        assert after in (before + 1, 1)
        assert 0 < left <= 1
