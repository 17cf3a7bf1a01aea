"""Every route has an access rule, and this walk proves it for every role.

A route missing from ACCESS fails ``test_every_route_has_an_access_rule``:
adding a page means saying here who may open it.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from campaigns.models import ShareStatus
from tests.factories import UserFactory, make_campaign, make_share, make_unit

ANON, STAFF, MANAGER, OTHER_MANAGER, HR = "anonymous", "staff", "manager", "other_manager", "hr"
ROLES = [ANON, STAFF, MANAGER, OTHER_MANAGER, HR]
LOGGED_IN = {STAFF, MANAGER, OTHER_MANAGER, HR}
EVERYONE = set(ROLES)
MANAGERS_HR = {MANAGER, OTHER_MANAGER, HR}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)

# name → (method, kwargs from the world, roles allowed)
ACCESS: dict[str, tuple[str, object, set[str]]] = {
    "home": ("get", None, LOGGED_IN),
    "login": ("get", None, EVERYONE),
    "accounts:login": ("get", None, EVERYONE),
    "accounts:logout": ("post", None, LOGGED_IN),
    "accounts:password_change": ("get", None, LOGGED_IN),
    "accounts:password_change_done": ("get", None, LOGGED_IN),
    "accounts:password_reset": ("get", None, EVERYONE),
    "accounts:password_reset_done": ("get", None, EVERYONE),
    "accounts:password_set": ("get", lambda w: {"uidb64": "MQ", "token": "bad-token"}, EVERYONE),
    "accounts:password_set_done": ("get", None, EVERYONE),
    "accounts:staff_import": ("get", None, {HR}),
    "accounts:staff_import_confirm": ("post", None, {HR}),
    "accounts:staff_import_template": ("get", None, {HR}),
    "my_data": ("get", None, LOGGED_IN),
    "my_data_download": ("get", None, LOGGED_IN),
    "api:my-data": ("get", None, LOGGED_IN),
    "campaigns:campaign_list": ("get", None, LOGGED_IN),
    "campaigns:campaign_create": ("get", None, MANAGERS_HR),
    "campaigns:campaign_detail": ("get", lambda w: {"pk": w["campaign"].pk}, MANAGERS_HR),
    "campaigns:campaign_edit": ("get", lambda w: {"pk": w["campaign"].pk}, {HR}),
    "campaigns:campaign_close": ("post", lambda w: {"pk": w["campaign"].pk}, {HR}),
    "campaigns:campaign_publish": ("post", lambda w: {"pk": w["campaign"].pk}, {HR}),
    "campaigns:campaign_not_shared_csv": ("get", lambda w: {"pk": w["campaign"].pk}, MANAGERS_HR),
    "campaigns:my_shares": ("get", None, LOGGED_IN),
    "campaigns:share_create": ("get", None, LOGGED_IN),
    "campaigns:bookmarklet": ("get", None, LOGGED_IN),
    "campaigns:manifest": ("get", None, EVERYONE),
    "notifications:preferences": ("get", None, LOGGED_IN),
    # The signed token is the access: anyone holding alice's link (no login needed).
    "notifications:unsubscribe": ("get", lambda w: {"token": _unsubscribe_token(w)}, EVERYONE),
    "scoring:my_kpi": ("get", None, LOGGED_IN),
    "scoring:kpi_report": ("get", None, MANAGERS_HR),
    "scoring:kpi_statement": ("get", lambda w: {"staff_id": "alice"}, {STAFF, MANAGER, HR}),
    "scoring:scheme_current": ("get", None, {HR}),
    "scoring:scheme_edit": ("get", lambda w: {"year": w["year"]}, {HR}),
    "scoring:year_list": ("get", None, {HR}),
    "scoring:year_close": ("post", lambda w: {"year": w["year"]}, {HR}),
    "scoring:year_recompute": ("post", lambda w: {"year": w["year"]}, {HR}),
    "scoring:year_reopen": ("post", lambda w: {"year": w["year"]}, set()),  # superusers only
    "dashboard:dashboard": ("get", None, MANAGERS_HR),
    "dashboard:dashboard_missing_csv": ("get", None, MANAGERS_HR),
    "dashboard:dashboard_settings": ("post", None, {HR}),
    "review:review_queue": ("get", None, {HR}),
    "review:review_bulk": ("post", None, {HR}),
    "review:review_decide": ("post", lambda w: {"pk": w["share"].pk}, {HR}),
    "review:policy_list": ("get", None, {HR}),
    "review:screenshot": ("get", lambda w: {"pk": w["share"].pk}, {STAFF, HR}),
    "review:screenshot_upload": ("get", lambda w: {"pk": w["share"].pk}, {STAFF}),
    "api:share-review": ("post", lambda w: {"pk": w["share"].pk}, {HR}),
    "api:share-appeal": ("post", lambda w: {"pk": w["share"].pk}, {STAFF}),
    "api:appeal-list": ("get", None, LOGGED_IN),
    "api:appeal-decide": ("post", lambda w: {"pk": 1}, {HR}),
    "appeals:appeal_list": ("get", None, LOGGED_IN),
    "appeals:appeal_create": ("get", lambda w: {"share_pk": w["share"].pk}, {STAFF}),
    "appeals:appeal_decide": ("post", lambda w: {"pk": 1}, {HR}),
    "appeals:appeal_screenshot": ("get", lambda w: {"pk": 1}, set()),
    "audit:audit_log": ("get", None, {HR}),
    "audit:audit_csv": ("get", None, {HR}),
    "api:audit-list": ("get", None, {HR}),
    "healthz": ("get", None, EVERYONE),
    "set_language": ("post", None, EVERYONE),
    "api:schema": ("get", None, EVERYONE),
    "api:docs": ("get", None, EVERYONE),
    "api:auth-token": ("post", None, EVERYONE),
    "api:campaign-list": ("get", None, LOGGED_IN),
    "api:campaign-detail": ("get", lambda w: {"pk": w["campaign"].pk}, LOGGED_IN),
    "api:share-list": ("get", None, LOGGED_IN),
    "api:share-detail": ("get", lambda w: {"pk": w["share"].pk}, {STAFF, MANAGER, HR}),
    "api:score-list": ("get", None, MANAGERS_HR),
    "api:score-me": ("get", None, LOGGED_IN),
    "api:scoring-scheme-detail": ("get", lambda w: {"year": w["year"]}, LOGGED_IN),
    "me:my_accounts": ("get", None, LOGGED_IN),
    "me:my_proof_code_renew": ("post", None, LOGGED_IN),
    "me:my_api_token": ("get", None, LOGGED_IN),
    "me:my_api_token_revoke": ("post", None, LOGGED_IN),
    "me:my_account_remove": ("post", lambda w: {"pk": _account(w).pk}, {STAFF}),
    "me:my_account_prove": ("post", lambda w: {"pk": _account(w).pk}, {STAFF}),
    "me:my_account_screenshot": ("get", lambda w: {"pk": _account(w).pk}, {STAFF}),
    "accounts:proof_screenshot": ("get", lambda w: {"pk": _account(w, shot=True).pk}, {STAFF, HR}),
    "api:my-account-list": ("get", None, LOGGED_IN),
    "api:my-account-detail": ("get", lambda w: {"pk": _account(w).pk}, {STAFF}),
    "api:my-account-prove": ("post", lambda w: {"pk": _account(w).pk}, {STAFF}),
    "api:unit-list": ("get", None, LOGGED_IN),
    # presence (presence-core): required platforms, must-follow accounts, I follow, spot checks
    "presence:required_platforms": ("get", None, {HR}),
    "presence:must_follow": ("get", None, {HR}),
    "presence:must_follow_edit": ("get", lambda w: {"pk": _official(w).pk}, {HR}),
    "presence:follow": ("get", lambda w: {"pk": _official(w).pk}, LOGGED_IN),
    "presence:follow_screenshot": ("get", lambda w: {"pk": _follow(w).pk}, {STAFF, HR}),
    "presence:spot_checks": ("get", None, {HR}),
    "presence:spot_check_draw": ("post", None, {HR}),
    "presence:spot_check_mark": ("post", lambda w: {"pk": _spot_check(w).pk}, {HR}),
    "presence:proof_decide": ("post", lambda w: {"pk": _account(w).pk}, {HR}),
    "api:required-platforms": ("get", None, LOGGED_IN),
    "api:official-account-list": ("get", None, LOGGED_IN),
    "api:official-account-follow": ("post", lambda w: {"pk": _official(w).pk}, LOGGED_IN),
    # presence: follower growth and the compliance report
    "growth:official": ("get", None, MANAGERS_HR),
    "growth:snapshot_create": ("post", None, {HR}),
    "growth:account_snapshots": ("get", lambda w: {"pk": _official(w).pk}, MANAGERS_HR),
    "growth:drive_create": ("post", None, {HR}),
    "growth:drive_detail": ("get", lambda w: {"pk": _drive(w).pk}, MANAGERS_HR),
    "compliance:report": ("get", None, MANAGERS_HR),
    "compliance:missing": ("get", None, MANAGERS_HR),
    "api:official-account-followers": ("get", lambda w: {"pk": _official(w).pk}, MANAGERS_HR),
    "api:follow-drive-list": ("get", None, MANAGERS_HR),
    "api:presence-report": ("get", None, MANAGERS_HR),
    "api:presence-missing": ("get", None, MANAGERS_HR),
}


def _official(world):
    """The governor's X account, which everyone must follow."""
    from campaigns.models import OfficialAccount
    from presence.models import FollowRequirement

    account, _ = OfficialAccount.objects.get_or_create(
        platform="x",
        handle="governor",
        defaults={"name": "Governor", "profile_url": "https://x.com/governor"},
    )
    FollowRequirement.objects.get_or_create(official_account=account)
    return account


