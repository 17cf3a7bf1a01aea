"""Shares logged through the API are verified by a real worker process, over real
Redis and PostgreSQL, against the local fake platform server, and none is lost
or recorded twice when the worker is killed or Redis stops.

The worker is a subprocess, so it learns where the fake platform is from the
SHAREKPI_FETCH_TEST_HOST_MAP environment variable (read by settings for tests
only). The fake server runs in this process on 127.0.0.1.

Run with:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sharekpi_dev \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/pytest tests/integration -q
"""

from __future__ import annotations

import collections
import datetime
import json
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass

import kombu.pools
import pytest
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Platform, SocialAccount
from campaigns import platforms
from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share, ShareStatus
from sharekpi.celery import app
from tests.conftest import missing_service
from tests.factories import UserFactory
from tests.fakeplatform import FakePlatform
from verification import services as verification
from verification.models import (
    PlatformPolicy,
    VerificationAttempt,
    VerificationOutcome,
    VerificationPolicy,
)

from .conftest import WorkerProcess, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOSTS = (
    "publish.twitter.com",
    "x.com",
    "www.tiktok.com",
    "www.youtube.com",
    "www.facebook.com",
    "fb.watch",
)
SHARE_PLATFORMS = (Platform.X, Platform.TIKTOK, Platform.YOUTUBE, Platform.FACEBOOK)


@dataclass
class Planned:
    staff_index: int
    platform: str
    url: str
    expected: str


class World:
    """Staff with registered accounts, one campaign, and what the fake platform answers
    for each staff member's share on each platform.

    Staff i: X post by someone else when i % 5 == 0 (rejected); TikTok post gone
    when i % 5 == 1 (rejected); YouTube with embedding off when i % 5 == 2
    (needs_review); Facebook (sample 0 %) as a direct post for even i, as an
    fb.watch short link for odd i, which for i % 10 == 3 leads to staff i-1's
    post (a duplicate: rejected). Everything else is verified.
    """

    def __init__(self, fake: FakePlatform, *, delay: float = 0.0):
        self.fake = fake
        self.delay = delay
        today = timezone.localdate()
        self.campaign = Campaign.objects.create(
            title="Flood relief",
            starts_on=today - datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=1),
            status=CampaignStatus.ACTIVE,
        )
        for platform, url in (
            (Platform.X, "https://x.com/agency/status/1"),
            (Platform.TIKTOK, "https://www.tiktok.com/@agency/video/1"),
            (Platform.YOUTUBE, "https://www.youtube.com/watch?v=agencyvid01"),
            (Platform.FACEBOOK, "https://www.facebook.com/agency/posts/1"),
        ):
            CampaignPost.objects.create(
                campaign=self.campaign,
                url=url,
                normalized_url=platforms.normalize(url),
                platform=platform,
            )
        PlatformPolicy.objects.create(
            platform=Platform.FACEBOOK, policy=VerificationPolicy.SAMPLE, sample_percent=0
        )
        self.staff = []
        self.planned: list[Planned] = []

    def add_staff(self, count: int) -> list[Planned]:
        added = []
        for _ in range(count):
            i = len(self.staff)
            handle = f"staff{i:04d}"
            user = UserFactory(staff_id=handle.upper(), full_name=f"Staff {i}")
            # Facebook too: its post links name their author, which must be theirs.
            for platform in (Platform.X, Platform.TIKTOK, Platform.YOUTUBE, Platform.FACEBOOK):
                SocialAccount.objects.create(
                    user=user,
                    platform=platform,
                    handle=handle,
                    profile_url=platforms.PROFILE_URL_TEMPLATES[platform].format(handle),
                )
            self.staff.append(user)
            added += [self._plan(i, handle, platform) for platform in SHARE_PLATFORMS]
        self.planned += added
        return added

    def _route(self, host: str, url: str, **kwargs) -> None:
        self.fake.route(host, url.split(host, 1)[1], delay=self.delay, **kwargs)

    def _plan(self, i: int, handle: str, platform: str) -> Planned:
        fake = self.fake
        if platform == Platform.X:
            url = f"https://x.com/{handle}/status/{1000 + i}"
            author = "mallory" if i % 5 == 0 else handle
            oembed = platforms.oembed_url(platforms.parse(url))
            self._route(
                "publish.twitter.com", oembed, json={"author_url": f"https://twitter.com/{author}"}
            )
            return Planned(i, platform, url, "rejected" if i % 5 == 0 else "verified")
        if platform == Platform.TIKTOK:
            url = f"https://www.tiktok.com/@{handle}/video/{2000 + i}"
            oembed = platforms.oembed_url(platforms.parse(url))
            if i % 5 == 1:
                self._route("www.tiktok.com", oembed, status=404)
                fake.route("www.tiktok.com", f"/@{handle}/video/{2000 + i}", status=404)
                return Planned(i, platform, url, "rejected")
            self._route("www.tiktok.com", oembed, json={"author_unique_id": handle})
            return Planned(i, platform, url, "verified")
        if platform == Platform.YOUTUBE:
            url = f"https://www.youtube.com/watch?v=vid{i:08d}"
            oembed = platforms.oembed_url(platforms.parse(url))
            if i % 5 == 2:
                self._route("www.youtube.com", oembed, status=401)
                return Planned(i, platform, url, "needs_review")
            self._route(
                "www.youtube.com",
                oembed,
                json={"author_url": f"https://www.youtube.com/@{handle}"},
            )
            return Planned(i, platform, url, "verified")
        post = f"https://www.facebook.com/{handle}/posts/{9000 + i}"
        if i % 2 == 0:
            return Planned(i, platform, post, "verified")
        if i % 10 == 3:
            target = f"https://www.facebook.com/staff{i - 1:04d}/posts/{9000 + i - 1}"
            expected = "rejected"
        else:
            target = f"https://www.facebook.com/watch/?v={7000 + i}"
            expected = "verified"
        fake.redirect("fb.watch", f"/fb{i:04d}", target)
        return Planned(i, platform, f"https://fb.watch/fb{i:04d}/", expected)

    def log(self, planned: list[Planned]) -> list[int]:
        """Log the shares through the API, as the staff members themselves."""
        ids = []
        api = APIClient()
        for plan in planned:
            api.force_authenticate(user=self.staff[plan.staff_index])
            response = api.post(
                "/api/v1/shares/", {"campaign": self.campaign.pk, "url": plan.url}, format="json"
            )
            assert response.status_code == 201, (plan, response.content)
            ids.append(response.json()["id"])
        api.force_authenticate(user=None)
        return ids

    def worker_env(self) -> dict[str, str]:
        return {
            "SHAREKPI_FETCH_TEST_HOST_MAP": json.dumps(self.fake.host_map(*HOSTS)),
            "SHAREKPI_VERIFY_NETWORK": "on",
            "SHAREKPI_RATE_LIMIT_PER_HOST": "100",
        }


