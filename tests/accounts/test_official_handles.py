"""An official account of the organisation is nobody's own account: My accounts (page
and API) and the staff CSV refuse its handle, in any letter case, with a message."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts import imports
from accounts.models import SocialAccount
from campaigns.models import OfficialAccount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def governor():
    return OfficialAccount.objects.create(
        platform="x", handle="Governor", name="Governor", profile_url="https://x.com/Governor"
    )


def test_the_api_refuses_an_official_handle_as_my_account():
    alice = UserFactory(staff_id="alice")
    client = APIClient()
    client.force_authenticate(alice)
    response = client.post("/api/v1/me/accounts/", {"platform": "x", "handle": "@governor"})
    assert response.status_code == 409
    assert "official account of the organisation" in str(response.json())
    assert not SocialAccount.objects.exists()
    # The same handle on another platform is someone's own.
    response = client.post("/api/v1/me/accounts/", {"platform": "tiktok", "handle": "@governor"})
    assert response.status_code == 201


def test_the_staff_csv_names_the_line_of_an_official_handle():
    plan = imports.plan_import(
        content=(
            "staff_id,full_name,email,unit,manager_staff_id,role,active,x\n"
            "S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling\n"
            "S002,Kavitha,kv@example.com,HQ,,staff,yes,https://x.com/GOVERNOR\n"
        )
    )
    assert [(e.line, e.staff_id) for e in plan.errors] == [(3, "S002")]
    assert "official account of the organisation" in plan.errors[0].reason
