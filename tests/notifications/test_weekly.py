"""The weekly digest (open campaigns a person has not shared yet) and the managers'
team summary: sent by batches of people, once a week whatever the re-runs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from campaigns.models import CampaignStatus, ShareStatus
from notifications import digests, tasks
from notifications.models import NotificationKind, NotificationOptOut, NotificationSent
from tests.factories import UserFactory, days_from_today, make_campaign
from tests.notifications.conftest import share_of

pytestmark = pytest.mark.django_db


KINDS = {"to share": "weekly_digest", "Your team": "team_summary"}


def by_kind(mailoutbox, kind_words: str) -> dict[str, object]:
    """The mails of one kind by recipient, told by their header (subjects are in each
    person's language)."""
    kind = KINDS[kind_words]
    return {
        m.to[0].split("@")[0]: m
        for m in mailoutbox
        if m.extra_headers.get("X-ShareKPI-Notification") == kind
    }


def test_staff_get_the_campaigns_they_have_not_shared(people, campaign, mailoutbox):
    comms_only = make_campaign("Comms week", units=("HQ/Comms",))
    make_campaign("Closed one", starts_on=days_from_today(-40), ends_on=days_from_today(-10))
    make_campaign("Draft", status=CampaignStatus.DRAFT)
    share_of(people["alice"], campaign, status=ShareStatus.VERIFIED)
    tasks.send_weekly_digests.delay()
    digest = by_kind(mailoutbox, "to share")
    # alice shared the campaign for everyone: only Comms week is left for her.
    assert "Comms week" in digest["alice"].body
    assert "Road safety week" not in digest["alice"].body
    assert f"/shares/new/?campaign={comms_only.pk}" in digest["alice"].body
    # budi (Finance) is not in Comms week's audience.
    assert "Road safety week" in digest["budi"].body
    assert "Comms week" not in digest["budi"].body
    assert "Closed one" not in digest["budi"].body and "Draft" not in digest["budi"].body
    assert digest["budi"].extra_headers["Content-Language"] == "id"
    assert digest["siti"].extra_headers["Content-Language"] == "ms"


def test_nothing_left_to_share_means_no_digest(people, campaign, mailoutbox):
    for number, person in enumerate(people.values(), start=1):
        share_of(person, campaign, number)
    tasks.send_weekly_digests.delay()
    assert by_kind(mailoutbox, "to share") == {}


def test_no_open_campaign_means_no_digest(people, mailoutbox):
    tasks.send_weekly_digests.delay()
    assert by_kind(mailoutbox, "to share") == {}


def test_turned_off_means_no_digest(people, campaign, mailoutbox):
    NotificationOptOut.objects.create(user=people["alice"], kind=NotificationKind.WEEKLY_DIGEST)
    tasks.send_weekly_digests.delay()
    digest = by_kind(mailoutbox, "to share")
    assert "alice" not in digest and "siti" in digest


def test_re_running_the_week_sends_nothing_twice(people, campaign, mailoutbox):
    tasks.send_weekly_digests.delay()
    first = len(mailoutbox)
    assert first > 0
    tasks.send_weekly_digests.delay()
    tasks.send_weekly_digests.delay(digests.week_key())
    assert len(mailoutbox) == first
    week = digests.week_key()
    assert (
        NotificationSent.objects.filter(
            user=people["alice"], kind=NotificationKind.WEEKLY_DIGEST, key=week
        ).count()
        == 1
    )


def test_a_batch_costs_the_same_queries_for_few_or_many_people(
    people, campaign, settings, mailoutbox
):
    week = digests.week_key()
    small = _queries(lambda: digests.send_digest_batch(week="W-small", first_pk=0, end_pk=10**9))
    UserFactory.create_batch(40, unit="HQ/Comms")
    large = _queries(lambda: digests.send_digest_batch(week=week, first_pk=0, end_pk=10**9))
    assert large == small
    assert len(mailoutbox) > 40


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_the_beat_task_queues_batches_by_id_range(people, campaign, settings, mailoutbox):
    settings.SHAREKPI_DIGEST_BATCH_SIZE = 2
    assert tasks.send_weekly_digests.delay().get() >= 3
    assert len(by_kind(mailoutbox, "to share")) == len(people)


def test_managers_get_their_team_summary(people, campaign, mailoutbox):
    share_of(people["alice"], campaign, submitted_at=timezone.now())
    UserFactory(staff_id="olga", full_name="Olga Elsewhere", unit="People")
    tasks.send_weekly_digests.delay()
    summary = by_kind(mailoutbox, "Your team")
    assert set(summary) == {"bob"}
    body = summary["bob"].body
    # Team: alice, siti, budi (HQ and below, the manager left out); alice shared.
    assert "1 of 3" in summary["bob"].subject
    assert "Siti Aminah" in body and "Budi Santoso" in body
    assert "Alice Tan" not in body and "Olga" not in body
    assert f"/reports/kpi/?unit={people['bob'].unit_id}" in body


def test_team_summary_can_be_turned_off(people, campaign, mailoutbox):
    NotificationOptOut.objects.create(user=people["bob"], kind=NotificationKind.TEAM_SUMMARY)
    tasks.send_weekly_digests.delay()
    assert by_kind(mailoutbox, "Your team") == {}
    assert "bob" in by_kind(mailoutbox, "to share")  # his own digest is another kind


def test_a_manager_with_nobody_below_gets_no_summary(db, campaign, mailoutbox):
    UserFactory(staff_id="lone", email="lone@example.gov.my", unit="Lone", role=Role.MANAGER)
    tasks.send_weekly_digests.delay()
    assert by_kind(mailoutbox, "Your team") == {}
