"""Fair play: where a share's link names its author, the author must be the person's
registered account on that platform, whatever the platform's policy. A mismatch, or no
registered account, sends the share to HR with that reason; it is never rejected
automatically (the handle may just be out of date), and links that name no author are
left to the policy.

The checks are structural (the link, the registered accounts), so they run with network
checks off, and no platform is asked."""

from __future__ import annotations

import pytest

from accounts.models import Platform
from campaigns.models import ShareStatus
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share
from verification import services as verification
from verification.models import PlatformPolicy, VerificationPolicy

pytestmark = pytest.mark.django_db

# (platform, a link of that platform that names its author, the author it names)
AUTHOR_SHAPES = [
    (Platform.FACEBOOK, "https://www.facebook.com/alice.tan/posts/1234567890", "alice.tan"),
    (Platform.FACEBOOK, "https://m.facebook.com/Alice.Tan/posts/1234567891/", "alice.tan"),
    (Platform.FACEBOOK, "https://www.facebook.com/alice.tan/videos/987654321/", "alice.tan"),
    (Platform.X, "https://x.com/AliceTan/status/1790000000000000001", "alicetan"),
    (Platform.X, "https://twitter.com/alicetan/status/1790000000000000002?s=20", "alicetan"),
    (Platform.TIKTOK, "https://www.tiktok.com/@alice.tan/video/7300000000000000001", "alice.tan"),
    (Platform.THREADS, "https://www.threads.net/@alice.tan/post/DAbc123xyz", "alice.tan"),
    (
        Platform.LINKEDIN,
        "https://www.linkedin.com/posts/alice-tan_budget-day-activity-7100000000000000001-AbCd",
        "alice-tan",
    ),
]
# Links that name no author: the policy decides alone.
NO_AUTHOR_SHAPES = [
    (Platform.FACEBOOK, "https://www.facebook.com/permalink.php?story_fbid=11&id=22"),
    (Platform.FACEBOOK, "https://www.facebook.com/groups/1234/posts/5678/"),
    (Platform.INSTAGRAM, "https://www.instagram.com/p/CxYz123abcd/"),
    (Platform.YOUTUBE, "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    (
        Platform.LINKEDIN,
        "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000002/",
    ),
]
POLICIES = [
    (VerificationPolicy.EVIDENCE, 0),
    (VerificationPolicy.SAMPLE, 0),
    (VerificationPolicy.SAMPLE, 100),
    (VerificationPolicy.REVIEW, 0),
]


@pytest.fixture(autouse=True)
def network_off(settings):
    settings.SHAREKPI_VERIFY_NETWORK = False


@pytest.fixture
def campaign():
    return make_campaign()


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan")


def set_policy(platform: str, policy: str, percent: int) -> None:
    PlatformPolicy.objects.update_or_create(
        platform=platform, defaults={"policy": policy, "sample_percent": percent}
    )


def verify(share):
    verification.run(share_id=share.pk, task_id="task-1")
    share.refresh_from_db()
    return share


def ids(shapes):
    return [shape[1] for shape in shapes]


@pytest.mark.parametrize(("platform", "url", "author"), AUTHOR_SHAPES, ids=ids(AUTHOR_SHAPES))
@pytest.mark.parametrize(("policy", "percent"), POLICIES)
def test_an_author_who_is_not_the_registered_account_goes_to_review_under_every_policy(
    alice, campaign, platform, url, author, policy, percent
):
    set_policy(platform, policy, percent)
    SocialAccountFactory(user=alice, platform=platform, handle="someone_else")
    share = verify(make_share(alice, campaign, url))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert (share.status_code, share.status_params) == (
        "review.author_not_yours",
        {"platform": platform, "author": author, "handle": "someone_else"},
    )
    why = share.reason
    assert f"@{author}" in why.staff and "@someone_else" in why.staff
    assert why.action == "accounts"
    attempt = share.attempts.get()
    assert f"names the author @{author}" in attempt.reason


@pytest.mark.parametrize(("platform", "url", "author"), AUTHOR_SHAPES, ids=ids(AUTHOR_SHAPES))
@pytest.mark.parametrize(("policy", "percent"), POLICIES)
def test_no_registered_account_goes_to_review_with_a_way_to_add_it(
    alice, campaign, platform, url, author, policy, percent
):
    set_policy(platform, policy, percent)
    share = verify(make_share(alice, campaign, url))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert share.status_code == "review.no_account"
    assert share.reason.action == "accounts"
    assert "My accounts" in share.reason.staff


@pytest.mark.parametrize(("platform", "url", "author"), AUTHOR_SHAPES, ids=ids(AUTHOR_SHAPES))
def test_the_registered_author_is_left_to_the_policy_whatever_the_case(
    alice, campaign, platform, url, author
):
    set_policy(platform, VerificationPolicy.SAMPLE, 0)
    SocialAccountFactory(user=alice, platform=platform, handle="@" + author.upper())
    share = verify(make_share(alice, campaign, url))

    assert share.status == ShareStatus.VERIFIED
    assert share.status_code == "verified.checks"


def test_an_account_on_another_platform_does_not_count(alice, campaign):
    set_policy(Platform.TIKTOK, VerificationPolicy.SAMPLE, 0)
    SocialAccountFactory(user=alice, platform=Platform.X, handle="alice.tan")
    share = verify(make_share(alice, campaign, AUTHOR_SHAPES[5][1]))
    assert share.status_code == "review.no_account"


@pytest.mark.parametrize(("platform", "url"), NO_AUTHOR_SHAPES, ids=ids(NO_AUTHOR_SHAPES))
def test_a_link_that_names_no_author_is_left_to_the_policy(alice, campaign, platform, url):
    set_policy(platform, VerificationPolicy.SAMPLE, 0)
    share = verify(make_share(alice, campaign, url))
    assert share.status == ShareStatus.VERIFIED


@pytest.mark.parametrize(("platform", "url", "author"), AUTHOR_SHAPES, ids=ids(AUTHOR_SHAPES))
def test_the_author_rule_never_rejects(alice, campaign, platform, url, author):
    for policy, percent in POLICIES:
        set_policy(platform, policy, percent)
        for handle in (None, "someone_else"):
            share = make_share(alice, campaign, url)
            if handle:
                account = SocialAccountFactory(user=alice, platform=platform, handle=handle)
            assert verify(share).status == ShareStatus.NEEDS_REVIEW
            share.delete()
            if handle:
                account.delete()
