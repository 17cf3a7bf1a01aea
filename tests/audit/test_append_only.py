"""Audit entries never change once written: the ORM refuses, and so does the
database (triggers), whatever client asks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

import audit
from audit.models import AuditEntry

from .conftest import TABLE, record_some

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(hana):
    return record_some(3, actor=hana)


def test_saving_a_changed_entry_is_refused(entries):
    entry = AuditEntry.objects.get(seq=2)
    entry.action = "campaign.deleted"

    with pytest.raises(audit.AppendOnlyError, match="append-only"):
        entry.save()
    assert AuditEntry.objects.get(seq=2).action == "campaign.created"


def test_deleting_an_entry_is_refused(entries):
    with pytest.raises(audit.AppendOnlyError, match="append-only"):
        AuditEntry.objects.get(seq=2).delete()
    assert AuditEntry.objects.count() == 3


def test_queryset_update_and_delete_are_refused(entries):
    with pytest.raises(audit.AppendOnlyError, match=r"update\(\)"):
        AuditEntry.objects.filter(seq=1).update(action="campaign.deleted")
    with pytest.raises(audit.AppendOnlyError, match=r"update\(\)"):
        AuditEntry.objects.update(action="campaign.deleted")
    with pytest.raises(audit.AppendOnlyError, match=r"delete\(\)"):
        AuditEntry.objects.all().delete()
    entry = AuditEntry.objects.get(seq=1)
    entry.action = "campaign.deleted"
    with pytest.raises(audit.AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])

    assert AuditEntry.objects.filter(action="campaign.created").count() == 3
    assert audit.verify_chain().ok


def test_a_user_who_appears_in_the_log_cannot_be_deleted(entries, hana):
    """The entry names its actor in its hash: unlinking them would break the chain."""
    with pytest.raises(ProtectedError), transaction.atomic():
        hana.delete()

    assert AuditEntry.objects.filter(actor=hana).count() == 3
    assert audit.verify_chain().ok


def test_a_user_who_is_not_in_the_log_can_still_be_deleted(entries, alice):
    alice.delete()

    assert AuditEntry.objects.count() == 3
    assert audit.verify_chain().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET action = 'campaign.deleted' WHERE seq = 2",
        "UPDATE {table} SET actor_id = NULL",
        "DELETE FROM {table} WHERE seq = 3",
        "DELETE FROM {table}",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(entries, sql):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql.format(table=TABLE))

    assert AuditEntry.objects.filter(action="campaign.created").count() == 3
    assert audit.verify_chain().ok
