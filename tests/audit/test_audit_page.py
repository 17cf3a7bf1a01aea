"""/audit/: HR admins read the log, filter it and download it as CSV, and see
the head hash to note outside the system. Nobody else gets in."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

import audit
from audit import selectors
from audit.models import AuditEntry

from .conftest import record_some

pytestmark = pytest.mark.django_db
KL = ZoneInfo("Asia/Kuala_Lumpur")


@pytest.fixture
def log(hana, bob, alice):
    record_some(2, actor=hana)
    audit.record(
        actor=bob,
        action="review.decided",
        obj=alice,
        before={"status": "needs_review"},
        after={"status": "verified"},
    )
    audit.record(actor=None, action="year.closed", object_type="scoring.kpiyear", object_id=2025)
    return {e.seq: e for e in AuditEntry.objects.all()}


def shown_seqs(response) -> set[int]:
    return {entry.seq for entry, _changes in response.context["rows"]}


def test_hr_sees_the_entries_and_the_head(client, hana, log):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_log"))

    assert response.status_code == 200
    page = response.content.decode()
    assert log[4].hash in page
    assert 'id="audit-count">4<' in page
    assert "outside ShareKPI" in page
    assert shown_seqs(response) == {1, 2, 3, 4}
    assert "review.decided" in page
    assert "accounts.user #" in page
    assert "status: <code>needs_review</code> → <code>verified</code>" in page
    assert log[3].hash[:12] in page
    assert reverse("audit:audit_csv") in page


def test_the_audit_page_is_in_hr_navigation(client, hana, bob):
    client.force_login(hana)
    assert reverse("audit:audit_log") in client.get(reverse("home")).content.decode()
    client.force_login(bob)
    assert reverse("audit:audit_log") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "review.decided"}, {3}),
        ({"action": "campaign.created"}, {1, 2}),
        ({"actor": "HANA"}, {1, 2}),
        ({"object_type": "scoring.kpiyear"}, {4}),
        ({"object_type": "campaigns.campaign", "object_id": "2"}, {2}),
    ],
)
def test_the_filters_narrow_the_list(client, hana, log, query, expected):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_log"), query)

    assert response.status_code == 200
    assert shown_seqs(response) == expected


def test_the_actor_filter_takes_a_user_id_too(client, hana, bob, log):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_log"), {"actor": str(bob.pk)})

    assert shown_seqs(response) == {3}


def test_the_action_filter_offers_the_actions_present(client, hana, log):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_log"))

    choices = [value for value, _label in response.context["form"].fields["action"].choices]
    assert choices == ["", "campaign.created", "review.decided", "year.closed"]


def test_a_bad_filter_shows_the_error_and_no_entries(client, hana, log):
    client.force_login(hana)

    response = client.get(
        reverse("audit:audit_log"), {"since": "2025-03-10", "until": "2025-03-01"}
    )

    assert response.status_code == 200
    assert shown_seqs(response) == set()
    assert "must be on or after" in response.content.decode()


def test_since_and_until_are_local_dates(hana):
    late_on_the_first = datetime.datetime(2025, 3, 1, 23, 30, tzinfo=KL)  # 15:30 UTC
    early_on_the_second = datetime.datetime(2025, 3, 2, 0, 30, tzinfo=KL)  # 16:30 UTC on the 1st
    for moment in (late_on_the_first, early_on_the_second):
        with time_machine.travel(moment, tick=False):
            audit.record(actor=hana, action="policy.changed")

    first = datetime.date(2025, 3, 1)
    second = datetime.date(2025, 3, 2)
    assert [e.seq for e in selectors.entries({"since": first, "until": first})] == [1]
    assert [e.seq for e in selectors.entries({"since": second})] == [2]
    assert [e.seq for e in selectors.entries({"until": second})] == [2, 1]


def test_the_page_shows_the_time_in_the_organisation_time_zone(client, hana):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 23, 30, tzinfo=KL), tick=False):
        audit.record(actor=hana, action="policy.changed")
    client.force_login(hana)

    page = client.get(reverse("audit:audit_log")).content.decode()

    assert "1 Mar 2025, 23:30:00" in page


def test_the_list_is_paginated(client, hana):
    record_some(55, actor=hana)
    client.force_login(hana)

    first = client.get(reverse("audit:audit_log"), {"action": "campaign.created"})
    second = client.get(reverse("audit:audit_log"), {"action": "campaign.created", "page": 2})

    assert shown_seqs(first) == set(range(6, 56))
    assert shown_seqs(second) == set(range(1, 6))
    assert "action=campaign.created&amp;page=2" in first.content.decode()


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_csv_streams_the_filtered_entries(client, hana, alice, log):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_csv"), {"action": "review.decided"})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == [
        "id",
        "seq",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "hash",
    ]
    assert rows == [
        [
            str(log[3].pk),
            "3",
            log[3].at.astimezone(KL).isoformat(timespec="microseconds"),
            "bob",
            "review.decided",
            "accounts.user",
            str(alice.pk),
            '{"status": "needs_review"}',
            '{"status": "verified"}',
            log[3].hash,
        ]
    ]


def test_the_csv_of_everything_is_in_log_order(client, hana, log):
    client.force_login(hana)

    _header, *rows = read_csv(client.get(reverse("audit:audit_csv")))

    assert [row[1] for row in rows] == ["1", "2", "3", "4"]
    assert rows[3][3] == ""  # the system


def test_a_bad_csv_filter_is_a_400(client, hana):
    client.force_login(hana)

    response = client.get(reverse("audit:audit_csv"), {"since": "notadate"})

    assert response.status_code == 400
    assert "since" in response.content.decode()


@pytest.mark.parametrize("name", ["audit:audit_log", "audit:audit_csv"])
def test_staff_and_managers_are_refused(client, alice, bob, log, name):
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["audit:audit_log", "audit:audit_csv"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_superuser_counts_as_hr(client, log):
    from tests.factories import UserFactory

    root = UserFactory(staff_id="root", is_superuser=True)
    client.force_login(root)

    assert client.get(reverse("audit:audit_log")).status_code == 200
