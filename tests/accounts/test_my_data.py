"""My data: one JSON document of everything held about the caller, nothing about anyone
else, streamed so that thousands of shares come in one request."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import transaction
from django.http import StreamingHttpResponse
from django.test import Client
from rest_framework.test import APIClient

import audit
from accounts.models import Platform, Role
from campaigns.models import Campaign, Share, ShareStatus
from scoring.models import KpiScore
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share
from verification.models import VerificationAttempt, VerificationOutcome

pytestmark = pytest.mark.django_db


def document(response) -> dict:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def world():
    alice = UserFactory(staff_id="alice", full_name="Alice Tan", email="alice@example.gov")
    bob = UserFactory(staff_id="bob", full_name="Bob Lim", email="bob@example.gov")
    hr = UserFactory(staff_id="hr1", role=Role.HR_ADMIN)
    SocialAccountFactory(user=alice, platform=Platform.X, handle="alicetan")
    SocialAccountFactory(user=bob, platform=Platform.X, handle="boblim")
    campaign = make_campaign("Budget day")
    mine = make_share(
        alice,
        campaign,
        "https://x.com/alicetan/status/1790000000000000001",
        status=ShareStatus.NEEDS_REVIEW,
        status_code="review.sampled",
        status_params={"platform": "x"},
    )
    VerificationAttempt.objects.create(
        share=mine, outcome=VerificationOutcome.NEEDS_REVIEW, reason="drawn for review"
    )
    theirs = make_share(bob, campaign, "https://x.com/boblim/status/1790000000000000002")
    KpiScore.objects.create(user=alice, year=2026, verified_shares=3, points=1)
    KpiScore.objects.create(user=bob, year=2026, verified_shares=9, points=2)
    with transaction.atomic():
        audit.record(actor=hr, action="review.decided", obj=mine, after={"status": "verified"})
        audit.record(actor=hr, action="review.decided", obj=theirs, after={"status": "verified"})
    return {"alice": alice, "bob": bob, "mine": mine, "theirs": theirs}


def test_the_api_gives_everything_about_the_caller_and_nothing_about_anyone_else(world):
    api = APIClient()
    api.force_authenticate(world["alice"])
    data = document(api.get("/api/v1/me/data/"))

    assert data["profile"]["staff_id"] == "alice"
    assert data["profile"]["email"] == "alice@example.gov"
    assert [(a["platform"], a["current"]["handle"]) for a in data["accounts"]] == [
        ("x", "alicetan")
    ]
    assert [s["id"] for s in data["shares"]] == [world["mine"].pk]
    share = data["shares"][0]
    assert share["reason_code"] == "review.sampled"
    assert share["reason"].startswith("Picked at random for a check by HR")
    assert [a["detail"] for a in share["attempts"]] == ["drawn for review"]
    assert data["appeals"] == []
    assert data["scores"] == [
        {
            "year": 2026,
            "verified_shares": 3,
            "points": 1,
            "scheme_version": 0,
            "computed_at": data["scores"][0]["computed_at"],
            "year_closed": False,
        }
    ]
    assert [(e["action"], e["object_id"]) for e in data["audit_entries"]] == [
        ("review.decided", str(world["mine"].pk))
    ]
    text = json.dumps(data)
    assert "bob" not in text.lower() and "boblim" not in text


def test_the_page_offers_the_download_and_serves_the_same_document(world):
    client = Client()
    client.force_login(world["bob"])
    html = client.get("/me/data/").content.decode()
    assert 'href="/me/data/download/"' in html
    data = document(client.get("/me/data/download/"))
    assert data["profile"]["staff_id"] == "bob"
    assert [s["id"] for s in data["shares"]] == [world["theirs"].pk]


def test_anonymous_callers_get_nothing():
    assert APIClient().get("/api/v1/me/data/").status_code in (401, 403)
    assert Client().get("/me/data/download/").status_code == 302


def test_thousands_of_shares_come_in_one_request_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    alice = UserFactory(staff_id="alice")
    day = datetime.date(2026, 1, 1)
    campaigns = Campaign.objects.bulk_create(
        Campaign(title=f"C{i}", starts_on=day, ends_on=day) for i in range(1500)
    )
    Share.objects.bulk_create(
        Share(
            staff=alice,
            campaign=campaign,
            url=f"https://x.com/alice/status/{10**18 + i}",
            normalized_url=f"https://x.com/alice/status/{10**18 + i}",
            platform=Platform.X,
            status=ShareStatus.VERIFIED,
        )
        for i, campaign in enumerate(campaigns)
    )
    api = APIClient()
    api.force_authenticate(alice)
    with django_assert_max_num_queries(30):
        data = document(api.get("/api/v1/me/data/"))
    assert len(data["shares"]) == 1500
