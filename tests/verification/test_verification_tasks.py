"""The verification tasks: retries with backoff, the pending sweep, the re-checks,
and the per-host rate limit. Tasks run eagerly here (in this process); the real
worker, Redis and PostgreSQL are in tests/integration/test_verification_flow.py.
"""

from __future__ import annotations

import datetime

import pytest
from celery.signals import task_retry
from django.conf import settings as django_settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts.models import Platform
from campaigns.models import Share, ShareStatus
from sharekpi.celery import app
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share
from verification import fetch, ratelimit, tasks
from verification import services as verification
from verification.models import (
    PlatformPolicy,
    VerificationAttempt,
    VerificationOutcome,
    VerificationPolicy,
)

from .test_verification import X_POST, x_oembed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def verification_settings(settings, monkeypatch):
    settings.SHAREKPI_VERIFY_NETWORK = True
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 0

    def resolve(host, port):
        raise AssertionError(f"test tried to resolve {host}")

    monkeypatch.setattr(fetch, "resolve", resolve)
    return settings


@pytest.fixture
def alice():
    user = UserFactory(staff_id="alice", full_name="Alice Tan")
    SocialAccountFactory(user=user, platform=Platform.X, handle="alice")
    return user


@pytest.fixture
def eager():
    """Tasks run in this process as they are queued (retries included, without waiting)."""
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def x_platform(fake_platform):
    return fake_platform.serve("publish.twitter.com", "x.com")


def sample_nothing(platform: str = Platform.FACEBOOK) -> None:
    PlatformPolicy.objects.update_or_create(
        platform=platform, defaults={"policy": VerificationPolicy.SAMPLE, "sample_percent": 0}
    )


# --- verify_share ---------------------------------------------------------------------------


def test_verify_share_is_configured_for_safe_retries():
    task = tasks.verify_share
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries == django_settings.SHAREKPI_VERIFY_MAX_RETRIES == 5
    assert verification.TemporaryFailure in task.autoretry_for
    assert task.retry_backoff and task.retry_jitter


def test_verify_share_retries_then_gives_up_to_review(x_platform, alice, campaign):
    x_platform.too_many_requests("publish.twitter.com", "/oembed", retry_after=1)
    share = make_share(alice, campaign, X_POST)

    tasks.verify_share.apply(args=(share.pk,), task_id="the-task")

    share.refresh_from_db()
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert (share.status_code, share.status_params) == (
        "review.unreachable",
        {"platform": "x", "tries": 6},
    )
    outcomes = list(share.attempts.values_list("outcome", "task_id"))
    assert outcomes == [("retry", "the-task")] * 5 + [("needs_review", "the-task")]
    assert [a.reason.split(";")[1].strip() for a in share.attempts.all()[:5]] == [
        f"try {n} of 6, will retry, not before 1 s as asked" for n in range(1, 6)
    ]


def test_verify_share_succeeds_on_a_later_try(x_platform, alice, campaign):
    x_platform.route("publish.twitter.com", "/oembed", status=503)

    def platform_recovers(**kwargs):
        x_platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))

    task_retry.connect(platform_recovers, weak=False)
    try:
        share = make_share(alice, campaign, X_POST)
        tasks.verify_share.apply(args=(share.pk,))
    finally:
        task_retry.disconnect(platform_recovers)

    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED
    assert list(share.attempts.values_list("outcome", flat=True)) == ["retry", "verified"]


# --- the sweep -------------------------------------------------------------------------------


