"""Verifying a share over real HTTP against the local fake platform server.

Each test arranges what the "platform" answers, runs one verification
(verification.services.run, what the task calls) and checks what a person
would see: the share's status and reason, and the attempt recorded.

Actors: alice (staff, registered @alice on X, TikTok and YouTube), bob
(staff, no registered accounts).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Platform
from campaigns.models import Share, ShareStatus
from sharekpi import prepared
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share
from verification import fetch
from verification import services as verification
from verification.models import (
    PlatformPolicy,
    VerificationAttempt,
    VerificationOutcome,
    VerificationPolicy,
)

pytestmark = pytest.mark.django_db

ALL_HOSTS = (
    "publish.twitter.com",
    "x.com",
    "twitter.com",
    "www.tiktok.com",
    "vm.tiktok.com",
    "vt.tiktok.com",
    "www.youtube.com",
    "www.facebook.com",
    "fb.watch",
    "www.instagram.com",
    "www.threads.com",
    "www.linkedin.com",
    "lnkd.in",
    "t.co",
)


def detail(share: Share) -> str:
    """The detail HR reads: the reason of the attempt that decided the share."""
    return share.attempts.order_by("-pk").first().reason


@pytest.fixture(autouse=True)
def verification_settings(settings):
    settings.SHAREKPI_VERIFY_NETWORK = True
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 0
    return settings


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """Every platform host is mapped to the fake server; any other lookup is a test bug."""

    def resolve(host, port):
        raise AssertionError(f"test tried to resolve {host}: serve it from the fake platform")

    monkeypatch.setattr(fetch, "resolve", resolve)


@pytest.fixture
def platform(fake_platform):
    return fake_platform.serve(*ALL_HOSTS)


@pytest.fixture
def alice():
    user = UserFactory(staff_id="alice", full_name="Alice Tan")
    for name in (Platform.X, Platform.TIKTOK):
        SocialAccountFactory(
            user=user, platform=name, handle="Alice", profile_url=f"https://x.com/{name}/alice"
        )
    SocialAccountFactory(
        user=user,
        platform=Platform.YOUTUBE,
        handle="alice",
        profile_url="https://www.youtube.com/@alice",
    )
    # The walled platforms: the handles her post links show.
    for name, handle in ((Platform.FACEBOOK, "alice.tan"), (Platform.THREADS, "alice")):
        SocialAccountFactory(user=user, platform=name, handle=handle)
    return user


@pytest.fixture
def bob():
    return UserFactory(staff_id="bob", full_name="Bob Lim")


def set_policy(platform: str, policy: str, percent: int = 10) -> None:
    PlatformPolicy.objects.update_or_create(
        platform=platform, defaults={"policy": policy, "sample_percent": percent}
    )


def verify(share: Share, task_id: str = "task-1", **kwargs) -> Share:
    verification.run(share_id=share.pk, task_id=task_id, **kwargs)
    share.refresh_from_db()
    return share


def only_attempt(share: Share) -> VerificationAttempt:
    attempts = list(share.attempts.all())
    assert len(attempts) == 1, [(a.outcome, a.reason) for a in attempts]
    return attempts[0]


X_POST = "https://x.com/alice/status/1790000000000000001"
TIKTOK_POST = "https://www.tiktok.com/@alice/video/7300000000000000001"
YOUTUBE_POST = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
FACEBOOK_POST = "https://www.facebook.com/alice.tan/posts/1234567890"


def x_oembed(author: str) -> dict:
    return {"author_name": author.title(), "author_url": f"https://twitter.com/{author}"}


# --- X -------------------------------------------------------------------------------


def test_x_post_by_the_registered_account_is_verified(platform, alice, campaign, status_changes):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(make_share(alice, campaign, X_POST))

    assert share.status == ShareStatus.VERIFIED
    assert share.verified_at is not None
    assert share.last_checked_at is not None
    attempt = only_attempt(share)
    assert attempt.outcome == VerificationOutcome.VERIFIED
    assert attempt.http_status == 200
    assert attempt.url_fetched.startswith("https://publish.twitter.com/oembed?url=")
    assert "twitter.com%2Falice%2Fstatus" in attempt.url_fetched
    assert attempt.task_id == "task-1"
    assert status_changes == [(share.pk, "pending", "verified")]
    asked = [r for r in platform.requests if r.host == "publish.twitter.com"]
    assert len(asked) == 1


def test_x_post_by_someone_else_is_rejected(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("mallory"))
    share = verify(make_share(alice, campaign, X_POST))

    assert share.status == ShareStatus.REJECTED
    assert "@mallory" in detail(share)
    assert "@Alice" in detail(share)
    assert only_attempt(share).outcome == VerificationOutcome.REJECTED


def test_author_comparison_ignores_case(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("ALICE"))
    assert verify(make_share(alice, campaign, X_POST)).status == ShareStatus.VERIFIED


def test_no_registered_account_goes_to_review_saying_so(platform, bob, campaign):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("bob"))
    share = verify(make_share(bob, campaign, "https://x.com/bob/status/1790000000000000002"))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "no registered X (Twitter) account" in detail(share)


def test_x_oembed_404_confirmed_by_the_post_page_is_rejected_as_gone(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", status=404)
    platform.route("x.com", "/alice/status/1790000000000000001", status=404)
    share = verify(make_share(alice, campaign, X_POST))

    assert share.status == ShareStatus.REJECTED
    assert share.status_code == "rejected.gone"
    assert only_attempt(share).http_status == 404


def test_x_oembed_404_alone_may_be_rate_limiting_so_review(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", status=404)
    platform.route("x.com", "/alice/status/1790000000000000001", body=b"<html>app</html>")
    share = verify(make_share(alice, campaign, X_POST))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "rate limiting" in detail(share)


def test_x_protected_account_goes_to_review(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", status=403)
    share = verify(make_share(alice, campaign, X_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "403" in detail(share)


def test_oembed_answer_that_is_not_json_goes_to_review(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", body=b"<html>are you a robot?</html>")
    share = verify(make_share(alice, campaign, X_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "JSON" in detail(share)


# --- TikTok ------------------------------------------------------------------------------


def test_tiktok_author_unique_id_matches(platform, alice, campaign):
    platform.route(
        "www.tiktok.com",
        "/oembed",
        json={"author_unique_id": "alice", "author_url": "https://www.tiktok.com/@alice"},
    )
    share = verify(make_share(alice, campaign, TIKTOK_POST))
    assert share.status == ShareStatus.VERIFIED


def test_tiktok_other_author_is_rejected(platform, alice, campaign):
    platform.route("www.tiktok.com", "/oembed", json={"author_unique_id": "someone.else"})
    share = verify(make_share(alice, campaign, TIKTOK_POST))
    assert share.status == ShareStatus.REJECTED
    assert "@someone.else" in detail(share)


def test_tiktok_short_link_is_expanded_then_checked(platform, alice, campaign):
    platform.redirect("vm.tiktok.com", "/ZMabc123", TIKTOK_POST + "?_r=1&u_code=xyz", 301)
    platform.route("www.tiktok.com", "/oembed", json={"author_unique_id": "alice"})
    share = verify(make_share(alice, campaign, "https://vm.tiktok.com/ZMabc123/"))

    assert share.status == ShareStatus.VERIFIED
    assert share.normalized_url == TIKTOK_POST
    assert share.short_url == "https://vm.tiktok.com/ZMabc123"
    assert share.post_id == "7300000000000000001"
    assert f"leads to {TIKTOK_POST}" in only_attempt(share).reason


# --- YouTube -----------------------------------------------------------------------------


def test_youtube_author_url_matches_the_registered_handle(platform, alice, campaign):
    platform.route(
        "www.youtube.com",
        "/oembed",
        json={"author_name": "Alice", "author_url": "https://www.youtube.com/@Alice"},
    )
    assert verify(make_share(alice, campaign, YOUTUBE_POST)).status == ShareStatus.VERIFIED


def test_youtube_channel_id_cannot_be_compared_with_a_handle(platform, alice, campaign):
    platform.route(
        "www.youtube.com",
        "/oembed",
        json={"author_url": "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv"},
    )
    share = verify(make_share(alice, campaign, YOUTUBE_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "by hand" in detail(share)


def test_youtube_404_confirmed_on_the_watch_page_is_rejected(platform, alice, campaign):
    platform.route("www.youtube.com", "/oembed", status=404)
    platform.route("www.youtube.com", "/watch", status=404)
    share = verify(make_share(alice, campaign, YOUTUBE_POST))
    assert share.status == ShareStatus.REJECTED
    assert "404" in detail(share)
    assert share.status_code == "rejected.gone"


def test_youtube_400_and_unavailable_marker_is_gone(platform, alice, campaign):
    platform.route("www.youtube.com", "/oembed", status=400)
    platform.route(
        "www.youtube.com",
        "/watch",
        body=b'<script>var x = {"playabilityStatus":{"status":"ERROR",'
        b'"reason":"Video unavailable"}}</script>',
    )
    share = verify(make_share(alice, campaign, YOUTUBE_POST))
    assert share.status == ShareStatus.REJECTED


def test_youtube_401_exists_with_embedding_off_goes_to_review_under_evidence(
    platform, alice, campaign
):
    platform.route("www.youtube.com", "/oembed", status=401)
    share = verify(make_share(alice, campaign, YOUTUBE_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert share.status_code == "review.author_unchecked"
    assert "embedding" in detail(share)


def test_youtube_under_sample_policy_is_not_fetched(platform, alice, campaign):
    set_policy(Platform.YOUTUBE, VerificationPolicy.SAMPLE, 0)
    platform.route("www.youtube.com", "/oembed", status=401)
    share = verify(make_share(alice, campaign, YOUTUBE_POST))
    assert share.status == ShareStatus.VERIFIED
    assert platform.requests == []


# --- login walls: facebook, instagram, threads, linkedin -------------------------------------


@pytest.fixture
def evidence_for_walled_platforms():
    for name in (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.THREADS, Platform.LINKEDIN):
        set_policy(name, VerificationPolicy.EVIDENCE)


def test_facebook_redirect_to_login_is_inconclusive(
    platform, alice, campaign, evidence_for_walled_platforms
):
    platform.redirect(
        "www.facebook.com",
        "/alice.tan/posts/1234567890",
        "https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Falice.tan",
    )
    platform.route("www.facebook.com", "/login/", body=b"<html>Log in</html>")
    share = verify(make_share(alice, campaign, FACEBOOK_POST))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "login page" in detail(share)
    assert only_attempt(share).outcome == VerificationOutcome.NEEDS_REVIEW


def test_facebook_login_form_on_the_post_page_is_inconclusive(
    platform, alice, campaign, evidence_for_walled_platforms
):
    platform.route(
        "www.facebook.com",
        "/alice.tan/posts/1234567890",
        body=b'<html><form id="login_form" action="/login/"></form></html>',
    )
    share = verify(make_share(alice, campaign, FACEBOOK_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "login form" in detail(share)


def test_canonical_link_to_login_is_inconclusive(
    platform, alice, campaign, evidence_for_walled_platforms
):
    platform.route(
        "www.instagram.com",
        "/p/CxYz123abcd",
        body=b'<html><head><link rel="canonical" href="https://www.instagram.com/accounts/login/">'
        b"</head></html>",
    )
    share = verify(make_share(alice, campaign, "https://www.instagram.com/p/CxYz123abcd/"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "login page" in detail(share)


def test_captcha_is_inconclusive(platform, alice, campaign, evidence_for_walled_platforms):
    platform.route(
        "www.threads.com", "/@alice/post/DAbc123xyz", body=b"<html>Please solve this CAPTCHA</html>"
    )
    share = verify(make_share(alice, campaign, "https://www.threads.com/@alice/post/DAbc123xyz"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "captcha" in detail(share)


def test_linkedin_999_is_inconclusive(platform, alice, campaign, evidence_for_walled_platforms):
    url = "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000001"
    platform.route("www.linkedin.com", "/feed/update/urn:li:activity:7100000000000000001", 999)
    share = verify(make_share(alice, campaign, url))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "999" in detail(share)
    assert only_attempt(share).http_status == 999


def test_linkedin_authwall_is_inconclusive(
    platform, alice, campaign, evidence_for_walled_platforms
):
    url = "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000001"
    platform.redirect(
        "www.linkedin.com",
        "/feed/update/urn:li:activity:7100000000000000001",
        "https://www.linkedin.com/authwall?trk=gf",
    )
    platform.route("www.linkedin.com", "/authwall", body=b"<html>Sign in</html>")
    share = verify(make_share(alice, campaign, url))
    assert share.status == ShareStatus.NEEDS_REVIEW


def test_open_page_whose_canonical_names_the_author_is_verified(
    platform, alice, campaign, evidence_for_walled_platforms
):
    platform.route(
        "www.facebook.com",
        "/alice.tan/posts/1234567890",
        body=b'<html><head><meta property="og:url" '
        b'content="https://www.facebook.com/alice.tan/posts/1234567890"></head></html>',
    )
    assert verify(make_share(alice, campaign, FACEBOOK_POST)).status == ShareStatus.VERIFIED


def test_facebook_page_404_is_gone(platform, alice, campaign, evidence_for_walled_platforms):
    platform.route("www.facebook.com", "/alice.tan/posts/1234567890", status=404)
    share = verify(make_share(alice, campaign, FACEBOOK_POST))
    assert share.status == ShareStatus.REJECTED


# --- short links ---------------------------------------------------------------------------


def test_fb_watch_short_link_resolves_to_the_post(platform, alice, campaign):
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    platform.redirect("fb.watch", "/abcDEF123", "https://www.facebook.com/watch/?v=987654321")
    share = verify(make_share(alice, campaign, "https://fb.watch/abcDEF123/"))

    assert share.status == ShareStatus.VERIFIED
    assert share.normalized_url == "https://www.facebook.com/watch?v=987654321"
    assert share.short_url == "https://fb.watch/abcDEF123"
    assert share.post_id == "987654321"
    # The post itself is not fetched under the sample policy: only the short link was.
    assert [r.host for r in platform.requests] == ["fb.watch"]


def test_short_link_to_an_already_logged_post_is_a_duplicate(platform, alice, bob, campaign):
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    first = make_share(bob, campaign, "https://www.facebook.com/watch?v=987654321")
    platform.redirect("fb.watch", "/abcDEF123", "https://www.facebook.com/watch/?v=987654321")
    share = make_share(alice, campaign, "https://fb.watch/abcDEF123/")
    share = verify(share)

    assert share.status == ShareStatus.REJECTED
    assert share.status_code == "rejected.duplicate"
    assert "already logged (by you or by someone else)" in share.reason.staff
    assert f"#{first.pk}" in only_attempt(share).reason
    assert share.normalized_url == "https://fb.watch/abcDEF123"


def test_facebook_share_link_that_stays_on_share_goes_to_review(platform, alice, campaign):
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    platform.route(
        "www.facebook.com",
        "/share/p/1AbCdEfGh",
        body=b'<html><head><link rel="canonical" href="https://www.facebook.com/share/p/1AbCdEfGh/">'
        b"</head></html>",
    )
    share = verify(make_share(alice, campaign, "https://www.facebook.com/share/p/1AbCdEfGh/"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "does not name a post" in detail(share)


def test_share_link_that_leads_to_login_goes_to_review(platform, alice, campaign):
    platform.redirect(
        "www.instagram.com",
        "/share/BAbc123",
        "https://www.instagram.com/accounts/login/?next=%2Fshare%2FBAbc123",
    )
    share = verify(make_share(alice, campaign, "https://www.instagram.com/share/BAbc123"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "login page" in detail(share)


def test_short_link_leading_off_the_platform_goes_to_review(platform, alice, campaign):
    platform.redirect("t.co", "/AbC123", "https://example.com/some-article", 301)
    share = verify(make_share(alice, campaign, "https://t.co/AbC123"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "example.com" in detail(share)


def test_short_link_that_answers_404_is_rejected(platform, alice, campaign):
    platform.route("lnkd.in", "/gXyZ123", status=404)
    share = verify(make_share(alice, campaign, "https://lnkd.in/gXyZ123"))
    assert share.status == ShareStatus.REJECTED


def test_t_co_to_an_x_post_is_verified_by_oembed(platform, alice, campaign):
    platform.redirect("t.co", "/AbC123", X_POST, 301)
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(make_share(alice, campaign, "https://t.co/AbC123"))
    assert share.status == ShareStatus.VERIFIED
    assert share.normalized_url == X_POST


# --- temporary failures and refusals --------------------------------------------------------


def test_429_with_retry_after_asks_for_a_retry(platform, alice, campaign):
    platform.too_many_requests("publish.twitter.com", "/oembed", retry_after=120)
    share = make_share(alice, campaign, X_POST)

    with pytest.raises(verification.TemporaryFailure) as raised:
        verification.run(share_id=share.pk, task_id="t-429", tries=1, max_tries=6)

    assert raised.value.retry_after == 120
    share.refresh_from_db()
    assert share.status == ShareStatus.PENDING
    attempt = only_attempt(share)
    assert attempt.outcome == VerificationOutcome.RETRY
    assert attempt.http_status == 429
    assert "try 1 of 6" in attempt.reason


def test_5xx_asks_for_a_retry(platform, alice, campaign):
    platform.route("www.tiktok.com", "/oembed", status=503)
    share = make_share(alice, campaign, TIKTOK_POST)
    with pytest.raises(verification.TemporaryFailure):
        verification.run(share_id=share.pk, task_id="t-503", tries=2, max_tries=6)
    assert only_attempt(share).http_status == 503


def test_time_out_asks_for_a_retry(platform, alice, campaign, settings):
    settings.SHAREKPI_FETCH_READ_TIMEOUT = 0.3
    settings.SHAREKPI_FETCH_TOTAL_TIMEOUT = 1
    platform.never_answer("publish.twitter.com", "/oembed", seconds=5)
    share = make_share(alice, campaign, X_POST)
    with pytest.raises(verification.TemporaryFailure):
        verification.run(share_id=share.pk, task_id="t-slow", tries=1, max_tries=6)
    assert only_attempt(share).outcome == VerificationOutcome.RETRY


def test_a_redelivered_try_does_not_record_its_retry_twice(platform, alice, campaign):
    platform.too_many_requests("publish.twitter.com", "/oembed", retry_after=5)
    share = make_share(alice, campaign, X_POST)
    for _ in range(2):
        with pytest.raises(verification.TemporaryFailure):
            verification.run(share_id=share.pk, task_id="t-same", tries=1, max_tries=6)
    assert share.attempts.count() == 1


def test_last_try_ends_in_review(platform, alice, campaign):
    platform.too_many_requests("publish.twitter.com", "/oembed", retry_after=5)
    share = verify(make_share(alice, campaign, X_POST), tries=6, max_tries=6)

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert (share.status_code, share.status_params) == (
        "review.unreachable",
        {"platform": "x", "tries": 6},
    )
    assert "could not be reached after 6 tries" in share.reason.staff
    assert only_attempt(share).outcome == VerificationOutcome.NEEDS_REVIEW


def test_redirect_to_a_refused_host_goes_to_review_not_reject(platform, alice, campaign):
    platform.redirect("publish.twitter.com", "/oembed", "https://evil.example/steal")
    share = verify(make_share(alice, campaign, X_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "not a platform host" in detail(share)


def test_oversized_answer_goes_to_review(platform, alice, campaign, settings):
    settings.SHAREKPI_FETCH_MAX_BYTES = 10_000
    platform.huge("www.tiktok.com", "/oembed", size=50_000)
    share = verify(make_share(alice, campaign, TIKTOK_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "more than the 10000 allowed" in detail(share)


def test_over_our_own_rate_limit_defers_without_an_attempt(platform, alice, settings):
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 1
    settings.CELERY_BROKER_URL = "filesystem://"  # the per-process window
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    # Three quick requests: at least two fall in the same one-second window.
    shares = [
        make_share(
            alice, make_campaign(f"C{i}"), f"https://x.com/alice/status/179000000000000000{i}"
        )
        for i in range(3)
    ]

    limited = []
    for share in shares:
        try:
            verification.run(share_id=share.pk, task_id=f"t{share.pk}")
        except verification.RateLimited as exc:
            limited.append(share)
            assert 0 < exc.retry_after <= 2
    assert limited
    for share in limited:
        share.refresh_from_db()
        assert share.status == ShareStatus.PENDING
        assert share.attempts.count() == 0


# --- policies --------------------------------------------------------------------------


def test_default_policy_for_facebook_is_sample_ten_percent(platform, alice, campaign):
    from verification import policies

    policy = policies.policy_for(Platform.FACEBOOK)
    assert (policy.policy, policy.sample_percent, policy.is_default) == ("sample", 10, True)
    assert policies.policy_for(Platform.X).policy == "evidence"


@pytest.mark.parametrize(
    ("percent", "status"), [(0, ShareStatus.VERIFIED), (100, ShareStatus.NEEDS_REVIEW)]
)
def test_sample_policy_is_deterministic_at_0_and_100(platform, alice, percent, status):
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, percent)
    shares = [
        make_share(
            alice, make_campaign(f"C{i}"), f"https://www.facebook.com/alice.tan/posts/{1000 + i}"
        )
        for i in range(10)
    ]
    for share in shares:
        assert verify(share, task_id=f"t{share.pk}").status == status
    if percent == 100:
        assert {s.status_code for s in Share.objects.all()} == {"review.sampled"}
    assert platform.requests == []  # structural checks only


def test_review_policy_sends_everything_to_review(platform, alice, campaign):
    set_policy(Platform.X, VerificationPolicy.REVIEW)
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(make_share(alice, campaign, X_POST))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert "sends every share to review" in detail(share)
    assert share.reason.staff.startswith("HR checks every X (Twitter) share")
    assert platform.requests == []


# --- network off ---------------------------------------------------------------------------


def test_network_off_evidence_policy_goes_to_review(platform, alice, campaign, settings):
    settings.SHAREKPI_VERIFY_NETWORK = False
    share = verify(make_share(alice, campaign, X_POST))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert share.status_code == "review.not_checked"
    assert "network" not in share.reason.staff
    assert "network verification is off" in only_attempt(share).reason
    assert platform.requests == []


def test_network_off_sample_policy_decides_as_usual(platform, alice, campaign, settings):
    settings.SHAREKPI_VERIFY_NETWORK = False
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    share = verify(make_share(alice, campaign, FACEBOOK_POST))
    assert share.status == ShareStatus.VERIFIED
    assert "network verification is off" in only_attempt(share).reason


def test_network_off_short_link_cannot_be_expanded(platform, alice, campaign, settings):
    settings.SHAREKPI_VERIFY_NETWORK = False
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    share = verify(make_share(alice, campaign, "https://fb.watch/abcDEF123/"))
    assert share.status == ShareStatus.NEEDS_REVIEW
    assert platform.requests == []


# --- structure, idempotency, signals ----------------------------------------------------------


def test_link_that_no_longer_passes_structural_checks_is_rejected(platform, alice, campaign):
    share = make_share(alice, campaign, X_POST)
    Share.objects.filter(pk=share.pk).update(url="https://x.com/alice")  # a profile, not a post
    share = verify(share)
    assert share.status == ShareStatus.REJECTED
    assert "profile" in detail(share)


def test_running_twice_with_the_same_task_id_records_one_attempt(
    platform, alice, campaign, status_changes
):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = make_share(alice, campaign, X_POST)
    verify(share, task_id="same")
    verify(share, task_id="same")
    assert share.attempts.count() == 1
    assert len(status_changes) == 1


def test_redelivered_task_with_a_final_attempt_does_nothing(platform, alice, campaign):
    """Even if the share were pending again, the task id that already decided it stops."""
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(make_share(alice, campaign, X_POST), task_id="t-crash")
    Share.objects.filter(pk=share.pk).update(status=ShareStatus.PENDING)

    assert verification.run(share_id=share.pk, task_id="t-crash") is None
    assert share.attempts.count() == 1
    assert len(platform.requests) == 1


def test_share_decided_meanwhile_is_left_alone(platform, alice, campaign):
    share = make_share(alice, campaign, X_POST, status=ShareStatus.NEEDS_REVIEW)
    assert verification.run(share_id=share.pk, task_id="t") is None
    assert share.attempts.count() == 0
    assert platform.requests == []


def test_unknown_share_is_ignored(platform):
    assert verification.run(share_id=999999, task_id="t") is None


# --- re-checks -----------------------------------------------------------------------------


def verified(share: Share) -> Share:
    Share.objects.filter(pk=share.pk).update(
        status=ShareStatus.VERIFIED, verified_at=timezone.now()
    )
    share.refresh_from_db()
    return share


def test_recheck_marks_removed_only_when_definitely_gone(platform, alice, campaign, status_changes):
    platform.route("publish.twitter.com", "/oembed", status=404)
    platform.route("x.com", "/alice/status/1790000000000000001", status=410)
    share = verify(verified(make_share(alice, campaign, X_POST)), recheck=True)

    assert share.status == ShareStatus.REMOVED
    assert only_attempt(share).outcome == VerificationOutcome.REMOVED
    assert status_changes == [(share.pk, "verified", "removed")]


def test_recheck_keeps_verified_when_inconclusive(platform, alice, campaign, status_changes):
    platform.route("publish.twitter.com", "/oembed", status=404)
    platform.route("x.com", "/alice/status/1790000000000000001", body=b"<html></html>")
    share = verify(verified(make_share(alice, campaign, X_POST)), recheck=True)

    assert share.status == ShareStatus.VERIFIED
    assert share.last_checked_at is not None
    assert "kept verified" in only_attempt(share).reason
    assert status_changes == []


def test_recheck_of_a_login_walled_post_keeps_it(platform, alice, campaign):
    platform.redirect(
        "www.facebook.com", "/alice.tan/posts/1234567890", "https://www.facebook.com/login/"
    )
    share = verify(verified(make_share(alice, campaign, FACEBOOK_POST)), recheck=True)
    assert share.status == ShareStatus.VERIFIED


def test_recheck_temporary_failure_is_recorded_not_retried(platform, alice, campaign):
    platform.too_many_requests("publish.twitter.com", "/oembed")
    share = verify(verified(make_share(alice, campaign, X_POST)), recheck=True)
    assert share.status == ShareStatus.VERIFIED
    assert only_attempt(share).outcome == VerificationOutcome.RETRY


def test_recheck_ignores_shares_that_are_not_verified(platform, alice, campaign):
    share = make_share(alice, campaign, X_POST)
    assert verification.run(share_id=share.pk, task_id="t", recheck=True) is None


# --- cost: what one verification asks of the database -----------------------------------

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@pytest.fixture
def no_status_listeners(monkeypatch):
    """Disconnect every receiver of campaigns' signals (scoring's, the dashboard's):
    what they cost is theirs, not verification's."""
    from django.dispatch import Signal

    from campaigns import signals

    found = [s for s in vars(signals).values() if isinstance(s, Signal)]
    assert found
    for signal in found:
        monkeypatch.setattr(signal, "receivers", [])
        signal.sender_receivers_cache.clear()
    yield
    for signal in found:
        signal.sender_receivers_cache.clear()


