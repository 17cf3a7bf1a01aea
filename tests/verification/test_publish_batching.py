"""Newly logged shares go to the workers several to a message (verification.batching):
the batcher in a web process, ``queue_logged`` deciding when to use it, and the
``verify_shares`` task that takes such a message. The real worker over Redis takes
them in tests/integration/test_verification_flow.py (its shares are logged with
batching on)."""

from __future__ import annotations

import logging
import os
import threading
import time

import pytest
from django.db import OperationalError

from campaigns.models import Share, ShareStatus
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share
from verification import batching, tasks
from verification import services as verification
from verification.models import VerificationAttempt
from verification.ratelimit import RateLimited

from .test_verification import x_oembed
from .test_verification_tasks import eager, verification_settings, x_platform  # noqa: F401


class Sent:
    """A ``send`` that records each batch and can be told to fail."""

    def __init__(self):
        self.batches: list[list[int]] = []
        self.failing = False
        self.arrived = threading.Event()

    def __call__(self, ids: list[int]) -> None:
        if self.failing:
            raise ConnectionError("broker down")
        self.batches.append(list(ids))
        self.arrived.set()

    def wait(self, count: int, timeout: float = 5) -> list[list[int]]:
        deadline = time.monotonic() + timeout
        while sum(map(len, self.batches)) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.batches


@pytest.fixture
def sent():
    return Sent()


# --- the batcher ---------------------------------------------------------------------------


def test_ids_added_within_the_linger_go_in_one_message_in_order(sent):
    batcher = batching.Batcher(sent, linger=0.2, limit=50)
    for share_id in (5, 3, 9):
        batcher.add(share_id)

    assert sent.wait(3) == [[5, 3, 9]]


def test_a_full_batch_goes_at_once_and_the_rest_follows(sent):
    batcher = batching.Batcher(sent, linger=0.5, limit=3)
    began = time.monotonic()
    for share_id in range(1, 8):
        batcher.add(share_id)

    batches = sent.wait(7)
    assert [share_id for batch in batches for share_id in batch] == list(range(1, 8))
    assert all(len(batch) <= 3 for batch in batches)
    assert batches[0] == [1, 2, 3]
    assert time.monotonic() - began < 5


def test_an_id_alone_waits_no_longer_than_the_linger(sent):
    batcher = batching.Batcher(sent, linger=0.05, limit=50)
    began = time.monotonic()
    batcher.add(1)

    assert sent.arrived.wait(5)
    assert time.monotonic() - began < 1
    batcher.add(2)  # the thread is still there for the next one
    assert sent.wait(2) == [[1], [2]]


def test_a_failed_send_is_logged_with_its_ids_and_the_next_batch_still_goes(sent, caplog):
    batcher = batching.Batcher(sent, linger=0.01, limit=50)
    sent.failing = True
    with caplog.at_level(logging.WARNING, logger="verification.batching"):
        batcher.add(41)
        deadline = time.monotonic() + 5
        while "41" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.005)
    assert "Could not queue verification of shares 41; the sweep will retry" in caplog.text

    sent.failing = False
    batcher.add(42)
    assert sent.wait(1) == [[42]]


def test_flush_sends_what_waits_now_in_the_callers_thread(sent):
    batcher = batching.Batcher(sent, linger=60, limit=2)
    with batcher._wake:  # keep the publisher thread from taking them first
        batcher._ids.extend([1, 2, 3])
    batcher.flush()

    assert sent.batches == [[1, 2], [3]]
    assert batcher.discard() == []


def test_a_full_backlog_keeps_no_more_and_says_so(sent, caplog, monkeypatch):
    monkeypatch.setattr(batching, "BACKLOG_MAX", 2)
    batcher = batching.Batcher(sent, linger=0.3, limit=50)
    with caplog.at_level(logging.WARNING, logger="verification.batching"):
        for share_id in (1, 2, 3, 4):  # within the linger: 3 and 4 find it full
            batcher.add(share_id)
        assert sent.wait(2) == [[1, 2]]

    assert "2 logged shares not queued for verification (backlog full)" in caplog.text


def test_a_forked_child_starts_empty_with_a_thread_of_its_own(sent):
    batcher = batching.Batcher(sent, linger=60, limit=50)
    batcher.add(1)  # the parent's, waiting out a long linger
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            batcher.linger = 0.01
            batcher.add(2)
            got = sent.wait(1, timeout=5)
            os.write(writing, repr(got).encode())
        finally:
            os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    answer = os.read(reading, 1000).decode()
    os.close(reading)

    assert answer == "[[2]]"
    assert batcher.discard() == [1]


# --- queue_logged: when the batcher is used ----------------------------------------------------


@pytest.fixture
def sent_tasks(monkeypatch):
    calls = []
    monkeypatch.setattr(
        verification.celery_app,
        "send_task",
        lambda name, **options: calls.append((name, options)),
    )
    return calls


