"""Replacing a rejected or removed share: logging another URL for the same campaign and
platform marks the earlier share ``replaced`` (``replaced_by`` the new one) and logs the
new one pending; refused while the earlier one is pending, in review or verified.

``org`` (tests/campaigns/conftest.py): alice (staff), hana (HR admin).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from audit.models import AuditEntry
from campaigns import services
from campaigns.kpi_year import kpi_year_of
from campaigns.models import Share, ShareStatus
from scoring import services as scoring_services
from scoring.models import KpiScore
from tests.factories import UserFactory, make_campaign, make_share

pytestmark = pytest.mark.django_db

FIRST = "https://www.facebook.com/alice.tan/posts/2001"
SECOND = "https://www.facebook.com/alice.tan/posts/2002"
THIRD = "https://www.facebook.com/alice.tan/posts/2003"
X_POST = "https://x.com/alice_tan/status/1800000000000000009"


@pytest.fixture
def campaign():
    return make_campaign(
        posts=("https://www.facebook.com/govmy/posts/1001", "https://x.com/govmy/status/1001")
    )


def submit(user, campaign, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/shares/", {"campaign": campaign.pk, "url": url}, format="json")


def set_status(share, status):
    with transaction.atomic():
        locked = Share.objects.select_for_update().get(pk=share.pk)
        return services.change_share_status(share=locked, new_status=status)


@pytest.mark.parametrize("status", [ShareStatus.REJECTED, ShareStatus.REMOVED])
def test_another_url_replaces_a_rejected_or_removed_share(org, campaign, status):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=status, status_reason="not found")

    response = submit(alice, campaign, SECOND)

    assert response.status_code == 201, response.json()
    new = Share.objects.get(pk=response.json()["id"])
    assert new.status == ShareStatus.PENDING and new.url == SECOND
    old.refresh_from_db()
    assert old.status == ShareStatus.REPLACED
    assert old.replaced_by == new
    assert old.status_reason == "not found"
    entry = AuditEntry.objects.get(action="share.replaced")
    assert entry.actor == alice and str(entry.object_id) == str(old.pk)
    assert entry.before["status"] == status
    assert entry.after == {
        "status": ShareStatus.REPLACED,
        "replaced_by": new.pk,
        "url": SECOND,
    }


def test_replace_through_the_service(org, campaign):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=ShareStatus.REJECTED)
    new = services.submit_share(staff=alice, campaign=campaign, url=SECOND)
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id, new.status) == (
        ShareStatus.REPLACED,
        new.pk,
        ShareStatus.PENDING,
    )


def test_a_replacement_can_itself_be_replaced(org, campaign):
    alice = org["alice"]
    first = make_share(alice, campaign, FIRST, status=ShareStatus.REJECTED)
    second = Share.objects.get(pk=submit(alice, campaign, SECOND).json()["id"])
    set_status(second, ShareStatus.REJECTED)

    response = submit(alice, campaign, THIRD)

    assert response.status_code == 201, response.json()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.replaced_by == second and second.replaced_by_id == response.json()["id"]
    assert second.status == ShareStatus.REPLACED
    assert AuditEntry.objects.filter(action="share.replaced").count() == 2


@pytest.mark.parametrize(
    "status", [ShareStatus.PENDING, ShareStatus.NEEDS_REVIEW, ShareStatus.VERIFIED]
)
def test_replacing_a_live_share_is_refused(org, campaign, status):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=status)

    response = submit(alice, campaign, SECOND)

    assert response.status_code == 409
    assert "already logged a Facebook share" in response.json()["detail"]
    assert response.json()["existing_share"] == old.pk
    old.refresh_from_db()
    assert old.status == status and old.replaced_by is None
    assert Share.objects.filter(staff=alice).count() == 1
    assert not AuditEntry.objects.filter(action="share.replaced").exists()


@pytest.mark.parametrize(
    "status", [ShareStatus.PENDING, ShareStatus.NEEDS_REVIEW, ShareStatus.VERIFIED]
)
def test_service_refuses_replacing_a_live_share(org, campaign, status):
    alice = org["alice"]
    make_share(alice, campaign, FIRST, status=status)
    with pytest.raises(services.DuplicateShare):
        services.submit_share(staff=alice, campaign=campaign, url=SECOND)
    assert Share.objects.filter(staff=alice).count() == 1


@pytest.mark.parametrize("status", [ShareStatus.REJECTED, ShareStatus.REMOVED])
def test_relogging_the_same_url_is_refused_and_points_to_appeal(org, campaign, status):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=status)

    response = submit(alice, campaign, FIRST + "?ref=share")

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "appeal" in detail
    assert status in detail  # "it was rejected" / "it was removed"
    assert response.json()["existing_share"] == old.pk
    old.refresh_from_db()
    assert old.status == status and old.replaced_by is None
    assert Share.objects.filter(staff=alice).count() == 1


def test_a_replaced_url_cannot_be_logged_again(org, campaign):
    alice = org["alice"]
    make_share(alice, campaign, FIRST, status=ShareStatus.REJECTED)
    assert submit(alice, campaign, SECOND).status_code == 201
    response = submit(alice, campaign, FIRST)
    assert response.status_code == 409
    assert Share.objects.filter(staff=alice).count() == 2


def test_another_platform_is_not_a_replacement(org, campaign):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=ShareStatus.REJECTED)
    assert submit(alice, campaign, X_POST).status_code == 201
    old.refresh_from_db()
    assert old.status == ShareStatus.REJECTED and old.replaced_by is None


def test_a_replaced_share_never_counts_in_kpi(org, campaign):
    alice = org["alice"]
    old = make_share(alice, campaign, FIRST, status=ShareStatus.REJECTED)
    new = services.submit_share(staff=alice, campaign=campaign, url=SECOND)
    year = kpi_year_of(new.submitted_at)
    set_status(new, ShareStatus.VERIFIED)
    assert KpiScore.objects.get(user=alice, year=year).verified_shares == 1

    # A full recount agrees: the replaced share is not a verified one.
    scoring_services.compute_year(year=year)
    assert KpiScore.objects.get(user=alice, year=year).verified_shares == 1
    old.refresh_from_db()
    assert old.status == ShareStatus.REPLACED
    # Even a replaced row with a verified_at left over does not count.
    Share.objects.filter(pk=old.pk).update(verified_at=new.verified_at)
    scoring_services.compute_year(year=year)
    assert scoring_services.recount_person(user_id=alice.pk, year=year).verified_shares == 1


def test_a_replaced_share_keeps_its_reason_code():
    alice = UserFactory(staff_id="alice_rc")
    campaign = make_campaign("Reason kept", posts=("https://x.com/govmy/status/1",))
    old = make_share(
        alice,
        campaign,
        "https://x.com/alice_rc/status/1790000000000000001",
        status=ShareStatus.REJECTED,
        status_code="rejected.gone",
        status_params={"platform": "x"},
    )
    services.submit_share(
        staff=alice, campaign=campaign, url="https://x.com/alice_rc/status/1790000000000000002"
    )
    old.refresh_from_db()
    assert old.status == ShareStatus.REPLACED
    assert (old.status_code, old.status_params) == ("rejected.gone", {"platform": "x"})