def statements(captured) -> list[str]:
    """The SQL statements run, without transaction control (BEGIN, SAVEPOINT...)."""
    return [
        prepared.source(q["sql"])  # an EXECUTE as the statement it runs
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]


def run_counted(share: Share, task_id: str = "task-1", **kwargs) -> tuple[str | None, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        outcome = verification.run(share_id=share.pk, task_id=task_id, **kwargs)
    return outcome, statements(captured)


def test_one_verification_is_four_statements(platform, alice, campaign, no_status_listeners):
    """Read (share, staff, policy, accounts, final attempt), lock (with the final-attempt
    check), insert the attempt, update the share. Pinned so it cannot silently grow."""
    set_policy(Platform.X, VerificationPolicy.EVIDENCE)
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = make_share(alice, campaign, X_POST)

    outcome, sql = run_counted(share)

    assert outcome == VerificationOutcome.VERIFIED
    assert len(sql) == 4, sql
    read, lock, insert, update = sql
    assert read.startswith("SELECT") and "platformpolicy" in read and "socialaccount" in read
    assert lock.startswith("SELECT") and "verificationattempt" in lock
    assert insert.startswith("INSERT INTO") and "verificationattempt" in insert
    assert update.startswith("UPDATE") and "campaigns_share" in update
    assert not any("platformpolicy" in s or "socialaccount" in s for s in sql[1:])


@pytest.mark.parametrize("policy", [VerificationPolicy.SAMPLE, VerificationPolicy.REVIEW])
def test_a_verification_without_evidence_is_four_statements_too(
    platform, alice, campaign, no_status_listeners, policy
):
    set_policy(Platform.FACEBOOK, policy, 0)
    share = make_share(alice, campaign, FACEBOOK_POST)

    outcome, sql = run_counted(share)

    assert outcome is not None
    assert len(sql) == 4, sql


def test_no_registered_account_costs_no_extra_statement(
    platform, bob, campaign, no_status_listeners
):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("bob"))
    share = make_share(bob, campaign, "https://x.com/bob/status/1790000000000000002")

    outcome, sql = run_counted(share)

    assert outcome == VerificationOutcome.NEEDS_REVIEW
    assert len(sql) == 4, sql
    share.refresh_from_db()
    # The staff member is named from the first query (str(user)), not loaded again.
    assert "Bob Lim (bob) has no registered X (Twitter) account" in detail(share)


