"""audit.record / audit.record_many: one entry per decision, sealed onto the chain,
written in the caller's transaction."""

from __future__ import annotations

import datetime
import decimal
import math

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

import audit
from audit import chain
from audit.models import AuditEntry, AuditHead
from tests.factories import UserFactory

from .conftest import record_some

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_record_fills_the_entry_from_the_actor_and_object(hana, alice):
    entry = audit.record(
        actor=hana,
        action="staff.imported",
        obj=alice,
        before={"role": "staff"},
        after={"role": "manager"},
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.seq == 1
    assert stored.actor == hana
    assert stored.actor_label == "hana"
    assert stored.action == "staff.imported"
    assert (stored.object_type, stored.object_id) == ("accounts.user", str(alice.pk))
    assert (stored.before, stored.after) == ({"role": "staff"}, {"role": "manager"})
    assert stored.prev_hash == chain.GENESIS_HASH
    assert stored.hash == stored.expected_hash() == entry.hash
    assert len(stored.hash) == 64


def test_entries_chain_onto_each_other_and_the_head_follows(hana):
    first, second, third = record_some(3, actor=hana)

    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (3, third.hash)


def test_a_system_entry_has_no_actor():
    entry = audit.record(
        actor=None, action="year.closed", object_type="scoring.kpiyear", object_id=2025
    )

    assert entry.actor is None
    assert entry.actor_label == ""
    assert entry.object_id == "2025"


def test_record_many_writes_in_one_insert_under_one_lock(hana, django_assert_num_queries):
    audit.record(
        actor=hana, action="campaign.created", object_type="campaigns.campaign", object_id=1
    )

    with django_assert_num_queries(3):  # lock the head, one INSERT, move the head
        entries = audit.record_many(
            [
                {
                    "actor": hana,
                    "action": "review.decided",
                    "object_type": "campaigns.share",
                    "object_id": share_id,
                    "before": {"status": "needs_review"},
                    "after": {"status": "verified"},
                }
                for share_id in (10, 11, 12)
            ]
        )

    assert [e.seq for e in entries] == [2, 3, 4]
    assert [e.object_id for e in entries] == ["10", "11", "12"]
    assert all(e.pk for e in entries)
    assert entries[0].at == entries[2].at  # one decision, one moment
    assert audit.verify_chain().ok


def test_record_many_of_nothing_writes_nothing():
    assert audit.record_many([]) == []
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(audit.AuditOutsideTransaction, match="inside the transaction"):
        audit.record(actor=None, action="policy.changed", object_type="x.y", object_id=1)

    assert not AuditEntry.objects.exists()


def test_a_rolled_back_change_leaves_no_entry():
    with pytest.raises(RuntimeError, match="change failed"), transaction.atomic():
        audit.record(actor=None, action="policy.changed", object_type="x.y", object_id=1)
        raise RuntimeError("change failed")

    assert not AuditEntry.objects.exists()
    entry = audit.record(actor=None, action="policy.changed", object_type="x.y", object_id=1)
    assert entry.seq == 1  # no gap left by the rolled-back one
    assert audit.verify_chain().ok


def test_dates_decimals_and_odd_numbers_are_stored_as_they_were_hashed():
    moment = datetime.datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
    entry = audit.record(
        actor=None,
        action="scheme.edited",
        object_type="scoring.scoringscheme",
        object_id=2025,
        before={
            "starts_on": datetime.date(2025, 1, 1),
            "decided_at": moment,
            "points": decimal.Decimal("1.50"),
            7: "an int key",
            "big": 1e16,
            "minus_zero": -0.0,
            "ratio": 0.1,
            "tiny": 1.5e-7,
            "nested": [{"when": datetime.date(2025, 2, 1)}, 2.0],
            "name": "Siti Nurhaliza 李 Tamil தமிழ்",
        },
        after=["a", 1, None, True],
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (
        stored.before
        == entry.before
        == {
            "starts_on": "2025-01-01",
            "decided_at": "2025-03-01T09:30:00.123Z",
            "points": "1.50",
            "7": "an int key",
            "big": 10**16,
            "minus_zero": 0,
            "ratio": 0.1,
            "tiny": 1.5e-7,
            "nested": [{"when": "2025-02-01"}, 2],
            "name": "Siti Nurhaliza 李 Tamil தமிழ்",
        }
    )
    assert stored.after == ["a", 1, None, True]
    assert stored.hash == stored.expected_hash()


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2025, 3, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime.datetime(2025, 3, 1, 2, 3, 4, 0, tzinfo=UTC),
        datetime.datetime(2025, 12, 31, 16, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_the_time_reads_back_to_the_microsecond(moment):
    with time_machine.travel(moment, tick=False):
        entry = audit.record(actor=None, action="year.closed", object_type="x.y", object_id=1)

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.at == moment
    assert stored.hash == stored.expected_hash()
    assert chain.utc_iso(stored.at) == moment.isoformat(timespec="microseconds")


@pytest.mark.parametrize("action", ["Decided", "review", "review.Decided", "review decided", ""])
def test_an_action_must_be_dotted_lower_case(action):
    with pytest.raises(ValueError, match="dotted lower case"):
        audit.record(actor=None, action=action, object_type="x.y", object_id=1)


def test_the_actor_must_be_a_saved_user_or_none():
    with pytest.raises(ValueError, match="saved user"):
        audit.record(actor=AnonymousUser(), action="review.decided")
    with pytest.raises(ValueError, match="saved user"):
        audit.record(actor=UserFactory.build(), action="review.decided")


def test_the_object_is_a_saved_instance_or_a_type_and_id(hana):
    with pytest.raises(ValueError, match="saved first"):
        audit.record(actor=None, action="staff.imported", obj=UserFactory.build())
    with pytest.raises(TypeError, match="not both"):
        audit.record(actor=None, action="staff.imported", obj=hana, object_type="accounts.user")


@pytest.mark.parametrize("value", [object(), {"x": math.nan}, {"x": math.inf}, {1, 2}])
def test_before_and_after_must_be_json_values(value):
    with pytest.raises(ValueError, match="JSON values"):
        audit.record(actor=None, action="policy.changed", before=value)
    assert not AuditEntry.objects.exists()


def test_record_many_refuses_unknown_keys():
    with pytest.raises(TypeError, match="unknown audit entry keys"):
        audit.record_many([{"actor": None, "action": "policy.changed", "who": "me"}])


def test_an_object_id_longer_than_the_column_is_refused_on_every_database():
    with pytest.raises(ValueError, match="object_id is longer than 64"):
        audit.record(actor=None, action="staff.imported", object_type="x.y", object_id="9" * 65)
