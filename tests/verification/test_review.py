"""HR review: decisions (services, the /review/ page, the API) and verification policies.

Actors: alice (staff, HQ/Comms/Digital) whose shares wait for review, carol
(another member of staff), max (manager of HQ/Comms), hana (HR admin).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Platform
from campaigns.models import Share, ShareStatus
from tests.factories import HrAdminFactory, ManagerFactory, UserFactory, make_campaign, make_share
from verification import policies, review
from verification.models import (
    PlatformPolicy,
    PlatformPolicyChange,
    ReviewDecision,
    VerificationAttempt,
    VerificationOutcome,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms/Digital")


@pytest.fixture
def carol():
    return UserFactory(staff_id="carol", full_name="Carol Ng", unit="HQ/Finance")


@pytest.fixture
def max_():
    return ManagerFactory(staff_id="max", full_name="Max Manager", unit="HQ/Comms")


@pytest.fixture
def hana():
    return HrAdminFactory(staff_id="hana", full_name="Hana HR", unit="HQ")


_post_ids = iter(range(1000, 100000))


def share_in_review(
    staff, *, campaign=None, platform=Platform.FACEBOOK, reason="sampled for review", **fields
) -> Share:
    post = next(_post_ids)
    urls = {
        Platform.FACEBOOK: f"https://www.facebook.com/someone/posts/{post}",
        Platform.X: f"https://x.com/someone/status/{post}",
        Platform.TIKTOK: f"https://www.tiktok.com/@someone/video/{post}",
    }
    share = make_share(
        staff,
        campaign or make_campaign(f"Campaign {post}"),
        urls[platform],
        status=fields.pop("status", ShareStatus.NEEDS_REVIEW),
        status_reason=reason,
        **fields,
    )
    VerificationAttempt.objects.create(
        share=share, outcome=VerificationOutcome.NEEDS_REVIEW, reason=reason, http_status=200
    )
    return share


# --- services ---------------------------------------------------------------------------------


def test_approve_verifies_and_is_audited(alice, hana, status_changes):
    share = share_in_review(alice)
    review.decide(share=share, reviewer=hana, decision="approve", reason="screenshot shows it")

    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED
    assert share.verified_at is not None
    assert (share.status_code, share.status_params) == (
        "reviewed.approved_note",
        {"note": "screenshot shows it"},
    )
    assert share.reason.staff == "Approved by HR in review: screenshot shows it"
    decision = ReviewDecision.objects.get()
    assert (decision.share, decision.reviewer, decision.decision) == (share, hana, "approve")
    assert (decision.old_status, decision.new_status) == ("needs_review", "verified")
    assert decision.reason == "screenshot shows it"
    assert decision.decided_at is not None
    assert status_changes == [(share.pk, "needs_review", "verified")]


def test_reject_needs_a_reason(alice, hana):
    share = share_in_review(alice)
    with pytest.raises(review.ReviewRefused) as refused:
        review.decide(share=share, reviewer=hana, decision="reject", reason="   ")
    assert refused.value.field == "reason"
    share.refresh_from_db()
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert not ReviewDecision.objects.exists()


def test_reject_with_reason(alice, hana):
    share = share_in_review(alice)
    review.decide(share=share, reviewer=hana, decision="reject", reason="not her account")
    share.refresh_from_db()
    assert share.status == ShareStatus.REJECTED
    assert (share.status_code, share.status_params) == (
        "reviewed.rejected",
        {"note": "not her account"},
    )
    assert share.reason.staff == "Rejected by HR in review: not her account"
    assert share.reason.hr == "Rejected in review: not her account"


def test_pending_share_may_be_decided(alice, hana):
    share = share_in_review(alice, status=ShareStatus.PENDING)
    review.decide(share=share, reviewer=hana, decision="approve")
    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED


@pytest.mark.parametrize(
    "status", [ShareStatus.VERIFIED, ShareStatus.REJECTED, ShareStatus.REMOVED]
)
def test_decided_share_cannot_be_reviewed(alice, hana, status):
    share = share_in_review(alice, status=status)
    with pytest.raises(review.ReviewRefused) as refused:
        review.decide(share=share, reviewer=hana, decision="approve")
    assert refused.value.field == "share"


def test_only_hr_may_decide(alice, max_):
    share = share_in_review(alice)
    with pytest.raises(review.ReviewRefused):
        review.decide(share=share, reviewer=max_, decision="approve")


def test_bad_decision_is_refused(alice, hana):
    with pytest.raises(review.ReviewRefused) as refused:
        review.decide(share=share_in_review(alice), reviewer=hana, decision="maybe")
    assert refused.value.field == "decision"


def test_bulk_decide_skips_shares_no_longer_in_review(alice, carol, hana, status_changes):
    first, second = share_in_review(alice), share_in_review(carol)
    done = share_in_review(alice, status=ShareStatus.VERIFIED)

    result = review.bulk_decide(
        share_ids=[first.pk, second.pk, done.pk, 999999],
        reviewer=hana,
        decision="reject",
        reason="no such post",
    )

    assert {s.pk for s in result.decided} == {first.pk, second.pk}
    assert {share_id for share_id, _ in result.skipped} == {done.pk, 999999}
    assert ReviewDecision.objects.count() == 2
    assert len(status_changes) == 2


# --- policies ----------------------------------------------------------------------------------


def test_set_policy_records_who_when_before_and_after(hana):
    policies.set_policy(platform=Platform.FACEBOOK, policy="sample", sample_percent=25, actor=hana)
    policies.set_policy(platform=Platform.FACEBOOK, policy="review", sample_percent=25, actor=hana)

    assert policies.policy_for(Platform.FACEBOOK).policy == "review"
    first, second = PlatformPolicyChange.objects.order_by("changed_at", "pk")
    assert (first.old_policy, first.old_sample_percent) == ("sample", 10)  # the default
    assert (first.new_policy, first.new_sample_percent) == ("sample", 25)
    assert (second.old_policy, second.new_policy) == ("sample", "review")
    assert first.changed_by == hana and first.changed_at is not None
    assert PlatformPolicy.objects.get().updated_by == hana


def test_setting_the_same_policy_again_records_nothing(hana):
    policies.set_policy(platform=Platform.X, policy="review", sample_percent=10, actor=hana)
    policies.set_policy(platform=Platform.X, policy="review", sample_percent=10, actor=hana)
    assert PlatformPolicyChange.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"platform": "myspace", "policy": "review", "sample_percent": 1}, "platform"),
        ({"platform": "x", "policy": "trust", "sample_percent": 1}, "policy"),
        ({"platform": "x", "policy": "sample", "sample_percent": 101}, "sample_percent"),
        ({"platform": "x", "policy": "sample", "sample_percent": -1}, "sample_percent"),
    ],
)
def test_invalid_policy_is_refused(hana, values, field):
    with pytest.raises(policies.PolicyInvalid) as refused:
        policies.set_policy(actor=hana, **values)
    assert refused.value.field == field
    assert not PlatformPolicyChange.objects.exists()


# --- the /review/ page -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get("/review/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "url",
    ["/review/", "/review/policies/"],
)
def test_staff_and_managers_may_not_open_review_pages(client, alice, max_, url):
    for person in (alice, max_):
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_hr_sees_the_queue_with_attempts(client, alice, hana):
    share = share_in_review(alice, reason="the page shows a captcha")
    share_in_review(alice, status=ShareStatus.VERIFIED, reason="a verified one")
    client.force_login(hana)

    response = client.get(reverse("review:review_queue"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="share-{share.pk}"' in page
    assert "the page shows a captcha" in page
    assert "Alice Tan" in page
    assert share.normalized_url in page
    assert "a verified one" not in page
    assert "1 share waiting for review" in page


def test_queue_filters(client, alice, carol, hana):
    campaign = make_campaign("Flood relief")
    by_alice = share_in_review(alice, campaign=campaign, platform=Platform.X, reason="login wall")
    by_carol = share_in_review(carol, platform=Platform.TIKTOK, reason="sampled for review")
    client.force_login(hana)

    def shown(**query) -> set[int]:
        response = client.get(reverse("review:review_queue"), query)
        assert response.status_code == 200
        return {s.pk for s in response.context["page"].object_list}

    assert shown() == {by_alice.pk, by_carol.pk}
    assert shown(text="LOGIN") == {by_alice.pk}
    assert shown(campaign=campaign.pk) == {by_alice.pk}
    assert shown(platform="tiktok") == {by_carol.pk}
    hq_comms = alice.unit.parent
    assert shown(unit=hq_comms.pk) == {by_alice.pk}  # the subtree of HQ/Comms
    assert shown(unit=hq_comms.parent.pk) == {by_alice.pk, by_carol.pk}


def test_hr_approves_from_the_page(client, alice, hana):
    share = share_in_review(alice)
    client.force_login(hana)
    response = client.post(
        reverse("review:review_decide", args=[share.pk]),
        {"decision": "approve", "reason": "", "next": "/review/?platform=facebook"},
    )
    assert response.status_code == 302
    assert response.url == "/review/?platform=facebook"
    share.refresh_from_db()
    assert share.status == ShareStatus.VERIFIED


def test_reject_without_reason_on_the_page_says_why(client, alice, hana):
    share = share_in_review(alice)
    client.force_login(hana)
    response = client.post(
        reverse("review:review_decide", args=[share.pk]), {"decision": "reject"}, follow=True
    )
    assert "Give a reason for rejecting" in response.content.decode()
    share.refresh_from_db()
    assert share.status == ShareStatus.NEEDS_REVIEW


def test_next_outside_the_site_is_ignored(client, alice, hana):
    share = share_in_review(alice)
    client.force_login(hana)
    response = client.post(
        reverse("review:review_decide", args=[share.pk]),
        {"decision": "approve", "next": "https://evil.example/"},
    )
    assert response.url == reverse("review:review_queue")


def test_bulk_reject_from_the_page(client, alice, carol, hana):
    shares = [share_in_review(alice), share_in_review(carol), share_in_review(alice)]
    client.force_login(hana)
    response = client.post(
        reverse("review:review_bulk"),
        {"share": [shares[0].pk, shares[1].pk], "decision": "reject", "reason": "not found"},
        follow=True,
    )
    assert "2 shares rejected" in response.content.decode()
    statuses = [Share.objects.get(pk=s.pk).status for s in shares]
    assert statuses == ["rejected", "rejected", "needs_review"]


def test_staff_cannot_post_decisions(client, alice, max_):
    share = share_in_review(alice)
    for person in (alice, max_):
        client.force_login(person)
        assert (
            client.post(
                reverse("review:review_decide", args=[share.pk]), {"decision": "approve"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("review:review_bulk"), {"share": [share.pk], "decision": "approve"}
            ).status_code
            == 403
        )
    share.refresh_from_db()
    assert share.status == ShareStatus.NEEDS_REVIEW


# --- the policies page --------------------------------------------------------------------------


def test_hr_sets_a_policy_on_the_page(client, hana):
    client.force_login(hana)
    page = client.get(reverse("review:policy_list"))
    assert page.status_code == 200
    assert "sample 10 %" in page.content.decode()

    response = client.post(
        reverse("review:policy_list"),
        {"platform": "instagram", "policy": "sample", "sample_percent": "40"},
        follow=True,
    )
    assert response.status_code == 200
    assert policies.policy_for(Platform.INSTAGRAM).sample_percent == 40
    change = PlatformPolicyChange.objects.get()
    assert change.changed_by == hana
    assert "Hana HR" in response.content.decode()


def test_bad_policy_on_the_page_changes_nothing(client, hana):
    client.force_login(hana)
    client.post(
        reverse("review:policy_list"),
        {"platform": "x", "policy": "sample", "sample_percent": "250"},
    )
    assert not PlatformPolicy.objects.exists()


def test_staff_cannot_set_policies(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("review:policy_list"), {"platform": "x", "policy": "review", "sample_percent": 1}
    )
    assert response.status_code == 403
    assert not PlatformPolicy.objects.exists()


# --- the API -------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user=user)
    return api


def review_url(share_id: int) -> str:
    return f"/api/v1/shares/{share_id}/review/"


def test_api_hr_approves(alice, hana):
    share = share_in_review(alice)
    response = api_for(hana).post(
        review_url(share.pk), {"decision": "approve", "reason": "ok"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == share.pk
    assert body["status"] == "verified"
    assert body["decision"] == "approve"
    assert body["reviewed_by"] == "hana"
    assert ReviewDecision.objects.get().reviewer == hana


def test_api_hr_rejects_with_reason(alice, hana):
    share = share_in_review(alice)
    response = api_for(hana).post(
        review_url(share.pk), {"decision": "reject", "reason": "deleted"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_api_staff_and_managers_get_403(alice, max_):
    share = share_in_review(alice)
    for person in (alice, max_):
        response = api_for(person).post(
            review_url(share.pk), {"decision": "approve"}, format="json"
        )
        assert response.status_code == 403
    share.refresh_from_db()
    assert share.status == ShareStatus.NEEDS_REVIEW


def test_api_anonymous_is_refused(alice):
    share = share_in_review(alice)
    response = APIClient().post(review_url(share.pk), {"decision": "approve"}, format="json")
    assert response.status_code in (401, 403)


def test_api_unknown_share_is_404(hana):
    response = api_for(hana).post(review_url(999999), {"decision": "approve"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "reject"}, "reason"),
        ({"decision": "reject", "reason": "  "}, "reason"),
    ],
)
def test_api_bad_input_is_400(alice, hana, payload, field):
    share = share_in_review(alice)
    response = api_for(hana).post(review_url(share.pk), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_api_share_not_in_review_is_400(alice, hana):
    share = share_in_review(alice, status=ShareStatus.VERIFIED)
    response = api_for(hana).post(review_url(share.pk), {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert "not in review" in response.json()["share"][0]
