"""Appeals through the API (POST shares/{id}/appeal/, GET appeals/, POST appeals/{id}/decide/)
and verification.appeals: who may file and decide, when, and what an overturn does to
the KPI score (open year: it follows; closed year: frozen, the appeal says so).

Actors: alice and carol (staff), hana and hugo (HR admins).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from campaigns.kpi_year import kpi_year_of
from campaigns.models import ShareStatus
from scoring import services as scoring_services
from scoring.models import KpiScore
from tests.factories import HrAdminFactory, UserFactory, make_campaign, make_share
from verification import appeals, review
from verification.models import Appeal, AppealStatus, VerificationAttempt, VerificationOutcome

pytestmark = pytest.mark.django_db

KL = zoneinfo.ZoneInfo("Asia/Kuala_Lumpur")
_post_ids = iter(range(5000, 100000))


@pytest.fixture(autouse=True)
def organisation_settings(settings):
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 1
    settings.SHAREKPI_APPEAL_DAYS = 14


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


@pytest.fixture
def carol():
    return UserFactory(staff_id="carol", full_name="Carol Ng", unit="HQ/Finance")


@pytest.fixture
def hana():
    return HrAdminFactory(staff_id="hana", full_name="Hana HR", unit="People")


@pytest.fixture
def hugo():
    return HrAdminFactory(staff_id="hugo", full_name="Hugo HR", unit="People")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_review(staff, campaign=None, **fields):
    post = next(_post_ids)
    share = make_share(
        staff,
        campaign or make_campaign(f"Campaign {post}"),
        f"https://www.facebook.com/{staff.staff_id}/posts/{post}",
        status=fields.pop("status", ShareStatus.NEEDS_REVIEW),
        status_reason="sampled for review",
        **fields,
    )
    VerificationAttempt.objects.create(
        share=share, outcome=VerificationOutcome.NEEDS_REVIEW, reason="sampled", http_status=200
    )
    return share


def rejected_by_hr(staff, hr, **fields):
    """A share an HR admin rejected in review (status_changed_at: now)."""
    share = in_review(staff, **fields)
    return review.decide(share=share, reviewer=hr, decision="reject", reason="not our post")


def appeal_api(user, share, **body):
    return client_for(user).post(
        f"/api/v1/shares/{share.pk}/appeal/", {"note": "It is our post.", **body}, format="json"
    )


def decide_api(user, appeal_id, decision, reason="checked the screenshot"):
    return client_for(user).post(
        f"/api/v1/appeals/{appeal_id}/decide/",
        {"decision": decision, "reason": reason},
        format="json",
    )


def kpi_count(user, year):
    row = KpiScore.objects.filter(user=user, year=year).first()
    return None if row is None else row.verified_shares


# --- filing ---------------------------------------------------------------------------


def test_owner_appeals_a_rejected_share(alice, hana):
    share = rejected_by_hr(alice, hana)

    response = appeal_api(alice, share, note="  The post is on our page.  ")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["share"] == share.pk
    assert body["status"] == AppealStatus.OPEN
    assert body["note"] == "The post is on our page."
    assert body["appealed_status"] == ShareStatus.REJECTED
    appeal = Appeal.objects.get(pk=body["id"])
    assert appeal.staff == alice
    entry = AuditEntry.objects.get(action="appeal.filed")
    assert entry.actor == alice and str(entry.object_id) == str(appeal.pk)


def test_owner_appeals_a_removed_share(alice, hana):
    share = in_review(alice, status=ShareStatus.REMOVED)
    response = appeal_api(alice, share)
    assert response.status_code == 201, response.json()
    assert response.json()["appealed_status"] == ShareStatus.REMOVED


def test_appeal_after_the_deadline_is_refused(alice, hana):
    share = rejected_by_hr(alice, hana)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=14, hours=1)):
        response = appeal_api(alice, share)
    assert response.status_code == 400
    assert "share" in response.json()
    assert "within 14 days" in response.json()["share"][0]
    assert not Appeal.objects.exists()
    assert not AuditEntry.objects.filter(action="appeal.filed").exists()


def test_appeal_just_inside_the_deadline_is_accepted(alice, hana):
    share = rejected_by_hr(alice, hana)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=13, hours=23)):
        response = appeal_api(alice, share)
    assert response.status_code == 201, response.json()


def test_deadline_counts_from_the_rejection_not_the_submission(alice, hana):
    old = timezone.now() - datetime.timedelta(days=20)
    share = in_review(alice, status=ShareStatus.REJECTED, status_changed_at=old)
    assert appeal_api(alice, share).status_code == 400
    share.status_changed_at = timezone.now() - datetime.timedelta(days=1)
    share.save(update_fields=["status_changed_at"])
    assert appeal_api(alice, share).status_code == 201


def test_a_share_is_appealed_once(alice, hana):
    share = rejected_by_hr(alice, hana)
    assert appeal_api(alice, share).status_code == 201

    response = appeal_api(alice, share, note="Again")

    assert response.status_code == 400
    assert "once" in response.json()["share"][0]
    assert Appeal.objects.filter(share=share).count() == 1


def test_a_share_is_appealed_once_even_after_a_decision(alice, hana, hugo):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]
    assert decide_api(hugo, appeal_id, "uphold").status_code == 200
    assert appeal_api(alice, share, note="Again").status_code == 400
    assert Appeal.objects.filter(share=share).count() == 1


@pytest.mark.parametrize(
    "status", [ShareStatus.VERIFIED, ShareStatus.PENDING, ShareStatus.NEEDS_REVIEW]
)
def test_only_rejected_or_removed_shares_are_appealed(alice, status):
    share = in_review(alice, status=status)
    response = appeal_api(alice, share)
    assert response.status_code == 400
    assert "Only a rejected or removed share" in response.json()["share"][0]
    assert not Appeal.objects.exists()


def test_someone_elses_share_is_404(alice, carol, hana):
    share = rejected_by_hr(alice, hana)
    response = appeal_api(carol, share)
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_hr_cannot_appeal_for_the_owner(alice, hana):
    share = rejected_by_hr(alice, hana)
    assert appeal_api(hana, share).status_code == 404


def test_service_refuses_someone_elses_share(alice, carol, hana):
    share = rejected_by_hr(alice, hana)
    with pytest.raises(appeals.AppealRefused) as refused:
        appeals.file_appeal(share=share, staff=carol, note="mine")
    assert refused.value.field == "share"


@pytest.mark.parametrize("body", [{"note": ""}, {"note": "   "}, {}])
def test_note_is_required(alice, hana, body):
    share = rejected_by_hr(alice, hana)
    response = client_for(alice).post(f"/api/v1/shares/{share.pk}/appeal/", body, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    assert not Appeal.objects.exists()


def test_service_refuses_a_blank_note(alice, hana):
    share = rejected_by_hr(alice, hana)
    with pytest.raises(appeals.AppealRefused) as refused:
        appeals.file_appeal(share=share, staff=alice, note="  \n ")
    assert refused.value.field == "note"


def test_screenshot_that_is_not_an_image_is_refused(alice, hana):
    from django.core.files.uploadedfile import SimpleUploadedFile

    share = rejected_by_hr(alice, hana)
    fake = SimpleUploadedFile("shot.png", b"not an image at all", content_type="image/png")
    response = client_for(alice).post(
        f"/api/v1/shares/{share.pk}/appeal/",
        {"note": "see screenshot", "screenshot": fake},
        format="multipart",
    )
    assert response.status_code == 400
    assert "screenshot" in response.json()
    assert not Appeal.objects.exists()


# --- listing --------------------------------------------------------------------------


def test_staff_list_only_their_own_appeals_and_hr_all(alice, carol, hana):
    mine = appeal_api(alice, rejected_by_hr(alice, hana)).json()["id"]
    theirs = appeal_api(carol, rejected_by_hr(carol, hana)).json()["id"]

    def ids(user, query=""):
        response = client_for(user).get(f"/api/v1/appeals/{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(alice) == {mine}
    assert ids(carol) == {theirs}
    assert ids(hana) == {mine, theirs}


def test_list_filters_by_status(alice, carol, hana, hugo):
    decided = appeal_api(alice, rejected_by_hr(alice, hana)).json()["id"]
    still_open = appeal_api(carol, rejected_by_hr(carol, hana)).json()["id"]
    assert decide_api(hugo, decided, "uphold").status_code == 200

    def ids(query):
        response = client_for(hana).get(f"/api/v1/appeals/?status={query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("open") == {still_open}
    assert ids("upheld") == {decided}
    assert ids("overturned") == set()
    assert client_for(hana).get("/api/v1/appeals/?status=bogus").status_code == 400


# --- deciding -------------------------------------------------------------------------


def test_uphold_keeps_the_share_rejected(alice, hana, hugo):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]

    response = decide_api(hugo, appeal_id, "uphold", "the post is someone else's")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == AppealStatus.UPHELD
    share.refresh_from_db()
    assert share.status == ShareStatus.REJECTED
    appeal = Appeal.objects.get(pk=appeal_id)
    assert appeal.decided_by == hugo and appeal.decision_reason == "the post is someone else's"
    assert AuditEntry.objects.filter(action="appeal.upheld", actor=hugo).count() == 1
    assert not AuditEntry.objects.filter(action="appeal.overturned").exists()


def test_overturn_verifies_the_share_and_the_score_follows(alice, hana, hugo):
    share = rejected_by_hr(alice, hana)
    year = kpi_year_of(share.submitted_at)
    assert kpi_count(alice, year) in (None, 0)
    appeal_id = appeal_api(alice, share).json()["id"]

    response = decide_api(hugo, appeal_id, "overturn", "screenshot shows our post")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == AppealStatus.OVERTURNED
    assert body["share_status"] == ShareStatus.VERIFIED
    assert body["year_closed"] is False
    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED and share.verified_at is not None
    assert kpi_count(alice, year) == 1
    entry = AuditEntry.objects.get(action="appeal.overturned")
    assert entry.actor == hugo
    assert entry.after["share_status"] == ShareStatus.VERIFIED
    assert entry.after["year_closed"] is False


def test_overturn_in_a_closed_year_is_recorded_but_the_score_stays(alice, hana, hugo):
    campaign = make_campaign(
        "Old campaign", starts_on=datetime.date(2024, 6, 1), ends_on=datetime.date(2024, 6, 30)
    )
    share = in_review(
        alice,
        campaign=campaign,
        status=ShareStatus.REJECTED,
        submitted_at=datetime.datetime(2024, 6, 5, 12, tzinfo=KL),
        status_changed_at=timezone.now() - datetime.timedelta(days=1),
    )
    scoring_services.close_year(year=2024, actor=hana)
    frozen = KpiScore.objects.get(user=alice, year=2024)
    assert frozen.verified_shares == 0
    appeal_id = appeal_api(alice, share).json()["id"]

    response = decide_api(hugo, appeal_id, "overturn", "it was ours after all")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == AppealStatus.OVERTURNED
    assert body["year_closed"] is True
    assert "already closed" in body["outcome"]
    appeal = Appeal.objects.get(pk=appeal_id)
    assert appeal.year_closed is True
    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED
    after = KpiScore.objects.get(user=alice, year=2024)
    assert (after.verified_shares, after.points, after.computed_at) == (
        frozen.verified_shares,
        frozen.points,
        frozen.computed_at,
    )
    entry = AuditEntry.objects.get(action="appeal.overturned")
    assert entry.after["year_closed"] is True and entry.after["kpi_year"] == 2024


def test_the_hr_who_rejected_may_not_decide_when_another_hr_exists(alice, hana, hugo):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]

    response = decide_api(hana, appeal_id, "overturn")

    assert response.status_code == 400
    assert "another HR admin" in response.json()["decider"][0]
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.OPEN
    share.refresh_from_db()
    assert share.status == ShareStatus.REJECTED
    assert not AuditEntry.objects.filter(action__startswith="appeal.o").exists()
    # another HR admin may
    assert decide_api(hugo, appeal_id, "overturn").status_code == 200


def test_the_hr_who_rejected_may_decide_when_they_are_the_only_hr(alice, hana):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]

    response = decide_api(hana, appeal_id, "uphold")

    assert response.status_code == 200, response.json()
    assert Appeal.objects.get(pk=appeal_id).decided_by == hana


def test_an_inactive_hr_admin_does_not_count_as_another(alice, hana):
    HrAdminFactory(staff_id="gone", is_active=False)
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]
    assert decide_api(hana, appeal_id, "uphold").status_code == 200


def test_only_hr_decides(alice, carol, hana):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]
    assert decide_api(alice, appeal_id, "overturn").status_code == 403
    assert decide_api(carol, appeal_id, "overturn").status_code == 403
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.OPEN


def test_decide_unknown_appeal_is_404(hana):
    assert decide_api(hana, 999999, "uphold").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"reason": "x"}, "decision"),
        ({"decision": "uphold", "reason": ""}, "reason"),
        ({"decision": "overturn"}, "reason"),
    ],
)
def test_bad_decisions_are_400(alice, hana, hugo, body, field):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]
    response = client_for(hugo).post(f"/api/v1/appeals/{appeal_id}/decide/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Appeal.objects.get(pk=appeal_id).status == AppealStatus.OPEN


def test_an_appeal_is_decided_once(alice, hana, hugo):
    share = rejected_by_hr(alice, hana)
    appeal_id = appeal_api(alice, share).json()["id"]
    assert decide_api(hugo, appeal_id, "uphold").status_code == 200

    response = decide_api(hugo, appeal_id, "overturn")

    assert response.status_code == 400
    assert "already been decided" in response.json()["appeal"][0]
    share.refresh_from_db()
    assert share.status == ShareStatus.REJECTED
