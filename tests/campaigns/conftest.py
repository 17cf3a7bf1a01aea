"""Fixtures for campaign tests.

``fake_platform``: a local server playing the social platforms (see
tests/fakeplatform.py); ``fake_platform.serve("www.tiktok.com")`` points
verification.fetch at it for that host.

``org``: alice (staff, HQ/Comms), bob (manager of HQ), charlie (staff,
HQ/Finance) and hana (HR admin in People, outside HQ), by name. A module
with other people defines its own ``org`` (test_pages_campaigns does).

``campaign``: an open campaign for everyone with one official Facebook post
(tests.factories.make_campaign's defaults).

``status_changes``: the (share pk, old status, new status) of every
share_status_changed signal sent during the test.
"""

import pytest

from accounts.models import Role
from campaigns.signals import share_status_changed
from tests.factories import UserFactory, make_campaign
from tests.fakeplatform import fake_platform

__all__ = ["fake_platform"]


@pytest.fixture
def org():
    return {
        "alice": UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms"),
        "bob": UserFactory(staff_id="bob", full_name="Bob Lim", unit="HQ", role=Role.MANAGER),
        "charlie": UserFactory(staff_id="charlie", full_name="Charlie Ng", unit="HQ/Finance"),
        "hana": UserFactory(
            staff_id="hana", full_name="Hana Aziz", unit="People", role=Role.HR_ADMIN
        ),
    }


@pytest.fixture
def campaign():
    return make_campaign()


@pytest.fixture
def status_changes():
    seen = []

    def receiver(sender, share, old_status, new_status, **kwargs):
        seen.append((share.pk, old_status, new_status))

    share_status_changed.connect(receiver, weak=False)
    yield seen
    share_status_changed.disconnect(receiver)
