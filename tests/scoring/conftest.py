"""Actors and helpers for scoring tests.

The org: HQ ⊃ HQ/Comms ⊃ HQ/Comms/Digital, and HQ/Finance.
alice (staff, Digital), ali (staff, Comms), bob (manager, Comms),
charlie (manager, Finance), dana (staff, Finance), hana (HR admin, HQ),
root (superuser). Everyone's password is "pw".
"""

from __future__ import annotations

import datetime
import itertools
import re
import zlib
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from accounts.models import Role
from campaigns.models import Campaign, Share, ShareStatus
from campaigns.services import change_share_status
from tests import factories
from tests.factories import UserFactory

KL = ZoneInfo("Asia/Kuala_Lumpur")
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def organisation_settings(settings):
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 1
    settings.SHAREKPI_ORGANISATION_NAME = "Agensi Contoh Malaysia"


@pytest.fixture
def org(db):
    return {
        "alice": UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms/Digital"),
        "ali": UserFactory(staff_id="ali", full_name="Ali bin Abu", unit="HQ/Comms"),
        "bob": UserFactory(staff_id="bob", full_name="Bob Lim", unit="HQ/Comms", role=Role.MANAGER),
        "charlie": UserFactory(
            staff_id="charlie", full_name="Charlie Wong", unit="HQ/Finance", role=Role.MANAGER
        ),
        "dana": UserFactory(staff_id="dana", full_name="Dana Raj", unit="HQ/Finance"),
        "hana": UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role=Role.HR_ADMIN),
        "root": UserFactory(staff_id="root", full_name="Root Admin", unit="HQ", is_superuser=True),
    }


def local(year, month, day, hour=12, minute=0, zone=KL) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def make_campaign(starts_on, ends_on, title: str | None = None) -> Campaign:
    """An active campaign over these days, with no official posts."""
    n = next(_numbers)
    return factories.make_campaign(
        title or f"Campaign {n}", starts_on=starts_on, ends_on=ends_on, posts=()
    )


def set_status(share: Share, status: str) -> Share:
    """Change a share's status the way campaigns does (row lock, signal)."""
    with transaction.atomic():
        locked = Share.objects.select_for_update().get(pk=share.pk)
        return change_share_status(share=locked, new_status=status)


def make_share(
    staff,
    campaign: Campaign,
    submitted_at: datetime.datetime,
    *,
    platform: str = "facebook",
    status: str = ShareStatus.VERIFIED,
) -> Share:
    """A share logged (pending) and then moved to ``status`` through the service."""
    n = next(_numbers)
    share = factories.make_share(
        staff,
        campaign,
        f"https://www.facebook.com/{staff.staff_id}/posts/{n}",
        normalized_url=f"https://www.{platform}.com/{staff.staff_id}/posts/{n}",
        platform=platform,
        submitted_at=submitted_at,
    )
    if status != ShareStatus.PENDING:
        share = set_status(share, status)
    return share


def pdf_pages(pdf: bytes) -> int:
    """Count the pages of a PDF without a PDF library: page objects may sit in
    compressed object streams, so inflate every stream and count ``/Type /Page``."""
    texts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", text)) for text in texts)