def _follow(world):
    """alice's confirmation that she follows the governor, with a screenshot."""
    from presence.models import FollowConfirmation

    confirmation, _ = FollowConfirmation.objects.get_or_create(
        user=world["people"][STAFF], official_account=_official(world)
    )
    if not confirmation.screenshot:
        confirmation.screenshot.save("follow.png", ContentFile(PNG), save=True)
    return confirmation


def _spot_check(world):
    from presence.models import SpotCheck

    confirmation = _follow(world)
    check, _ = SpotCheck.objects.get_or_create(
        kind="follow",
        month=timezone.localdate().replace(day=1),
        confirmation=confirmation,
        defaults={"user": confirmation.user, "official_account": confirmation.official_account},
    )
    return check


def _unsubscribe_token(world) -> str:
    from notifications.mail import unsubscribe_token

    return unsubscribe_token(world["people"][STAFF].pk, "weekly_digest")


def _drive(world):
    from presence.models import FollowDrive

    drive, _ = FollowDrive.objects.get_or_create(
        official_account=_official(world), starts_on=timezone.localdate()
    )
    return drive


def _account(world, *, shot: bool = False):
    """alice's (the staff member's) X account, with a proof screenshot if asked."""
    from accounts.models import SocialAccount

    account, _ = SocialAccount.objects.get_or_create(
        user=world["people"][STAFF], platform="x", defaults={"handle": "alice"}
    )
    if shot and not account.proof_screenshot:
        account.proof_screenshot.save("proof.png", ContentFile(PNG), save=True)
    return account