def pending_count() -> int:
    return Share.objects.filter(status=ShareStatus.PENDING).count()


def assert_as_planned(world: World) -> None:
    """Every share ended as the fake platform dictates, with exactly one final attempt."""
    got = dict(Share.objects.values_list("url", "status"))
    wrong = {
        p.url: (p.expected, got.get(p.url)) for p in world.planned if got.get(p.url) != p.expected
    }
    assert not wrong, wrong
    doubled = (
        Share.objects.annotate(
            final=Count("attempts", filter=~Q(attempts__outcome=VerificationOutcome.RETRY))
        )
        .exclude(final=1)
        .values_list("url", "final")
    )
    assert not list(doubled)


@pytest.fixture
def fake():
    with FakePlatform() as server:
        yield server


@pytest.fixture
def world(fake):
    return World(fake)


def test_shares_logged_through_the_api_end_as_the_platform_dictates(
    world, celery_worker_process, task_queue
):
    celery_worker_process.extra_env.update(world.worker_env())
    celery_worker_process.start(concurrency=8)

    world.add_staff(50)
    ids = world.log(world.planned)

    assert len(ids) == 200
    assert wait_for(lambda: pending_count() == 0, timeout=240), celery_worker_process.output()
    assert_as_planned(world)
    statuses = collections.Counter(Share.objects.values_list("status", flat=True))
    assert statuses == {"verified": 165, "rejected": 25, "needs_review": 10}
    # One attempt per share: nothing was retried or recorded twice.
    assert VerificationAttempt.objects.count() == 200
    duplicate = Share.objects.get(url="https://fb.watch/fb0003/")
    assert duplicate.status_code == "rejected.duplicate"
    resolved = Share.objects.get(url="https://fb.watch/fb0001/")
    assert resolved.normalized_url == "https://www.facebook.com/watch?v=7001"
    assert resolved.short_url == "https://fb.watch/fb0001"


