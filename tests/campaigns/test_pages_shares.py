"""Staff pages: what to share, the share form (/shares/new/) and My shares.

alice and zara: staff in HQ/Comms; hana: HR admin.
"""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from campaigns.models import CampaignStatus, Share, ShareStatus
from tests.factories import UserFactory, days_from_today, make_campaign, make_share

pytestmark = pytest.mark.django_db

MY_POST = "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmno"
MY_POST_AS_COPIED = (
    "https://m.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmno?__cft__[0]=x&ref=share#c"
)
MY_TWEET = "https://x.com/alice_tan/status/1234567890"
OFFICIAL_POST = "https://www.facebook.com/govmy/posts/1001"


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


@pytest.fixture
def zara():
    return UserFactory(staff_id="zara", full_name="Zara Lee", unit="HQ/Comms")


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


def selected_campaign(html: str) -> str:
    select = html[html.index('<select name="campaign"') :]
    select = select[: select.index("</select>")]
    return re.search(r'<option value="(\d+)" selected>', select).group(1)


def field_errors(html: str, name: str) -> list[str]:
    start = html.index(f'name="{name}"')
    block = html[start : html.index("</div>", start)]
    return [unescape(e) for e in re.findall(r'<p class="error">(.*?)</p>', block)]


# --- what to share ------------------------------------------------------------------------


def test_to_share_lists_open_campaigns_with_official_links_and_my_status(alice, alice_client):
    budget = make_campaign("Budget day", posts=(OFFICIAL_POST,))
    comms = make_campaign("Comms week", posts=(MY_TWEET.replace("alice_tan", "govmy"),))
    make_campaign("Finance only", units=("HQ/Finance",))
    make_campaign("Draft", status=CampaignStatus.DRAFT)
    make_share(alice, comms, MY_TWEET, status=ShareStatus.VERIFIED)
    html = alice_client.get("/campaigns/").content.decode()
    assert "Budget day" in html and "Comms week" in html
    assert "Finance only" not in html and "Draft" not in html
    assert 'href="https://www.facebook.com/govmy/posts/1001"' in html
    budget_card = html[html.index(f'id="campaign-{budget.pk}"') :]
    assert "Not shared yet" in budget_card[: budget_card.index("</section>")]
    assert f'href="/shares/new/?campaign={budget.pk}"' in budget_card
    comms_card = html[html.index(f'id="campaign-{comms.pk}"') :]
    assert 'class="badge badge-verified">Verified' in comms_card[: comms_card.index("</section>")]


# --- the form, prefilled ------------------------------------------------------------------


def test_form_is_prefilled_from_the_query_string(alice_client):
    older = make_campaign("Older", starts_on=days_from_today(-5))
    make_campaign("Newer")
    response = alice_client.get(
        "/shares/new/", {"url": MY_POST_AS_COPIED, "campaign": older.pk, "source": "bookmarklet"}
    )
    html = response.content.decode()
    assert input_value(html, "url") == MY_POST_AS_COPIED
    assert selected_campaign(html) == str(older.pk)
    assert input_value(html, "source") == "bookmarklet"
    assert 'type="hidden" name="source"' in html


def test_default_campaign_is_the_one_with_a_post_on_the_links_platform(alice_client):
    facebook = make_campaign("Facebook one", starts_on=days_from_today(-5))
    x = make_campaign("X one", posts=("https://x.com/govmy/status/1",))
    html = alice_client.get("/shares/new/", {"url": MY_POST}).content.decode()
    assert selected_campaign(html) == str(facebook.pk)
    html = alice_client.get("/shares/new/", {"url": MY_TWEET}).content.decode()
    assert selected_campaign(html) == str(x.pk)


def test_default_campaign_is_the_newest_open_one_otherwise(alice_client):
    make_campaign("Older", starts_on=days_from_today(-5))
    newer = make_campaign("Newer")
    for query in ({}, {"url": "https://www.facebook.com/alice.tan"}, {"campaign": "nope"}):
        html = alice_client.get("/shares/new/", query).content.decode()
        assert selected_campaign(html) == str(newer.pk)
        assert input_value(html, "source") == "form"