def test_nothing_to_do_is_one_statement(platform, alice, campaign, no_status_listeners):
    share = make_share(alice, campaign, X_POST, status=ShareStatus.NEEDS_REVIEW)
    outcome, sql = run_counted(share)
    assert outcome is None
    assert len(sql) == 1, sql


def test_a_redelivered_message_is_stopped_by_the_first_statement(
    platform, alice, campaign, no_status_listeners
):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(make_share(alice, campaign, X_POST), task_id="t-once")
    Share.objects.filter(pk=share.pk).update(status=ShareStatus.PENDING)

    outcome, sql = run_counted(share, task_id="t-once")

    assert outcome is None
    assert len(sql) == 1, sql
    assert len(platform.requests) == 1


def test_a_policy_changed_by_hr_applies_to_the_next_verification(platform, alice, campaign):
    from verification import policies

    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    assert verify(make_share(alice, campaign, X_POST)).status == ShareStatus.VERIFIED

    hana = UserFactory(staff_id="hana", full_name="Hana Aziz")
    policies.set_policy(platform=Platform.X, policy="review", sample_percent=10, actor=hana)
    second = make_share(
        alice, make_campaign("C2"), "https://x.com/alice/status/1790000000000000009"
    )
    assert verify(second, task_id="t-2").status == ShareStatus.NEEDS_REVIEW

    PlatformPolicy.objects.filter(platform=Platform.X).delete()  # back to the default: evidence
    third = make_share(alice, make_campaign("C3"), "https://x.com/alice/status/1790000000000000010")
    assert verify(third, task_id="t-3").status == ShareStatus.VERIFIED