def route_names(resolver=None, namespace: str | None = None):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin: its own staff-only rule, tested in test_login
            inner = entry.namespace or None
            ns = ":".join(n for n in (namespace, inner) if n) or None
            yield from route_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_route_has_an_access_rule():
    missing = sorted(set(route_names()) - set(ACCESS))
    assert not missing, f"routes without an access rule in tests/test_access.py: {missing}"


@pytest.fixture
def world(db):
    """alice (staff, HQ/Comms), bob (manager, HQ/Comms), carol (manager, HQ/Finance), hana (HR)."""
    comms = make_unit("HQ/Comms")
    finance = make_unit("HQ/Finance")
    people = {
        STAFF: UserFactory(staff_id="alice", role=Role.STAFF, unit=comms),
        MANAGER: UserFactory(staff_id="bob", role=Role.MANAGER, unit=comms),
        OTHER_MANAGER: UserFactory(staff_id="carol", role=Role.MANAGER, unit=finance),
        HR: UserFactory(staff_id="hana", role=Role.HR_ADMIN, unit=make_unit("People")),
    }
    campaign = make_campaign()
    share = make_share(
        people[STAFF],
        campaign,
        "https://www.facebook.com/alice/posts/2",
        status=ShareStatus.NEEDS_REVIEW,
    )
    share.screenshot.save("proof.png", ContentFile(PNG), save=True)
    year = timezone.localdate().year
    from verification.models import Appeal

    rejected = make_share(
        people[STAFF], campaign, "https://x.com/alice/status/9", status=ShareStatus.REJECTED
    )
    Appeal.objects.create(
        pk=1,
        share=rejected,
        staff=people[STAFF],
        note="It is mine",
        appealed_status=ShareStatus.REJECTED,
        appealed_status_at=timezone.now(),
    )
    return {"people": people, "campaign": campaign, "share": share, "year": year}


def is_denied(response, role: str) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    login = reverse("login")
    return response.status_code == 302 and response["Location"].startswith(login) and role == ANON


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_route_access_for_every_role(name, world, client):
    method, kwargs_of, allowed = ACCESS[name]
    url = reverse(name, kwargs=kwargs_of(world) if kwargs_of else None)
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(world["people"][role])
        response = getattr(client, method)(url)
        # /healthz answers 503 here (no worker): that is its answer, not an error.
        assert response.status_code != 500, (role, url)
        if role in allowed:
            assert not is_denied(response, role), (
                f"{role} should reach {url}: {response.status_code}"
            )
        else:
            assert is_denied(response, role), f"{role} must not reach {url}: {response.status_code}"