def backdate(share: Share, minutes: float) -> Share:
    Share.objects.filter(pk=share.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return share


def test_sweep_requeues_shares_pending_too_long(eager, settings, alice, campaign):
    settings.SHAREKPI_PENDING_SWEEP_MINUTES = 10
    sample_nothing()
    old = backdate(
        make_share(alice, campaign, "https://www.facebook.com/permalink.php?story_fbid=1&id=2"), 11
    )
    young = backdate(make_share(alice, campaign, "https://www.instagram.com/p/CxYz123abcd/"), 2)

    assert tasks.sweep_pending.apply().get() == 1

    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == ShareStatus.VERIFIED
    assert young.status == ShareStatus.PENDING


def test_sweep_leaves_shares_waiting_for_a_retry(eager, settings, alice, campaign):
    settings.SHAREKPI_PENDING_SWEEP_MINUTES = 10
    share = backdate(make_share(alice, campaign, X_POST), 30)
    VerificationAttempt.objects.create(
        share=share, outcome=VerificationOutcome.RETRY, reason="temporary failure", task_id="t"
    )
    assert verification.sweep_pending() == 0


def test_sweep_ignores_decided_shares(eager, alice, campaign):
    backdate(make_share(alice, campaign, X_POST, status=ShareStatus.NEEDS_REVIEW), 60)
    assert verification.sweep_pending(older_than_minutes=0) == 0


# --- re-checks ---------------------------------------------------------------------------------


def verified_share(staff, campaign, url, *, checked_hours_ago=None, submitted=None) -> Share:
    share = make_share(staff, campaign, url)
    Share.objects.filter(pk=share.pk).update(
        status=ShareStatus.VERIFIED,
        verified_at=timezone.now(),
        submitted_at=submitted or timezone.now(),
        last_checked_at=(
            None
            if checked_hours_ago is None
            else timezone.now() - datetime.timedelta(hours=checked_hours_ago)
        ),
    )
    share.refresh_from_db()
    return share


def test_recheck_takes_the_due_shares_of_the_open_year(
    eager, settings, x_platform, alice, campaign
):
    settings.SHAREKPI_RECHECK_MIN_AGE_HOURS = 24
    x_platform.route("publish.twitter.com", "/oembed", status=404)
    x_platform.route("x.com", "/*", status=404)
    never = verified_share(alice, campaign, "https://x.com/alice/status/11")
    week = verified_share(
        alice, make_campaign("Campaign 1"), "https://x.com/alice/status/12", checked_hours_ago=170
    )
    day = verified_share(
        alice, make_campaign("Campaign 2"), "https://x.com/alice/status/13", checked_hours_ago=30
    )
    fresh = verified_share(
        alice, make_campaign("Campaign 3"), "https://x.com/alice/status/14", checked_hours_ago=1
    )
    last_year = verified_share(
        alice,
        make_campaign("Campaign 4"),
        "https://x.com/alice/status/15",
        submitted=timezone.now() - datetime.timedelta(days=800),
    )

    assert tasks.recheck_verified.apply().get() == 3

    for share in (never, week, day, fresh, last_year):
        share.refresh_from_db()
    assert never.status == week.status == day.status == ShareStatus.REMOVED
    assert fresh.status == ShareStatus.VERIFIED  # checked an hour ago
    assert last_year.status == ShareStatus.VERIFIED  # not the open KPI year


def test_recheck_batch_is_the_oldest_first(eager, x_platform, alice, campaign):
    x_platform.route("publish.twitter.com", "/oembed", status=404)
    x_platform.route("x.com", "/*", status=404)
    shares = [
        verified_share(
            alice,
            make_campaign(f"Campaign {i}"),
            f"https://x.com/alice/status/2{i}",
            checked_hours_ago=hours,
        )
        for i, hours in enumerate([48, 200, None, 100])
    ]

    assert verification.queue_rechecks(batch_size=2) == 2

    for share in shares:
        share.refresh_from_db()
    # Never checked first, then the one checked 200 hours ago.
    assert [s.status for s in shares] == ["verified", "removed", "removed", "verified"]


def test_no_rechecks_with_network_off(eager, settings, alice, campaign):
    settings.SHAREKPI_VERIFY_NETWORK = False
    verified_share(alice, campaign, X_POST)
    assert verification.queue_rechecks() == 0


def test_beat_runs_the_sweep_and_the_rechecks():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"verification.tasks.sweep_pending", "verification.tasks.recheck_verified"} <= scheduled


# --- rate limit --------------------------------------------------------------------------------


def test_local_rate_limit_refuses_over_the_limit(settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 3
    settings.CELERY_BROKER_URL = "filesystem://"
    with pytest.raises(ratelimit.RateLimited) as raised:
        for _ in range(10):  # ten quick calls: four or more share one second
            ratelimit.acquire("limit-test.example")
    assert raised.value.host == "limit-test.example"
    assert 0 < raised.value.retry_after <= 2


def test_rate_limit_is_per_host(settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 1
    settings.CELERY_BROKER_URL = "filesystem://"
    limiter = ratelimit.LocalLimiter()
    assert limiter.hit("a.example")[0] == 1
    assert limiter.hit("b.example")[0] == 1


def test_zero_means_no_limit(settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 0
    for _ in range(100):
        ratelimit.acquire("unlimited.example")


def test_unreachable_redis_falls_back_to_a_per_process_limit(settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 2
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    ratelimit._clients.pop(settings.CELERY_BROKER_URL, None)
    with pytest.raises(ratelimit.RateLimited):
        for _ in range(10):
            ratelimit.acquire("fallback-test.example")


# --- the database unreachable ----------------------------------------------------------------


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_verify_share_retries_a_database_outage_with_backoff(
    monkeypatch, x_platform, alice, campaign, error
):
    """PostgreSQL restarting mid-task: the task retries (backoff, not the sweep's
    minutes) and verifies the share once the database is back."""
    x_platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = make_share(alice, campaign, X_POST)
    real_run = verification.run
    calls = []

    def database_down_twice(**kwargs):
        calls.append(kwargs["tries"])
        if len(calls) <= 2:
            raise error("server closed the connection unexpectedly")
        return real_run(**kwargs)

    countdowns = []

    def note_retry(request=None, reason=None, **kwargs):
        countdowns.append(request.eta if request else None)

    monkeypatch.setattr(verification, "run", database_down_twice)
    task_retry.connect(note_retry, weak=False)
    try:
        result = tasks.verify_share.apply(args=(share.pk,))
    finally:
        task_retry.disconnect(note_retry)

    assert len(calls) == 3
    assert len(countdowns) == 2
    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED
    assert result.state in ("SUCCESS", "RETRY")


def test_database_retries_back_off_and_stop(monkeypatch, alice, campaign):
    share = make_share(alice, campaign, X_POST)
    retries = []

    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    def countdown_of(self, *args, countdown=None, max_retries=None, **kwargs):
        retries.append((countdown, max_retries))
        raise RuntimeError("stop here")

    monkeypatch.setattr(verification, "run", database_down)
    monkeypatch.setattr(type(tasks.verify_share._get_current_object()), "retry", countdown_of)
    for attempt in range(4):
        with pytest.raises(RuntimeError):
            tasks.verify_share.apply(args=(share.pk,), retries=attempt, throw=True)
    ceilings = [min(2 * 2**n, 60) for n in range(4)]
    assert all(c / 2 <= countdown <= c for (countdown, _), c in zip(retries, ceilings, strict=True))
    assert {max_retries for _, max_retries in retries} == {
        django_settings.SHAREKPI_VERIFY_DB_MAX_RETRIES
    }