def test_with_batching_off_a_share_is_queued_in_the_request(settings, sent_tasks):
    settings.SHAREKPI_VERIFY_PUBLISH_BATCH_MS = 0
    verification.queue_logged(7)

    assert [(name, options["args"]) for name, options in sent_tasks] == [
        (verification.VERIFY_SHARE_TASK, (7,))
    ]


@pytest.mark.django_db
def test_with_batching_on_shares_go_in_one_verify_shares_message(settings, sent_tasks):
    settings.SHAREKPI_VERIFY_PUBLISH_BATCH_MS = 200
    verification.logged_batcher().discard()
    for share_id in (7, 8):
        verification.queue_logged(share_id)
    assert sent_tasks == []  # not in the request

    verification.logged_batcher().flush()
    assert [(name, options["args"]) for name, options in sent_tasks] == [
        (verification.VERIFY_SHARES_TASK, ([7, 8],))
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("eager")
def test_eager_tasks_are_never_batched(settings, sent_tasks, monkeypatch):
    settings.SHAREKPI_VERIFY_PUBLISH_BATCH_MS = 200
    ran = []
    monkeypatch.setattr(tasks.verification, "run", lambda **kwargs: ran.append(kwargs))

    verification.queue_logged(7)

    assert [kwargs["share_id"] for kwargs in ran] == [7]
    assert verification.logged_batcher().discard() == []


# --- verify_shares: the worker's side ----------------------------------------------------------


def shares_of_alice(count: int) -> list:
    """``count`` pending shares of Alice's (account "alice" on X), one per campaign."""
    alice = UserFactory(staff_id="alice", full_name="Alice Tan")
    SocialAccountFactory(user=alice, platform="x", handle="alice")
    return [
        make_share(alice, make_campaign(f"Campaign {n}", posts=[f"https://x.com/agency/status/{n}"]),
                   f"https://x.com/alice/status/17900000000000000{n:02d}")
        for n in range(count)
    ]  # fmt: skip


@pytest.mark.django_db
def test_verify_shares_verifies_each_once_under_the_messages_task_id(
    x_platform,  # noqa: F811
):
    x_platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    shares = shares_of_alice(3)
    ids = [share.pk for share in shares]

    tasks.verify_shares.apply(args=(ids,), task_id="the-batch")
    tasks.verify_shares.apply(args=(ids,), task_id="the-batch")  # redelivered

    statuses = dict(Share.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == dict.fromkeys(ids, ShareStatus.VERIFIED)
    attempts = list(VerificationAttempt.objects.values_list("share_id", "task_id"))
    assert sorted(attempts) == [(share_id, "the-batch") for share_id in ids]


@pytest.mark.django_db
def test_verify_shares_hands_a_retry_to_verify_share_and_goes_on(monkeypatch):
    shares = shares_of_alice(3)
    queued = []
    monkeypatch.setattr(tasks.verify_share, "apply_async", lambda **options: queued.append(options))
    outcomes = {
        shares[0].pk: None,
        shares[1].pk: verification.TemporaryFailure("timed out", retry_after=20),
        shares[2].pk: RateLimited("publish.twitter.com", 3.5),
    }
    ran = []

    def run(**kwargs):
        ran.append((kwargs["share_id"], kwargs["task_id"], kwargs["tries"]))
        failure = outcomes[kwargs["share_id"]]
        if failure is not None:
            raise failure

    monkeypatch.setattr(tasks.verification, "run", run)

    tasks.verify_shares.apply(args=([s.pk for s in shares],), task_id="the-batch")

    assert ran == [(share.pk, "the-batch", 1) for share in shares]
    retry, deferred = queued
    assert retry["args"] == (shares[1].pk,) and retry["retries"] == 1
    # The first backoff step (longer than the Retry-After asked), then up to 10 % jitter.
    assert tasks.RETRY_BACKOFF <= retry["countdown"] <= tasks.RETRY_BACKOFF * 1.1
    assert deferred == {"args": (shares[2].pk,), "countdown": 3.5, "retries": 0}


@pytest.mark.django_db
def test_verify_shares_retries_itself_from_where_the_database_went(monkeypatch):
    shares = shares_of_alice(3)
    ids = [share.pk for share in shares]
    ran, retried = [], []

    def run(**kwargs):
        ran.append(kwargs["share_id"])
        if kwargs["share_id"] == ids[1]:
            raise OperationalError("server closed the connection unexpectedly")

    def retry(self, args=None, **options):
        retried.append((args, options["max_retries"]))
        raise RuntimeError("stop here")

    monkeypatch.setattr(tasks.verification, "run", run)
    monkeypatch.setattr(type(tasks.verify_shares._get_current_object()), "retry", retry)

    with pytest.raises(RuntimeError):
        tasks.verify_shares.apply(args=(ids,), throw=True)

    assert ran == ids[:2]
    assert retried == [((ids[1:],), max(tasks.DB_MAX_RETRIES, tasks.MAX_RETRIES))]


def test_verify_shares_is_acknowledged_late_like_verify_share():
    task = tasks.verify_shares
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries == tasks.verify_share.max_retries
