"""Ownership proof against the local fake platform server (verification.proofs):
the owner's code in a public bio proves the account; a public bio without it fails;
a profile the platform says does not exist fails; walls, captchas, redirects away
and pages without a bio leave it unproven and ask for a screenshot, which HR then
spot-checks. Never "failed" on a guess."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services as accounts
from accounts.models import ProofReason, ProofStatus, SocialAccount
from tests.factories import HrAdminFactory, UserFactory
from tests.images import PNG
from verification import proofs, verifiers

pytestmark = pytest.mark.django_db

TIKTOK, YOUTUBE = "www.tiktok.com", "www.youtube.com"


@pytest.fixture(autouse=True)
def network_on(settings, tmp_path):
    settings.SHAREKPI_VERIFY_NETWORK = True
    settings.SHAREKPI_RATE_LIMIT_PER_HOST = 0
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


def account_of(user, platform: str, handle: str) -> SocialAccount:
    account, _ = accounts.set_account(user=user, platform=platform, handle=handle, actor=user)
    return account


def code_of(user) -> str:
    return accounts.proof_code_for(user).code


def tiktok_profile(bio: str) -> bytes:
    return (
        f'<html><head><meta name="description" content="{bio}"></head><body>'
        f'<script id="data">{{"user":{{"uniqueId":"alice.t","signature":"{bio}"}}}}</script>'
        "</body></html>"
    ).encode()


def youtube_channel(description: str) -> bytes:
    return (
        f'<html><head><meta property="og:description" content="{description}"></head></html>'
    ).encode()


def checked(account: SocialAccount) -> SocialAccount:
    proofs.check(account.pk)
    account.refresh_from_db()
    return account


def test_code_in_a_tiktok_bio_proves_the_account(fake_platform, alice):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(
        TIKTOK, "/@alice.t", body=tiktok_profile(f"Civil servant. {code_of(alice)}")
    )

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.PROVEN,
        ProofReason.CODE_FOUND,
    )
    assert account.proof_checked_at is not None
    assert [r.path for r in fake_platform.requests] == ["/@alice.t"]


def test_code_typed_in_lower_case_without_the_hyphen_still_counts(fake_platform, alice):
    account = account_of(alice, "youtube", "@AliceTan")
    typed = code_of(alice).replace("-", " ").lower()
    fake_platform.serve(YOUTUBE).route(
        YOUTUBE, "/@alicetan", body=youtube_channel(f"My channel · {typed}")
    )

    assert checked(account).proof_status == ProofStatus.PROVEN


def test_public_bio_without_the_code_fails_with_a_reason(fake_platform, alice):
    account = account_of(alice, "youtube", "@AliceTan")
    fake_platform.serve(YOUTUBE).route(
        YOUTUBE, "/@alicetan", body=youtube_channel("Travel videos and recipes")
    )

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.FAILED,
        ProofReason.CODE_NOT_FOUND,
    )
    assert "Put the code in your bio" in account.proof_message
    assert not account.proof_wants_screenshot


def test_someone_elses_code_does_not_prove_it(fake_platform, alice):
    bob = UserFactory(staff_id="bob")
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", body=tiktok_profile(code_of(bob)))

    assert checked(account).proof_status == ProofStatus.FAILED


@pytest.mark.parametrize("status", [404, 410])
def test_profile_that_does_not_exist_fails(fake_platform, alice, status):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", status=status)

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.FAILED,
        ProofReason.PROFILE_NOT_FOUND,
    )


def test_tiktok_no_such_user_page_answering_200_fails(fake_platform, alice):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(
        TIKTOK, "/@alice.t", body=b'<html><script>{"statusCode":10221}</script></html>'
    )

    assert checked(account).proof_reason == ProofReason.PROFILE_NOT_FOUND


@pytest.mark.parametrize(
    "route",
    [
        pytest.param({"status": 302, "headers": {"Location": "/login?redirect=1"}}, id="login"),
        pytest.param({"body": b"<html><body><form id=login_form></form></body></html>"}, id="form"),
        pytest.param(
            {"body": b"<html><body>Please solve this captcha</body></html>"}, id="captcha"
        ),
    ],
)
def test_a_wall_leaves_it_unproven_and_asks_for_a_screenshot(fake_platform, alice, route):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", **route)
    fake_platform.route(TIKTOK, "/login", body=b"<html>log in</html>")

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.UNPROVEN,
        ProofReason.LOGIN_WALL,
    )
    assert account.proof_wants_screenshot


def test_a_page_without_a_bio_leaves_it_unproven(fake_platform, alice):
    account = account_of(alice, "youtube", "@AliceTan")
    fake_platform.serve(YOUTUBE).route(YOUTUBE, "/@alicetan", body=b"<html><p>hi</p></html>")

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.UNPROVEN,
        ProofReason.NO_PUBLIC_BIO,
    )


def test_a_redirect_to_another_profile_is_not_taken_for_this_one(fake_platform, alice):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).redirect(TIKTOK, "/@alice.t", "/@someone.else")
    fake_platform.route(TIKTOK, "/@someone.else", body=tiktok_profile(code_of(alice)))

    account = checked(account)

    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.UNPROVEN,
        ProofReason.COULD_NOT_CHECK,
    )


def test_a_platform_error_is_retried_and_the_last_try_says_could_not_check(fake_platform, alice):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", status=503)

    with pytest.raises(verifiers.TemporaryFailure):
        proofs.check(account.pk, last_try=False)
    account.refresh_from_db()
    assert account.proof_checked_at is None  # nothing recorded before the last try

    proofs.check(account.pk, last_try=True)
    account.refresh_from_db()
    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.UNPROVEN,
        ProofReason.COULD_NOT_CHECK,
    )


@pytest.mark.parametrize("platform,handle", [("x", "alice_t"), ("instagram", "alice.t")])
def test_platforms_that_show_no_bio_are_not_fetched(fake_platform, alice, platform, handle):
    account = account_of(alice, platform, handle)
    fake_platform.serve("x.com", "www.instagram.com")

    account = checked(account)

    assert account.proof_reason == ProofReason.NO_PUBLIC_BIO
    assert fake_platform.requests == []


def test_network_off_asks_for_a_screenshot_without_fetching(settings, fake_platform, alice):
    settings.SHAREKPI_VERIFY_NETWORK = False
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK)

    assert checked(account).proof_reason == ProofReason.COULD_NOT_CHECK
    assert fake_platform.requests == []


def test_a_proven_account_is_not_fetched_again(fake_platform, alice):
    account = account_of(alice, "tiktok", "@alice.t")
    fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", body=tiktok_profile(code_of(alice)))
    checked(account)

    assert proofs.check(account.pk) is None
    assert len(fake_platform.requests) == 1


def test_screenshot_then_hr_spot_check_proves_or_fails(fake_platform, alice):
    hana = HrAdminFactory(staff_id="hana", unit="People")
    account = account_of(alice, "x", "alice_t")
    account = checked(account)
    assert account.proof_wants_screenshot

    upload = SimpleUploadedFile("bio.png", PNG, content_type="image/png")
    account = accounts.attach_proof_screenshot(account=account, user=alice, upload=upload)
    assert account.proof_needs_check and account.proof_reason == ProofReason.AWAITING_SPOT_CHECK
    assert account in accounts_awaiting()

    account = accounts.decide_proof_spot_check(account=account, actor=hana, confirmed=False)
    assert (account.proof_status, account.proof_reason) == (
        ProofStatus.FAILED,
        ProofReason.SPOT_CHECK_FAILED,
    )
    assert not account.proof_needs_check and account not in accounts_awaiting()


def test_only_hr_spot_checks_and_only_the_owner_attaches(alice):
    bob = UserFactory(staff_id="bob")
    account = account_of(alice, "x", "alice_t")
    upload = SimpleUploadedFile("bio.png", PNG, content_type="image/png")
    with pytest.raises(accounts.AccountRefused):
        accounts.attach_proof_screenshot(account=account, user=bob, upload=upload)
    with pytest.raises(accounts.AccountRefused):
        accounts.decide_proof_spot_check(account=account, actor=bob, confirmed=True)


def accounts_awaiting():
    from accounts.selectors import accounts_awaiting_spot_check

    return list(accounts_awaiting_spot_check())


def test_prove_through_the_api_runs_the_check(settings, fake_platform, alice, client):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from sharekpi.celery import app

    app.conf.task_always_eager = True
    try:
        account = account_of(alice, "tiktok", "@alice.t")
        fake_platform.serve(TIKTOK).route(TIKTOK, "/@alice.t", body=tiktok_profile(code_of(alice)))
        client.force_login(alice)

        response = client.post(f"/api/v1/me/accounts/{account.pk}/prove/")

        assert response.status_code == 202
        account.refresh_from_db()
        assert account.proof_status == ProofStatus.PROVEN
        listed = client.get("/api/v1/me/accounts/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert rows[0]["proof_status"] == "proven"
    finally:
        app.conf.task_always_eager = False


def test_nobody_proves_someone_elses_account(alice, client):
    account = account_of(alice, "tiktok", "@alice.t")
    client.force_login(UserFactory(staff_id="bob"))

    assert client.post(f"/api/v1/me/accounts/{account.pk}/prove/").status_code == 404
