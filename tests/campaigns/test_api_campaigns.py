"""GET/POST /api/v1/campaigns/ and GET /api/v1/campaigns/{id}/.

``org`` (tests/campaigns/conftest.py): alice, staff in HQ/Comms; bob, manager
of HQ; charlie, staff in HQ/Finance; hana, HR admin in People (outside HQ).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignStatus
from tests.factories import days_from_today, make_campaign, make_share, make_unit

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/"
OFFICIAL_POSTS = (
    "https://www.facebook.com/govmy/posts/1001",
    "https://x.com/govmy/status/1001",
)


@pytest.fixture
def campaigns(org):
    return {
        "everyone": make_campaign("Budget day"),
        "comms": make_campaign("Comms week", units=("HQ/Comms",), posts=OFFICIAL_POSTS),
        "finance": make_campaign("Finance week", units=("HQ/Finance",)),
        "draft": make_campaign("Next month", status=CampaignStatus.DRAFT),
        "closed": make_campaign("Old news", status=CampaignStatus.CLOSED),
        "over": make_campaign(
            "Last month", starts_on=days_from_today(-40), ends_on=days_from_today(-10)
        ),
    }


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


# --- GET campaigns/ ------------------------------------------------------------


def test_anonymous_cannot_list_campaigns(campaigns):
    assert client_for().get(URL).status_code in (401, 403)


def test_staff_see_the_campaigns_open_today_for_their_unit(org, campaigns):
    response = client_for(org["alice"]).get(URL)

    assert response.status_code == 200
    assert titles(response) == {"Budget day", "Comms week"}


def test_staff_of_another_unit_see_their_own_campaigns(org, campaigns):
    assert titles(client_for(org["charlie"]).get(URL)) == {"Budget day", "Finance week"}


def test_a_manager_sees_the_campaigns_meant_for_their_own_unit(org, campaigns):
    # bob's unit is HQ: the HQ/Comms campaign is for the units below him, not for him.
    assert titles(client_for(org["bob"]).get(URL)) == {"Budget day"}


def test_campaign_fields_and_shared_by_me(org, campaigns):
    campaign = campaigns["comms"]
    make_share(org["alice"], campaign, "https://x.com/alice/status/1")

    rows = {row["id"]: row for row in client_for(org["alice"]).get(URL).json()["results"]}

    row = rows[campaign.pk]
    assert set(row) == {
        "id",
        "title",
        "description",
        "starts_on",
        "ends_on",
        "status",
        "counts_for_kpi",
        "posts",
        "units",
        "shared_by_me",
    }
    assert row["status"] == "active" and row["counts_for_kpi"] is True
    assert row["starts_on"] == campaign.starts_on.isoformat()
    assert row["units"] == [make_unit("HQ/Comms").pk]
    assert {(p["platform"], p["normalized_url"]) for p in row["posts"]} == {
        ("facebook", "https://www.facebook.com/govmy/posts/1001"),
        ("x", "https://x.com/govmy/status/1001"),
    }
    assert set(row["posts"][0]) == {"id", "url", "normalized_url", "platform"}
    assert row["shared_by_me"] is True
    assert rows[campaigns["everyone"].pk]["shared_by_me"] is False


def test_hr_see_every_campaign(org, campaigns):
    response = client_for(org["hana"]).get(URL)

    assert response.status_code == 200
    assert titles(response) == {c.title for c in campaigns.values()}


def test_hr_filter_campaigns_by_status(org, campaigns):
    assert titles(client_for(org["hana"]).get(URL, {"status": "draft"})) == {"Next month"}
    assert titles(client_for(org["hana"]).get(URL, {"status": "closed"})) == {"Old news"}


def test_a_bad_status_filter_is_a_400(org, campaigns):
    response = client_for(org["hana"]).get(URL, {"status": "open"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_listing_campaigns_does_not_query_per_campaign(
    org, campaigns, django_assert_max_num_queries
):
    for n in range(10):
        make_campaign(f"More {n}", units=("HQ/Comms",))
    for user in (org["alice"], org["hana"]):
        client = client_for(user)
        with django_assert_max_num_queries(4):  # count, page, posts, units
            assert client.get(URL).status_code == 200


# --- GET campaigns/{id}/ --------------------------------------------------------


def test_audience_may_open_a_campaign(org, campaigns):
    response = client_for(org["alice"]).get(f"{URL}{campaigns['comms'].pk}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Comms week"


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_a_campaign_outside_your_audience_is_not_found(org, campaigns, who):
    response = client_for(org[who]).get(f"{URL}{campaigns['comms'].pk}/")

    assert response.status_code == 404


def test_staff_cannot_open_a_draft_campaign(org, campaigns):
    assert client_for(org["alice"]).get(f"{URL}{campaigns['draft'].pk}/").status_code == 404


def test_staff_may_still_open_a_closed_campaign_of_theirs(org, campaigns):
    assert client_for(org["alice"]).get(f"{URL}{campaigns['closed'].pk}/").status_code == 200


@pytest.mark.parametrize("name", ["comms", "finance", "draft"])
def test_hr_may_open_any_campaign(org, campaigns, name):
    response = client_for(org["hana"]).get(f"{URL}{campaigns[name].pk}/")

    assert response.status_code == 200


def test_an_unknown_campaign_is_not_found(org, campaigns):
    assert client_for(org["hana"]).get(f"{URL}999999/").status_code == 404
    assert client_for(org["hana"]).get(f"{URL}abc/").status_code == 404


def test_anonymous_cannot_open_a_campaign(campaigns):
    assert client_for().get(f"{URL}{campaigns['everyone'].pk}/").status_code in (401, 403)


# --- POST campaigns/ ------------------------------------------------------------


def new_campaign(**changes) -> dict:
    today = timezone.localdate()
    return {
        "title": "Hari Raya greetings",
        "description": "Share the CEO's greeting.",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=14)).isoformat(),
        "posts": [
            {"url": "https://m.facebook.com/govmy/posts/2002?mibextid=abc"},
            {"url": "https://twitter.com/GovMY/status/2002?s=20"},
        ],
        "units": [],
        **changes,
    }


def test_hr_create_a_campaign_with_detected_platforms(org):
    comms = make_unit("HQ/Comms")

    response = client_for(org["hana"]).post(URL, new_campaign(units=[comms.pk]), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Hari Raya greetings"
    assert body["status"] == "active"
    assert body["units"] == [comms.pk]
    assert body["shared_by_me"] is False
    assert {(p["platform"], p["normalized_url"]) for p in body["posts"]} == {
        ("facebook", "https://www.facebook.com/govmy/posts/2002"),
        ("x", "https://x.com/govmy/status/2002"),
    }
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.created_by == org["hana"]
    assert campaign.posts.count() == 2


def test_hr_may_create_a_draft(org):
    response = client_for(org["hana"]).post(URL, new_campaign(status="draft"), format="json")

    assert response.status_code == 201
    assert Campaign.objects.get().status == CampaignStatus.DRAFT


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_staff_do_not_create_campaigns(org, who):
    response = client_for(org[who]).post(URL, new_campaign(), format="json")

    assert response.status_code == 403
    assert not Campaign.objects.exists()


def test_anonymous_cannot_create_a_campaign(org):
    assert client_for().post(URL, new_campaign(), format="json").status_code in (401, 403)
    assert not Campaign.objects.exists()


def test_a_profile_page_is_not_an_official_post(org):
    response = client_for(org["hana"]).post(
        URL, new_campaign(posts=[{"url": "https://www.facebook.com/govmy"}]), format="json"
    )

    assert response.status_code == 400
    assert "profile page" in response.json()["posts"][0]
    assert not Campaign.objects.exists()


def test_one_official_post_per_platform(org):
    posts = [{"url": "https://x.com/govmy/status/1"}, {"url": "https://x.com/govmy/status/2"}]

    response = client_for(org["hana"]).post(URL, new_campaign(posts=posts), format="json")

    assert response.status_code == 400
    assert "one official post per platform" in response.json()["posts"][0]


def test_a_campaign_needs_a_post(org):
    response = client_for(org["hana"]).post(URL, new_campaign(posts=[]), format="json")

    assert response.status_code == 400
    assert "posts" in response.json()


def test_a_campaign_cannot_end_before_it_starts(org):
    response = client_for(org["hana"]).post(
        URL, new_campaign(starts_on="2025-05-10", ends_on="2025-05-01"), format="json"
    )

    assert response.status_code == 400
    assert "ends_on" in response.json()


def test_an_unknown_unit_is_a_400(org):
    response = client_for(org["hana"]).post(URL, new_campaign(units=[999999]), format="json")

    assert response.status_code == 400
    assert "units" in response.json()
    assert not Campaign.objects.exists()


def test_missing_fields_are_named(org):
    response = client_for(org["hana"]).post(URL, {}, format="json")

    assert response.status_code == 400
    assert {"title", "starts_on", "ends_on", "posts"} <= set(response.json())