def test_a_campaign_not_open_to_me_is_not_offered(alice_client):
    make_campaign("Open")
    closed = make_campaign("Closed", status=CampaignStatus.CLOSED)
    html = alice_client.get("/shares/new/", {"campaign": closed.pk}).content.decode()
    assert f'value="{closed.pk}"' not in html


@pytest.mark.parametrize("source", ["api", "evil", ""])
def test_source_is_form_unless_a_known_web_source(alice_client, source):
    make_campaign("Open")
    html = alice_client.get("/shares/new/", {"source": source}).content.decode()
    assert input_value(html, "source") == "form"


def test_form_says_when_nothing_is_open(alice_client):
    html = alice_client.get("/shares/new/", {"url": MY_POST}).content.decode()
    assert "No campaign is open for you today" in html
    assert '<form method="post" action="/shares/new/"' not in html


# --- submitting ---------------------------------------------------------------------------


def test_a_good_share_is_logged_and_shows_in_my_shares(alice, alice_client):
    campaign = make_campaign("Budget day")
    response = alice_client.post(
        "/shares/new/",
        {"campaign": campaign.pk, "url": MY_POST_AS_COPIED, "source": "bookmarklet"},
        follow=True,
    )
    assert response.redirect_chain == [("/shares/", 302)]
    html = response.content.decode()
    assert "Share logged — we are checking it." in html
    share = Share.objects.get()
    assert (share.staff, share.campaign, share.source) == (alice, campaign, "bookmarklet")
    assert share.normalized_url == MY_POST and share.url == MY_POST_AS_COPIED
    assert f'id="share-{share.pk}"' in html
    assert 'class="badge badge-pending">Pending' in html


def test_a_forged_source_is_stored_as_form(alice_client):
    campaign = make_campaign("Budget day")
    alice_client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST, "source": "api"})
    assert Share.objects.get().source == "form"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://www.facebook.com/alice.tan", "profile page, not a post"),
        ("https://example.com/alice/posts/1", "example.com"),
        ("", "Paste the link to your post."),
        (MY_TWEET, "no official post on X"),
    ],
)
def test_a_bad_url_is_refused_on_the_url_field(alice_client, url, message):
    campaign = make_campaign("Budget day")
    response = alice_client.post("/shares/new/", {"campaign": campaign.pk, "url": url})
    assert response.status_code == 200
    errors = field_errors(response.content.decode(), "url")
    assert errors and message in errors[0]
    assert not Share.objects.exists()


def test_a_campaign_that_is_not_open_is_refused_on_the_campaign_field(alice_client):
    make_campaign("Open")
    closed = make_campaign("Closed", status=CampaignStatus.CLOSED)
    response = alice_client.post("/shares/new/", {"campaign": closed.pk, "url": MY_POST})
    errors = field_errors(response.content.decode(), "campaign")
    assert errors == ["Choose one of the campaigns open to you today."]
    assert not Share.objects.exists()


def test_my_own_duplicate_says_so_and_links_to_it(alice_client):
    campaign = make_campaign("Budget day")
    alice_client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST})
    first = Share.objects.get()
    response = alice_client.post(
        "/shares/new/", {"campaign": campaign.pk, "url": MY_POST_AS_COPIED}
    )
    html = response.content.decode()
    assert field_errors(html, "url") == ["You have already logged this post (see My shares)."]
    assert f'<a href="/shares/#share-{first.pk}">See it in My shares</a>' in html
    assert Share.objects.count() == 1


def test_a_post_claimed_by_someone_else_is_refused_without_a_link(zara, alice_client):
    campaign = make_campaign("Budget day")
    make_share(zara, campaign, MY_POST)
    response = alice_client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST})
    html = response.content.decode()
    assert field_errors(html, "url") == [
        "This post has already been claimed by another member of staff."
    ]
    assert "See it in My shares" not in html


