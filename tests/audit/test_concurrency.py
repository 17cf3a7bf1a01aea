"""Writers in parallel still make one unbroken chain: the head row's lock
serialises appends (PostgreSQL; SQLite serialises writers by itself)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

import audit
from audit.models import AuditEntry

WRITERS = 8
ENTRIES_EACH = 25


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_one_unbroken_chain(require_postgres):
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(writer: int):
        try:
            start.wait(10)
            for number in range(ENTRIES_EACH):
                with transaction.atomic():
                    audit.record(
                        actor=None,
                        action="review.decided",
                        object_type="campaigns.share",
                        object_id=f"{writer}-{number}",
                        after={"status": "verified"},
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    total = WRITERS * ENTRIES_EACH
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert set(AuditEntry.objects.values_list("object_id", flat=True)) == {
        f"{writer}-{number}" for writer in range(WRITERS) for number in range(ENTRIES_EACH)
    }
    report = audit.verify_chain(batch_size=64)
    assert report.ok, report.problem
    assert report.count == total


@pytest.mark.django_db(transaction=True)
def test_verify_audit_reads_an_intact_chain_while_people_write(require_postgres):
    writing = threading.Event()
    writing.set()
    errors: list[BaseException] = []
    reports = []

    def write(writer: int):
        try:
            for number in range(ENTRIES_EACH):
                with transaction.atomic():
                    audit.record_many(
                        [
                            {
                                "actor": None,
                                "action": "review.decided",
                                "object_id": f"{writer}-{n}",
                            }
                            for n in range(number % 3 + 1)
                        ]
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def verify():
        try:
            while writing.is_set():
                reports.append(audit.verify_chain(batch_size=7))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(writer,)) for writer in range(4)]
    verifier = threading.Thread(target=verify)
    verifier.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    writing.clear()
    verifier.join(60)

    assert not errors, errors
    assert reports
    assert [r.problem for r in reports if not r.ok] == []
    assert audit.verify_chain().ok
