"""Fair play: the official post itself is never "my share" (DESIGN.md, Fair play).

Refused at submission, through every door (API, form, bookmarklet and phone share
target, which post the form), in any URL shape of any campaign's official post, and
when the URL's author is an official account. A short link is only known once the
verifier resolves it: then it is rejected as the official post.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Platform
from campaigns import selectors, services
from campaigns.models import CampaignPost, OfficialAccount, Share, ShareStatus
from tests.factories import UserFactory, make_campaign
from verification import services as verification
from verification.models import VerificationOutcome

pytestmark = pytest.mark.django_db

OFFICIAL_FB = "https://www.facebook.com/agency/posts/1001"
OFFICIAL_X = "https://x.com/ketuapengarah/status/4242"
ALICE_FB = "https://www.facebook.com/alice.tan/posts/5005"
OFFICIAL_POST_MESSAGE = (
    "That is the official post: share it from your own account, then paste the link of your share."
)

# The official Facebook post in the shapes people paste it in.
OFFICIAL_FB_SHAPES = [
    OFFICIAL_FB,
    "https://m.facebook.com/agency/posts/1001?fbclid=IwAR0abc&mibextid=Zxz2cZ",
    "https://web.facebook.com/agency/posts/1001/#comments",
    "http://FACEBOOK.com/agency/posts/1001/?__cft__[0]=AZU&__tn__=%2CO%2CP-R",
    "https://www.facebook.com/permalink.php?story_fbid=1001&id=100064",  # same post id
    "https://mbasic.facebook.com/agency/posts/1001?ref=share&utm_source=whatsapp",
]


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan")


@pytest.fixture
def campaign():
    return make_campaign(posts=(OFFICIAL_FB, OFFICIAL_X))


def api_submit(user, campaign, url: str):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/shares/", {"campaign": campaign.pk, "url": url}, format="json")


@pytest.mark.parametrize("url", OFFICIAL_FB_SHAPES)
def test_the_official_post_in_any_shape_is_refused_by_the_api(alice, campaign, url):
    response = api_submit(alice, campaign, url)

    assert response.status_code == 400
    assert response.json() == {"url": [OFFICIAL_POST_MESSAGE]}
    assert not Share.objects.exists()


def test_another_campaigns_official_post_is_refused_too(alice, campaign):
    other = make_campaign("Earlier news", posts=("https://x.com/govmy/status/777",))

    response = api_submit(alice, campaign, "https://twitter.com/govmy/status/777?s=20")

    assert other.pk != campaign.pk
    assert response.status_code == 400
    assert response.json() == {"url": [OFFICIAL_POST_MESSAGE]}


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://x.com/KetuaPengarah/status/999", "ketuapengarah"),  # author of a post
        ("https://mobile.twitter.com/ketuapengarah/status/1000?s=46", "ketuapengarah"),
        ("https://www.facebook.com/agency/posts/2002", "agency"),  # another of its posts
        ("https://www.tiktok.com/@jabatan.rasmi/video/7300000000000000001", "jabatan.rasmi"),
    ],
)
def test_a_post_by_an_official_account_is_refused(alice, campaign, url, handle):
    OfficialAccount.objects.create(
        platform=Platform.TIKTOK,
        handle="Jabatan.Rasmi",
        name="Agency",
        profile_url="https://www.tiktok.com/@jabatan.rasmi",
    )
    campaign.posts.create(
        url="https://www.tiktok.com/@jabatan.rasmi/video/7300000000000000000",
        **CampaignPost.parsed_fields(
            services.platforms.parse(
                "https://www.tiktok.com/@jabatan.rasmi/video/7300000000000000000"
            )
        ),
    )

    response = api_submit(alice, campaign, url)

    assert response.status_code == 400
    message = response.json()["url"][0]
    assert f"@{handle}" in message.lower()
    assert "share it from your own account" in message
    assert not Share.objects.exists()


def test_the_persons_own_share_is_accepted(alice, campaign):
    response = api_submit(alice, campaign, ALICE_FB + "?mibextid=abc")

    assert response.status_code == 201
    assert Share.objects.get().normalized_url == ALICE_FB


@pytest.mark.parametrize("source", ["form", "bookmarklet", "share-target"])
def test_the_form_refuses_the_official_post_with_the_same_words(client, alice, campaign, source):
    client.force_login(alice)

    response = client.post(
        "/shares/new/",
        {"campaign": campaign.pk, "url": OFFICIAL_FB_SHAPES[1], "source": source},
    )

    assert response.status_code == 200  # the form again, with the message
    assert "That is the official post" in response.content.decode()
    assert not Share.objects.exists()


def test_the_check_runs_in_the_submissions_existing_rules_query(alice, campaign):
    parsed = services.platforms.parse(OFFICIAL_FB_SHAPES[2])

    in_audience, post_platforms, official = selectors.share_rules(campaign, alice, parsed)

    assert in_audience
    assert post_platforms == {Platform.FACEBOOK, Platform.X}
    assert official == (selectors.OFFICIAL_POST, OFFICIAL_FB)
    assert selectors.official_match(services.platforms.parse(ALICE_FB)) is None


def test_a_short_link_to_the_official_post_is_rejected_by_the_verifier(
    fake_platform, alice, campaign, settings
):
    settings.SHAREKPI_VERIFY_NETWORK = True
    fake = fake_platform.serve("fb.watch", "www.facebook.com")
    fake.redirect("fb.watch", "/OffIcial1", OFFICIAL_FB + "?mibextid=x")
    share = services.submit_share(staff=alice, campaign=campaign, url="https://fb.watch/OffIcial1/")

    verification.run(share_id=share.pk, task_id="task-1")
    share.refresh_from_db()

    assert share.status == ShareStatus.REJECTED
    assert share.status_code == "rejected.official_post"
    assert share.reason.staff.startswith("The link leads to the official post, not to your share.")
    attempt = share.attempts.get()
    assert attempt.outcome == VerificationOutcome.REJECTED
    assert "an official post" in attempt.reason