def test_a_second_share_on_the_same_platform_links_to_the_first(alice_client):
    campaign = make_campaign("Budget day")
    alice_client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST})
    first = Share.objects.get()
    other_post = "https://www.facebook.com/alice.tan/posts/pfbid02zzzYYYxxxWWWvvv"
    html = alice_client.post(
        "/shares/new/", {"campaign": campaign.pk, "url": other_post}
    ).content.decode()
    assert "already logged a Facebook share of this campaign" in field_errors(html, "url")[0]
    assert f'href="/shares/#share-{first.pk}"' in html


def test_post_without_csrf_token_is_refused(alice):
    campaign = make_campaign("Budget day")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST})
    assert response.status_code == 403
    assert not Share.objects.exists()


def test_post_with_the_csrf_token_from_the_form_is_accepted(alice):
    campaign = make_campaign("Budget day")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    html = client.get("/shares/new/").content.decode()
    token = input_value(html, "csrfmiddlewaretoken")
    response = client.post(
        "/shares/new/", {"campaign": campaign.pk, "url": MY_POST, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Share.objects.count() == 1


def test_share_pages_need_a_login():
    for path in ("/shares/", "/shares/new/?url=x", "/campaigns/", "/bookmarklet/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- My shares ------------------------------------------------------------------------------


def test_my_shares_lists_only_mine_newest_first_with_status_reason_and_local_time(
    alice, zara, alice_client
):
    campaign = make_campaign("Budget day", posts=("https://www.facebook.com/govmy/posts/1",))
    other = make_campaign("Comms week", posts=("https://x.com/govmy/status/1",))

    utc = datetime.UTC
    older = make_share(
        alice,
        campaign,
        MY_POST,
        status=ShareStatus.REJECTED,
        status_reason="The post is not yours.",
        # 2 Mar 00:30 in Kuala Lumpur
        submitted_at=datetime.datetime(2025, 3, 1, 16, 30, tzinfo=utc),
    )
    newer = make_share(
        alice,
        other,
        MY_TWEET,
        status=ShareStatus.VERIFIED,
        status_reason="Author matches.",
        submitted_at=datetime.datetime(2025, 3, 5, 1, 0, tzinfo=utc),
    )
    make_share(
        zara,
        campaign,
        "https://www.facebook.com/zara/posts/1",
        status=ShareStatus.PENDING,
        submitted_at=datetime.datetime(2025, 3, 6, tzinfo=utc),
    )
    html = alice_client.get("/shares/").content.decode()
    assert html.index(f'id="share-{newer.pk}"') < html.index(f'id="share-{older.pk}"')
    assert "zara" not in html
    assert 'class="badge badge-rejected">Rejected' in html
    assert 'class="badge badge-verified">Verified' in html
    assert "The post is not yours." in html
    assert "Author matches." not in html  # reasons only where the person must act
    assert "2 Mar 2025, 00:30" in html
    assert "X (Twitter)" in html and "Facebook" in html
    assert "Comms week" in html and "Budget day" in html


def test_hr_can_log_and_see_their_own_shares_too():
    hana = UserFactory(staff_id="hana", unit="HQ", role=Role.HR_ADMIN)
    campaign = make_campaign("Budget day")
    client = Client()
    client.force_login(hana)
    client.post("/shares/new/", {"campaign": campaign.pk, "url": MY_POST})
    assert "Budget day" in client.get("/shares/").content.decode()


def test_share_in_review_offers_a_screenshot_upload_link(alice, alice_client):
    share = make_share(
        alice,
        make_campaign("Open"),
        "https://www.facebook.com/alice/posts/77",
        status=ShareStatus.NEEDS_REVIEW,
        status_reason="sampled for review",
    )
    page = alice_client.get(reverse("campaigns:my_shares")).content.decode()
    assert reverse("review:screenshot_upload", args=[share.pk]) in page
    assert "sampled for review" in page
