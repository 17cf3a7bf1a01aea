"""manage.py verify_audit: exit 0 with the count and head hash when the chain is
intact; otherwise name the first entry that was edited, deleted or inserted out
of order, and exit 1."""

from __future__ import annotations

import json

import pytest
from django.db import connection

import audit
from audit import chain
from audit.models import AuditEntry, AuditHead

from .conftest import record_some, run_verify_audit, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(hana, alice):
    """Five entries by a person, the system and a bulk decision."""
    record_some(2, actor=hana)
    audit.record(actor=None, action="year.closed", object_type="scoring.kpiyear", object_id=2025)
    audit.record_many(
        [
            {
                "actor": hana,
                "action": "review.decided",
                "obj": alice,
                "before": {"status": "needs_review"},
                "after": {"status": "verified", "reason": "seen the post"},
            }
            for _ in range(2)
        ]
    )
    return {e.seq: e for e in AuditEntry.objects.all()}


def test_an_intact_chain_prints_the_count_and_head_and_exits_0(log):
    code, printed = run_verify_audit()

    assert code == 0
    assert "entries: 5" in printed
    assert f"head: {log[5].hash}" in printed
    assert "intact" in printed


def test_an_empty_log_is_intact():
    code, printed = run_verify_audit()

    assert code == 0
    assert "entries: 0" in printed
    assert f"head: {chain.GENESIS_HASH}" in printed


def test_verify_reads_in_batches(log):
    report = audit.verify_chain(batch_size=2)

    assert report.ok
    assert (report.count, report.head_hash) == (5, log[5].hash)


def test_an_edited_action_is_named(log):
    tamper("UPDATE {table} SET action = 'review.reverted' WHERE seq = 3")

    code, printed = run_verify_audit()

    assert code == 1
    assert f"entry #3 (id {log[3].pk}) was edited: its hash does not match its content" in printed


def test_an_edited_before_or_after_is_named(log):
    edited = json.dumps({"status": "rejected", "reason": "seen the post"})
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    tamper("UPDATE {table} SET after = " + cast + " WHERE seq = 4", [edited])

    report = audit.verify_chain()

    assert not report.ok
    assert report.problem == (
        f"entry #4 (id {log[4].pk}) was edited: its hash does not match its content"
    )
    assert (report.seq, report.entry_id) == (4, log[4].pk)
    assert run_verify_audit()[0] == 1


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(log):
    entry = log[2]
    entry.object_id = "999"
    forged = entry.expected_hash()
    tamper(
        "UPDATE {table} SET object_id = '999', hash = %s WHERE seq = 2",
        [forged],
    )

    report = audit.verify_chain()

    assert report.problem == f"entry #3 (id {log[3].pk}) does not follow #2: inserted out of order"


def test_the_last_entry_edited_and_rehashed_disagrees_with_the_head(log):
    entry = log[5]
    entry.actor_label = "someone-else"
    tamper(
        "UPDATE {table} SET actor_label = 'someone-else', hash = %s WHERE seq = 5",
        [entry.expected_hash()],
    )

    report = audit.verify_chain()

    assert report.problem == (
        f"entry #5 (id {log[5].pk}) was edited: its hash does not match the head"
    )


def test_a_deleted_entry_is_named(log):
    tamper("DELETE FROM {table} WHERE seq = 3")

    code, printed = run_verify_audit()

    assert code == 1
    assert "entry #3 is missing: deleted" in printed


def test_a_deleted_last_entry_is_named(log):
    tamper("DELETE FROM {table} WHERE seq = 5")

    code, printed = run_verify_audit()

    assert code == 1
    assert "entry #5 is missing: deleted" in printed


def test_a_deleted_first_entry_is_named(log):
    tamper("DELETE FROM {table} WHERE seq = 1")

    assert audit.verify_chain().problem == "entry #1 is missing: deleted"


def test_two_swapped_entries_are_named(log):
    tamper("UPDATE {table} SET seq = 1000 WHERE seq = 3")
    tamper("UPDATE {table} SET seq = 3 WHERE seq = 4")
    tamper("UPDATE {table} SET seq = 4 WHERE seq = 1000")

    code, printed = run_verify_audit()

    assert code == 1
    assert f"entry #3 (id {log[4].pk}) does not follow #2: inserted out of order" in printed


def forge(*, seq: int, prev_hash: str, action: str = "review.decided") -> AuditEntry:
    """An entry written straight into the table, self-consistent, as a forger would."""
    entry = AuditEntry(
        seq=seq,
        at=AuditEntry.objects.get(seq=1).at,
        actor_label="hana",
        action=action,
        object_type="campaigns.share",
        object_id="77",
        after={"status": "verified"},
        prev_hash=prev_hash,
    )
    entry.hash = entry.expected_hash()
    entry.save()
    return entry


def test_an_entry_inserted_with_a_forged_seq_is_named(log):
    forged = forge(seq=6, prev_hash=log[2].hash)

    code, printed = run_verify_audit()

    assert code == 1
    assert f"entry #6 (id {forged.pk}) does not follow #5: inserted out of order" in printed


def test_an_entry_appended_behind_the_logs_back_is_named(log):
    forged = forge(seq=6, prev_hash=log[5].hash)

    report = audit.verify_chain()

    assert report.problem == (
        f"entry #6 (id {forged.pk}) does not follow the head #5: inserted out of order"
    )


def test_an_entry_slipped_in_before_the_first_is_named(log):
    forged = forge(seq=0, prev_hash=chain.GENESIS_HASH)

    report = audit.verify_chain()

    assert report.problem.startswith(f"entry #0 (id {forged.pk}) has no place in the log")
    assert report.problem.endswith("inserted out of order")


def test_a_missing_head_row_is_reported_and_stops_new_entries(log):
    AuditHead.objects.filter(pk=1).delete()

    assert audit.verify_chain().problem == "the audit head row is missing: deleted"
    with pytest.raises(audit.AuditError, match="head row is missing"):
        audit.record(actor=None, action="policy.changed")
