"""GET /api/v1/audit/ for HR admins: paginated entries, the same filters as the page."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

import audit
from audit.models import AuditEntry

from .conftest import record_some

pytestmark = pytest.mark.django_db
URL = "/api/v1/audit/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def log(hana, bob, alice):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        record_some(2, actor=hana)
    with time_machine.travel(datetime.datetime(2025, 4, 1, 9, 0, tzinfo=datetime.UTC)):
        audit.record(
            actor=bob,
            action="review.decided",
            obj=alice,
            before={"status": "needs_review"},
            after={"status": "verified"},
        )
    return {e.seq: e for e in AuditEntry.objects.all()}


def test_the_url_name_is_stable():
    assert reverse("api:audit-list") == URL


def test_hr_gets_the_entries_newest_first(api, hana, alice, log):
    api.force_authenticate(hana)

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    newest = body["results"][0]
    assert newest == {
        "id": log[3].pk,
        "at": newest["at"],
        "actor": "bob",
        "action": "review.decided",
        "object_type": "accounts.user",
        "object_id": str(alice.pk),
        "before": {"status": "needs_review"},
        "after": {"status": "verified"},
        "hash": log[3].hash,
    }
    assert newest["at"].startswith("2025-04-01T17:00:00")  # organisation time, with its offset
    assert [item["id"] for item in body["results"]] == [log[3].pk, log[2].pk, log[1].pk]


@pytest.mark.parametrize(
    ("query", "expected_seqs"),
    [
        ({"action": "campaign.created"}, [2, 1]),
        ({"actor": "bob"}, [3]),
        ({"object_type": "campaigns.campaign", "object_id": "1"}, [1]),
        ({"since": "2025-03-02"}, [3]),
        ({"until": "2025-03-01"}, [2, 1]),
        ({"since": "2025-03-01", "until": "2025-04-01"}, [3, 2, 1]),
        ({"action": "nothing.happened"}, []),
        ({"action": "", "actor": "", "since": "", "until": ""}, [3, 2, 1]),  # blank = no filter
    ],
)
def test_the_filters(api, hana, log, query, expected_seqs):
    api.force_authenticate(hana)

    response = api.get(URL, query)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [
        log[seq].pk for seq in expected_seqs
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "notadate"}, "since"),
        ({"until": "2025-13-01"}, "until"),
        ({"since": "2025-04-02", "until": "2025-04-01"}, "until"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(api, hana, query, field):
    api.force_authenticate(hana)

    response = api.get(URL, query)

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field]


def test_the_list_is_paginated(api, hana):
    record_some(55, actor=hana)
    api.force_authenticate(hana)

    first = api.get(URL).json()
    second = api.get(URL, {"page": 2}).json()

    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert first["next"]
    assert len(second["results"]) == 5


def test_staff_and_managers_get_403(api, alice, bob, log):
    for person in (alice, bob):
        api.force_authenticate(person)
        assert api.get(URL).status_code == 403


def test_anonymous_callers_get_401(api, log):
    response = api.get(URL)

    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_the_schema_describes_the_endpoint(api):
    response = api.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    listing = response.json()["paths"]["/api/v1/audit/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "action",
        "actor",
        "object_type",
        "object_id",
        "since",
        "until",
        "page",
    }
    assert {"200", "400", "403"} <= set(listing["responses"])
    entry = response.json()["components"]["schemas"]["AuditEntry"]["properties"]
    assert set(entry) == {
        "id",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "hash",
    }
