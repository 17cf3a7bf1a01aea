"""Shared arrangements of the follower growth and compliance report tests."""

from __future__ import annotations

import pytest

from accounts.models import Role
from campaigns.models import OfficialAccount
from tests.factories import UserFactory, make_unit
from tests.fakeplatform import fake_platform

__all__ = ["fake_platform"]


@pytest.fixture
def hr(db):
    return UserFactory(staff_id="hana", role=Role.HR_ADMIN, unit=make_unit("HQ/People"))


@pytest.fixture
def governor(db):
    return OfficialAccount.objects.create(
        platform="x", handle="governor", name="Governor", profile_url="https://x.com/governor"
    )


@pytest.fixture
def channel(db):
    return OfficialAccount.objects.create(
        platform="youtube",
        handle="provincetv",
        name="Province TV",
        profile_url="https://www.youtube.com/@provincetv",
    )