def test_a_final_attempt_recorded_meanwhile_stops_the_commit(
    platform, alice, campaign, monkeypatch, status_changes
):
    """The check under the row lock: another delivery of the same message decided the
    share while this one was asking the platform."""
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = make_share(alice, campaign, X_POST)
    real_assess = verification.assess

    def assess_while_the_other_delivery_commits(share, **kwargs):
        decision = real_assess(share, **kwargs)
        VerificationAttempt.objects.create(
            share_id=share.pk, outcome=VerificationOutcome.VERIFIED, task_id="t-twice"
        )
        return decision

    monkeypatch.setattr(verification, "assess", assess_while_the_other_delivery_commits)

    assert verification.run(share_id=share.pk, task_id="t-twice") is None
    assert share.attempts.count() == 1
    assert status_changes == []
    share.refresh_from_db()
    assert share.status == ShareStatus.PENDING


def test_the_attempt_row_records_the_check(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = make_share(alice, campaign, X_POST)
    before = timezone.now()

    verify(share, task_id="t-row")

    attempt = only_attempt(share)
    assert before <= attempt.started_at <= timezone.now()
    assert attempt.started_at.tzinfo is not None
    assert attempt.http_status == 200
    assert attempt.duration_ms >= 0
    assert attempt.url_fetched.startswith("https://publish.twitter.com/oembed?url=")
    assert attempt.reason == "X (Twitter) confirms the post is by @alice, the registered account"
    assert (attempt.outcome, attempt.task_id) == (VerificationOutcome.VERIFIED, "t-row")


def test_a_redelivered_recheck_does_not_ask_the_platform_again(platform, alice, campaign):
    platform.route("publish.twitter.com", "/oembed", json=x_oembed("alice"))
    share = verify(verified(make_share(alice, campaign, X_POST)), task_id="t-re", recheck=True)
    assert share.status == ShareStatus.VERIFIED
    asked = len(platform.requests)

    assert verification.run(share_id=share.pk, task_id="t-re", recheck=True) is None
    assert len(platform.requests) == asked
    assert share.attempts.count() == 1


def field_values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_shares_read_in_sql_are_the_ones_the_orm_would_load(alice, campaign):
    """Step 1 and step 3 read in SQL (Share.objects.raw); the instances must be what
    Share.objects.get gives (values converted: aware datetimes on SQLite too), with the
    staff member partly loaded and every account of the repeated rows handed on."""
    from django.db import transaction

    from verification import verifiers

    share = make_share(alice, campaign, X_POST)
    expected = field_values(Share.objects.get(pk=share.pk))

    loaded, policy = verification._load(share.pk, "t-new")
    assert field_values(loaded) == expected
    assert loaded.submitted_at.tzinfo is not None
    assert not verification._final_attempt_recorded(loaded)
    assert (policy.platform, policy.is_default) == (Platform.X, True)
    assert verifiers.registered_accounts(loaded, Platform.X) == [
        ("Alice", f"https://x.com/{Platform.X}/alice"),
    ]
    staff = loaded.staff
    assert (staff.pk, str(staff)) == (alice.pk, "Alice Tan (alice)")
    assert "email" in staff.get_deferred_fields()
    assert staff.email == alice.email  # a deferred field still loads when asked for

    with transaction.atomic():
        locked = verification._lock(share.pk, "t-new")
    assert field_values(locked) == expected
    assert not verification._final_attempt_recorded(locked)


def group_item(share: Share, task_id: str, status: str = ShareStatus.VERIFIED):
    return verification.PendingCommit(
        share_id=share.pk,
        task_id=task_id,
        expected=ShareStatus.PENDING,
        decision=verification.Decision(
            VerificationOutcome.VERIFIED if status == ShareStatus.VERIFIED else "review",
            f"decided {status}",
            status,
        ),
        started_at=timezone.now(),
        duration_ms=200,
    )


def test_a_group_commit_writes_each_share_once_in_a_fixed_number_of_statements(
    campaign, status_changes
):
    """The workers' group commit: every decision of the group in one transaction, the
    attempts in one INSERT and the statuses in one UPDATE; a share delivered twice in
    one group is decided once; the listeners hear every change."""
    people = [UserFactory(staff_id=f"p{n}") for n in range(6)]
    shares = [
        make_share(person, campaign, f"https://x.com/p{n}/status/{n}1")
        for n, person in enumerate(people)
    ]
    items = [group_item(share, f"t{share.pk}") for share in shares[:5]]
    items.append(group_item(shares[5], "t-last", ShareStatus.NEEDS_REVIEW))
    items.insert(2, group_item(shares[0], "t-again"))  # a second delivery in the same group

    # Its own statements (scoring's listeners, set-based too, come on top): the locks with
    # their final-attempt checks (on PostgreSQL one statement for the group, elsewhere one
    # per share), the INSERT and the UPDATE.
    with CaptureQueriesContext(connection) as captured:
        results = verification.commit_many(items)
    sql = [prepared.source(q["sql"]) for q in captured]
    own = [q for q in sql if "campaigns_" in q and "scoring_" not in q]
    locks = 1 if connection.vendor == "postgresql" else len(shares)
    assert len(own) == locks + 2, own

    assert results == ["verified"] * 2 + [None] + ["verified"] * 3 + ["review"]
    for share in shares:
        share.refresh_from_db()
        assert share.attempts.count() == 1
        assert share.last_checked_at is not None
    assert [s.status for s in shares] == [ShareStatus.VERIFIED] * 5 + [ShareStatus.NEEDS_REVIEW]
    assert all(s.verified_at for s in shares[:5]) and shares[5].verified_at is None
    assert sorted(status_changes) == sorted((s.pk, ShareStatus.PENDING, s.status) for s in shares)
    # A group delivered again (after a crash before the ack) writes nothing twice.
    assert verification.commit_many(items) == [None] * len(items)
    assert VerificationAttempt.objects.filter(share__in=shares).count() == len(shares)


def test_a_short_link_to_a_post_by_someone_else_goes_to_review(platform, alice, campaign):
    set_policy(Platform.FACEBOOK, VerificationPolicy.SAMPLE, 0)
    platform.redirect("fb.watch", "/abcDEF124", "https://www.facebook.com/mallory/posts/55")
    share = verify(make_share(alice, campaign, "https://fb.watch/abcDEF124/"))

    assert share.status == ShareStatus.NEEDS_REVIEW
    assert (share.status_code, share.status_params) == (
        "review.author_not_yours",
        {"platform": "facebook", "author": "mallory", "handle": "alice.tan"},
    )
    assert share.normalized_url == "https://www.facebook.com/mallory/posts/55"
