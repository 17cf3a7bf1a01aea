"""The Django admin shows presence's records to HR, read-only (changes go through the
audited pages)."""

import pytest

from accounts.models import Role
from presence.models import FollowConfirmation, RequiredPlatforms, SpotCheck
from tests.factories import UserFactory, make_unit

from .helpers import official

pytestmark = pytest.mark.django_db


def test_hr_sees_the_lists_and_cannot_add(client):
    person = UserFactory(unit=make_unit("HQ"))
    governor = official("governor")
    confirmation = FollowConfirmation.objects.create(user=person, official_account=governor)
    SpotCheck.objects.create(
        kind="follow",
        month="2026-03-01",
        confirmation=confirmation,
        user=person,
        official_account=governor,
    )
    RequiredPlatforms.objects.create(unit=person.unit, platforms=["x"])
    client.force_login(UserFactory(role=Role.HR_ADMIN))
    for model in ("requiredplatforms", "followrequirement", "followconfirmation", "spotcheck"):
        assert client.get(f"/admin/presence/{model}/").status_code == 200, model
        assert client.get(f"/admin/presence/{model}/add/").status_code == 403, model
