"""Notification tests: tasks run in the caller (eager), after the test's "commit"
(``django_capture_on_commit_callbacks(execute=True)``); mail lands in ``mailoutbox``."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Role
from campaigns import services as campaign_services
from campaigns.reasons import Coded
from sharekpi.celery import app
from tests.factories import UserFactory, make_campaign, make_share


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    settings.SHAREKPI_BASE_URL = "https://sharekpi.example.gov.my"
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def people(db):
    return {
        "alice": UserFactory(
            staff_id="alice", full_name="Alice Tan", email="alice@example.gov.my", unit="HQ/Comms"
        ),
        "siti": UserFactory(
            staff_id="siti",
            full_name="Siti Aminah",
            email="siti@example.gov.my",
            unit="HQ/Comms",
            language="ms",
        ),
        "budi": UserFactory(
            staff_id="budi",
            full_name="Budi Santoso",
            email="budi@example.gov.my",
            unit="HQ/Finance",
            language="id",
        ),
        "bob": UserFactory(
            staff_id="bob",
            full_name="Bob Lim",
            email="bob@example.gov.my",
            unit="HQ",
            role=Role.MANAGER,
        ),
        "hana": UserFactory(
            staff_id="hana",
            full_name="Hana Aziz",
            email="hana@example.gov.my",
            unit="People",
            role=Role.HR_ADMIN,
        ),
    }


@pytest.fixture
def campaign(db):
    return make_campaign("Road safety week")


@pytest.fixture
def change_status(django_capture_on_commit_callbacks):
    """Change a share's status through campaigns.services, as verification and review
    do, and run what was queued for after the commit."""

    def change(share, status, reason=""):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            campaign_services.change_share_status(share=share, new_status=status, reason=reason)
        share.refresh_from_db()
        return share

    return change


def share_of(person, campaign, number: int = 1, **fields):
    return make_share(
        person, campaign, f"https://www.facebook.com/{person.staff_id}/posts/{number}", **fields
    )


__all__ = ["Coded", "share_of"]