def test_a_killed_worker_loses_no_share_and_records_none_twice(
    fake, celery_worker_process, task_queue, redis_url
):
    world = World(fake, delay=0.25)
    celery_worker_process.extra_env.update(world.worker_env())
    celery_worker_process.start(concurrency=4)
    world.add_staff(20)
    world.log(world.planned)

    decided_some = wait_for(lambda: pending_count() <= 60, timeout=120)
    assert decided_some, celery_worker_process.output()
    celery_worker_process.kill(signal.SIGKILL)
    assert pending_count() > 0, "the worker finished before it could be killed in the middle"

    replacement = WorkerProcess(
        broker_url=redis_url, queue=task_queue, extra_env=world.worker_env()
    ).start(concurrency=4)
    try:
        # What was still queued is done by the new worker; what the killed one held
        # (acknowledged late, so never lost) waits for the Redis visibility timeout,
        # or, sooner, for the sweep.
        wait_for(stalled(), timeout=120, interval=1)
        verification.sweep_pending(older_than_minutes=0)
        assert wait_for(lambda: pending_count() == 0, timeout=120), replacement.output()
    finally:
        replacement.stop()

    assert_as_planned(world)


def stalled():
    """A condition: true once the number of pending shares stops going down for 2 s."""
    seen: list[int] = []

    def condition() -> bool:
        seen.append(pending_count())
        return seen[-1] == 0 or (len(seen) >= 3 and len(set(seen[-3:])) == 1)

    return condition


# --- Redis stopped while shares are logged ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a spare port; never the shared one."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self.answers, timeout=20), "own redis-server did not start"
        return self

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def queue_declared(self, queue: str):
        """A condition: a consumer has bound ``queue`` (kombu's binding key for it exists)."""
        import redis

        def condition() -> bool:
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
                return bool(client.exists(f"_kombu.binding.{queue}"))
            except redis.RedisError:
                return False

        return condition

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None


@pytest.fixture
def own_redis(require_postgres):
    binary = shutil.which("redis-server")
    if binary is None:
        missing_service("redis-server is not installed (needed to stop and start Redis)")
    server = OwnRedis(binary).start()
    yield server
    server.stop()


@pytest.fixture
def broker_at(own_redis, monkeypatch):
    """This process's Celery app publishes to the test's own Redis (and a queue of its own).

    Celery reads the CELERY_BROKER_URL environment variable before its own
    configuration, so that is what points it elsewhere."""
    old_queue = app.conf.task_default_queue

    def reset_pools():
        # Close and forget every pooled broker connection, as Celery does after a fork.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_URL", own_redis.url)
    app.conf.task_default_queue = "verification-outage"
    reset_pools()
    assert app.connection_for_write().as_uri().endswith(f":{own_redis.port}/0")
    yield own_redis
    monkeypatch.undo()
    reset_pools()
    app.conf.task_default_queue = old_queue


def test_shares_logged_while_redis_is_down_are_verified_after_it_is_back(fake, broker_at):
    world = World(fake)
    worker = WorkerProcess(
        broker_url=broker_at.url, queue="verification-outage", extra_env=world.worker_env()
    ).start(concurrency=4)
    try:
        world.add_staff(2)
        world.log(world.planned)
        assert wait_for(lambda: pending_count() == 0, timeout=90), worker.output()

        broker_at.stop()
        during_outage = world.add_staff(3)
        ids = world.log(during_outage)  # still 201 each: the share is saved, pending
        assert Share.objects.filter(pk__in=ids, status=ShareStatus.PENDING).count() == 12

        broker_at.start()  # same port, empty: every queued message of before is gone
        # The worker reconnects by itself and declares its queue again; then the sweep.
        assert wait_for(broker_at.queue_declared("verification-outage"), timeout=120), (
            worker.output()
        )
        assert verification.sweep_pending(older_than_minutes=0) == 12
        assert wait_for(lambda: pending_count() == 0, timeout=180), worker.output()
    finally:
        worker.stop()

    assert_as_planned(world)
