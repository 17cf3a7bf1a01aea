"""Helpers for the audit tests: named actors, a few entries, and a way round
the append-only triggers for the tests that play the tamperer."""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import audit
from accounts.models import Role
from audit.models import AuditEntry
from tests.factories import UserFactory

TABLE = AuditEntry._meta.db_table


@pytest.fixture(autouse=True)
def organisation_time_zone(settings):
    """The tests read local times in Kuala Lumpur (UTC+8, no daylight saving)."""
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"


@pytest.fixture
def hana(db):
    """An HR admin."""
    return UserFactory(staff_id="hana", full_name="Hana HR", role=Role.HR_ADMIN)


@pytest.fixture
def bob(db):
    """A manager."""
    return UserFactory(staff_id="bob", full_name="Bob Manager", role=Role.MANAGER)


@pytest.fixture
def alice(db):
    """Staff."""
    return UserFactory(staff_id="alice", full_name="Alice Staff", role=Role.STAFF)


def record_some(count: int, *, actor=None, action: str = "campaign.created") -> list[AuditEntry]:
    """``count`` entries about campaigns 1..count (call inside a transaction)."""
    return [
        audit.record(
            actor=actor,
            action=action,
            object_type="campaigns.campaign",
            object_id=number,
            before=None,
            after={"title": f"Campaign {number}", "status": "draft"},
        )
        for number in range(1, count + 1)
    ]


@contextmanager
def triggers_off():
    """Run the block with the append-only triggers out of the way, as someone
    with direct database access could, and put them back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            saved = cursor.fetchall()
            assert saved, "the append-only triggers are missing"
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            # Not ALTER TABLE ... DISABLE TRIGGER: the test's own inserts leave
            # deferred foreign-key checks pending, and ALTER TABLE refuses then.
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for _name, sql in saved:
                    cursor.execute(sql)
            else:
                cursor.execute("SET session_replication_role = origin")


def tamper(sql: str, params=()) -> None:
    """Run raw SQL against the audit table behind the triggers' back."""
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params)


def run_verify_audit() -> tuple[int, str]:
    """``manage.py verify_audit``: (exit code, what it printed). A CommandError's
    returncode is the process's exit code when run from the command line."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + err.getvalue() + str(exc)
    return 0, out.getvalue() + err.getvalue()
