"""Many identical share submissions at the same moment, on PostgreSQL: exactly one
is logged, every other one gets the 409 a duplicate gets, and one row is written.

Each thread is a separate API request with its own database connection, as
under gunicorn; the unique index on ``normalized_url`` settles the race.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 8
POST_URL = "https://x.com/alice_tan/status/1800000000000000001"


@pytest.fixture
def memory_broker():
    """Queue the verification tasks in memory: the point here is the database race,
    and nothing should be left in a real queue for a worker to pick up later."""
    from sharekpi.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    old_url = app.conf.broker_url
    app.conf.broker_url = "memory://"
    reset_pools()
    yield
    app.conf.broker_url = old_url
    reset_pools()


@pytest.fixture
def campaign(require_postgres, memory_broker) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Budget day",
        status=CampaignStatus.ACTIVE,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=30),
    )
    CampaignPost.objects.create(
        campaign=campaign,
        url="https://x.com/govmy/status/1",
        normalized_url="https://x.com/govmy/status/1",
        platform="x",
    )
    return campaign


def submit_all_at_once(people: list[User], campaign: Campaign, urls: list[str]) -> list:
    """POST shares/ from one thread per person, released together; the responses."""
    start = threading.Barrier(len(people))
    responses: list = [None] * len(people)

    def submit(index: int) -> None:
        try:
            client = APIClient()
            client.force_authenticate(people[index])
            start.wait(timeout=30)
            responses[index] = client.post(
                "/api/v1/shares/", {"campaign": campaign.pk, "url": urls[index]}, format="json"
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not t.is_alive() for t in threads), "a submission hung"
    return responses


def test_one_person_submitting_the_same_post_many_times_at_once(campaign):
    alice = UserFactory(staff_id="alice", unit="HQ/Comms")
    # The same post, pasted with and without tracking parameters.
    urls = [POST_URL if n % 2 else f"{POST_URL}?s=20&t=n{n}" for n in range(THREADS)]

    responses = submit_all_at_once([alice] * THREADS, campaign, urls)

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (THREADS - 1), [r.json() for r in responses]
    share = Share.objects.get()
    assert share.staff == alice
    for response in responses:
        if response.status_code == 409:
            assert response.json()["existing_share"] == share.pk


def test_many_people_claiming_the_same_post_at_once(campaign):
    people = [UserFactory(unit="HQ/Comms") for _ in range(THREADS)]

    responses = submit_all_at_once(people, campaign, [POST_URL] * THREADS)

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (THREADS - 1), [r.json() for r in responses]
    share = Share.objects.get()
    winner = people[[r.status_code for r in responses].index(201)]
    assert share.staff == winner
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "detail": "This post has already been claimed by another member of staff.",
                "existing_share": None,
            }


def test_replacing_one_rejected_share_with_different_links_at_once(campaign):
    """Replace under a race: one person sends several new links for the campaign and
    platform of their rejected share at the same moment. Exactly one replaces it; the
    others get the 409 of "already logged a share of this campaign"; the old share is
    replaced once, linked to the one new share."""
    alice = UserFactory(staff_id="alice", unit="HQ/Comms")
    old = Share.objects.create(
        staff=alice,
        campaign=campaign,
        url=POST_URL,
        normalized_url=POST_URL,
        platform="x",
        post_id="1800000000000000001",
        author_handle="alice_tan",
        status="rejected",
    )
    urls = [f"https://x.com/alice_tan/status/18000000000000001{n:02d}" for n in range(THREADS)]

    responses = submit_all_at_once([alice] * THREADS, campaign, urls)

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (THREADS - 1), [r.json() for r in responses]
    new = Share.objects.exclude(pk=old.pk).get()
    assert new.status == "pending"
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id) == ("replaced", new.pk)
    assert Share.objects.count() == 2
