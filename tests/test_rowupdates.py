"""sharekpi.rowupdates.update_rows: each object's values written to its own row, in one
statement, and nothing else touched (on PostgreSQL its own SQL, elsewhere bulk_update)."""

from __future__ import annotations

import datetime

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.models import Share, ShareStatus
from sharekpi.rowupdates import update_rows
from tests.factories import StaffFactory, make_campaign, make_share

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


@pytest.fixture
def shares():
    alice, bob = StaffFactory(full_name="Alice"), StaffFactory(full_name="Bob")
    campaign = make_campaign()
    return [
        make_share(alice, campaign, "https://x.com/alice/status/1"),
        make_share(bob, campaign, "https://x.com/bob/status/2"),
        make_share(alice, campaign, "https://www.tiktok.com/@alice/video/3"),
    ]


def test_each_row_gets_its_own_values_in_one_statement(shares):
    first, second, untouched = shares
    first.status, first.status_params, first.verified_at = ShareStatus.VERIFIED, {"n": 1}, WHEN
    first.status_reason = 'it\'s fine; 100% "quoted"'
    second.status, second.status_params, second.verified_at = ShareStatus.REJECTED, {}, None
    second.status_reason = ""
    with CaptureQueriesContext(connection) as queries:
        updated = update_rows(
            Share, [first, second], ["status", "status_reason", "status_params", "verified_at"]
        )
    assert updated == 2
    assert len(queries) == 1
    rows = {
        row["pk"]: row
        for row in Share.objects.values(
            "pk", "status", "status_reason", "status_params", "verified_at"
        )
    }
    assert rows[first.pk] == {
        "pk": first.pk,
        "status": "verified",
        "status_reason": 'it\'s fine; 100% "quoted"',
        "status_params": {"n": 1},
        "verified_at": WHEN,
    }
    assert rows[second.pk] == {
        "pk": second.pk,
        "status": "rejected",
        "status_reason": "",
        "status_params": {},
        "verified_at": None,
    }
    assert rows[untouched.pk]["status"] == "pending"


def test_nothing_to_write_is_no_statement(shares):
    with CaptureQueriesContext(connection) as queries:
        assert update_rows(Share, [], ["status"]) == 0
    assert len(queries) == 0


def test_a_value_too_long_for_its_column_is_refused_not_cut(shares):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce a column's length")
    shares[0].status_code = "x" * 41  # max_length=40
    with pytest.raises(DataError), transaction.atomic():
        update_rows(Share, [shares[0]], ["status_code"])
    shares[0].refresh_from_db()
    assert shares[0].status_code == ""
