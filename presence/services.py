"""Every write of social presence, each in one transaction with its audit entry:
required platforms per unit, must-follow official accounts, a person's "I follow",
HR's monthly spot-check sample and its marks."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts import services as account_services
from accounts.models import OrgUnit, Platform, ProofStatus, SocialAccount, User
from campaigns.models import OfficialAccount
from sharekpi import platforms as platform_rules
from sharekpi.screenshots import ScreenshotRefused, clean_screenshot

from . import selectors
from .models import (
    FollowConfirmation,
    FollowRequirement,
    RequiredPlatforms,
    SpotCheck,
    SpotCheckKind,
    SpotCheckResult,
)

SPOT_CHECK_PERCENT_MIN, SPOT_CHECK_PERCENT_MAX = 1, 100


class PresenceRefused(Exception):
    """A presence change that cannot be made; ``message`` says why, ``field`` the form or
    API field it belongs to; ``taken``: someone or something else holds it (API 409);
    ``forbidden``: not this person's to do (API 403)."""

    def __init__(
        self, message: str, *, field: str | None = None, taken: bool = False, forbidden=False
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.taken = taken
        self.forbidden = forbidden


def _require_hr(actor: User, message: str) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_hr_admin):
        raise PresenceRefused(message, forbidden=True)


# --- required platforms -------------------------------------------------------------------


def clean_platforms(values: Iterable[str]) -> list[str]:
    """Known platforms, each once, in the usual order; PresenceRefused names a bad one."""
    given = [str(v).strip().lower() for v in values]
    unknown = [v for v in given if v not in Platform.values]
    if unknown:
        raise PresenceRefused(
            _("%(value)s is not a platform; choose from %(platforms)s.")
            % {"value": unknown[0][:40], "platforms": ", ".join(Platform.values)},
            field="platforms",
        )
    return [p for p in Platform.values if p in set(given)]


@transaction.atomic
def set_required_platforms(
    *, unit: OrgUnit, platforms: Iterable[str] | None, actor: User
) -> RequiredPlatforms | None:
    """Say which platforms ``unit``'s people (and the units below, unless they say
    otherwise) must have an account on. ``[]``: no requirement here; ``None``: the
    unit's own entry goes and it inherits from above again."""
    _require_hr(actor, _("Only HR admins may set the required platforms."))
    wanted = None if platforms is None else clean_platforms(platforms)
    entry = RequiredPlatforms.objects.select_for_update().filter(unit=unit).first()
    before = None if entry is None else {"platforms": entry.platforms}
    if wanted is None:
        if entry is None:
            return None
        entry.delete()
        audit.record(
            actor=actor,
            action="required_platforms.cleared",
            object_type="accounts.orgunit",
            object_id=unit.pk,
            before=before | {"unit": unit.path},
            after=None,
        )
        return None
    if entry is not None and entry.platforms == wanted:
        return entry
    if entry is None:
        entry = RequiredPlatforms(unit=unit)
    entry.platforms = wanted
    entry.updated_by = actor
    entry.save()
    audit.record(
        actor=actor,
        action="required_platforms.set",
        object_type="accounts.orgunit",
        object_id=unit.pk,
        before=before,
        after={"unit": unit.path, "platforms": wanted},
    )
    return entry


# --- must-follow official accounts ----------------------------------------------------------


def _official_record(account: OfficialAccount, requirement: FollowRequirement | None) -> dict:
    return {
        "platform": account.platform,
        "handle": account.handle,
        "name": account.name,
        "profile_url": account.profile_url,
        "must_follow": bool(requirement and requirement.must_follow),
        "units": sorted(u.path for u in requirement.units.all()) if requirement else [],
    }


def parse_official_handle(*, platform: str, handle: str, exclude_pk: int | None = None):
    """(handle, profile URL) of an official account, by the platform rules; refused
    when it is not a profile (a post, a hashtag), when it is a staff member's own
    registered account, or when it is already an official account."""
    if platform not in Platform.values:
        raise PresenceRefused(
            _("Choose one of: %(platforms)s.") % {"platforms": ", ".join(Platform.values)},
            field="platform",
        )
    try:
        handle, profile_url = platform_rules.parse_profile(handle or "", platform)
    except platform_rules.InvalidShareUrl as exc:
        raise PresenceRefused(str(exc), field="handle") from exc
    label = Platform(platform).label
    if SocialAccount.objects.filter(platform=platform, handle__iexact=handle).exists():
        raise PresenceRefused(
            _(
                "@%(handle)s on %(platform)s is registered as a staff member's own account, "
                "so it cannot be an official account. Check the handle."
            )
            % {"handle": handle, "platform": label},
            field="handle",
            taken=True,
        )
    others = OfficialAccount.objects.filter(platform=platform, handle__iexact=handle)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise PresenceRefused(
            _("@%(handle)s on %(platform)s is already an official account.")
            % {"handle": handle, "platform": label},
            field="handle",
            taken=True,
        )
    return handle, profile_url


@transaction.atomic
def save_official_account(
    *,
    actor: User,
    platform: str,
    handle: str,
    name: str,
    must_follow: bool = True,
    units: Iterable[OrgUnit] = (),
    account: OfficialAccount | None = None,
) -> OfficialAccount:
    """Create (``account`` None) or change an official account and who must follow it
    (``units``: the audience, each with everything below it; none = everyone)."""
    _require_hr(actor, _("Only HR admins may change official accounts."))
    name = (name or "").strip()
    if not name:
        raise PresenceRefused(_("Give the account a name (whose account it is)."), field="name")
    handle, profile_url = parse_official_handle(
        platform=platform, handle=handle, exclude_pk=account.pk if account else None
    )
    units = list(units)
    if account is None:
        account = OfficialAccount(created_by=actor)
        before = None
        requirement = None
    else:
        account = OfficialAccount.objects.select_for_update().get(pk=account.pk)
        requirement = FollowRequirement.objects.filter(official_account=account).first()
        before = _official_record(account, requirement)
    account.platform, account.handle, account.name = platform, handle, name[:200]
    account.profile_url = profile_url
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError as exc:  # a race with another HR admin
        raise PresenceRefused(
            _("@%(handle)s is already an official account.") % {"handle": handle},
            field="handle",
            taken=True,
        ) from exc
    if requirement is None:
        requirement = FollowRequirement(official_account=account, created_by=actor)
    requirement.must_follow = bool(must_follow)
    requirement.save()
    requirement.units.set(units)
    after = _official_record(account, requirement)
    if after != before:
        audit.record(
            actor=actor,
            action="official_account.created" if before is None else "official_account.updated",
            obj=account,
            before=before,
            after=after,
        )
    return account


# --- "I follow" -------------------------------------------------------------------------------


@transaction.atomic
def set_follow(
    *, user: User, official_account: OfficialAccount, following: bool, screenshot=None
) -> FollowConfirmation:
    """The person's own word that they follow ``official_account`` (time-stamped, with an
    optional screenshot checked like share screenshots), or that they no longer do.
    Only for accounts the person is asked to follow."""
    if not selectors.is_asked_to_follow(user, official_account):
        raise PresenceRefused(
            _("%(account)s is not one of the accounts you are asked to follow.")
            % {"account": official_account},
            field="official_account",
            forbidden=True,
        )
    clean = None
    if screenshot is not None:
        if not following:
            raise PresenceRefused(
                _("A screenshot goes with “I follow”, not with withdrawing it."),
                field="screenshot",
            )
        try:
            # Decoded and encoded again: only the pixels are stored (sharekpi.screenshots).
            clean = clean_screenshot(screenshot)
        except ScreenshotRefused as exc:
            raise PresenceRefused(exc.message, field="screenshot") from exc
    confirmation = (
        FollowConfirmation.objects.select_for_update()
        .filter(user=user, official_account=official_account)
        .first()
    )
    if confirmation is None:
        if not following:
            raise PresenceRefused(
                _("You have not confirmed following this account."), field="following"
            )
        confirmation = FollowConfirmation(user=user, official_account=official_account)
        before = None
    else:
        before = _follow_record(confirmation)
    old_screenshot = confirmation.screenshot.name if confirmation.screenshot else ""
    now = timezone.now()
    if following:
        confirmation.following = True
        confirmation.confirmed_at = now
        confirmation.withdrawn_at = None
        if clean is not None:
            confirmation.screenshot.save(
                f"follow-{user.pk}-{official_account.pk}-{uuid.uuid4().hex}.{clean.extension}",
                clean.content,
                save=False,
            )
        else:
            old_screenshot = ""  # kept
    else:
        if not confirmation.following:
            return confirmation
        confirmation.following = False
        confirmation.withdrawn_at = now
        confirmation.screenshot = ""
    confirmation.save()
    audit.record(
        actor=user,
        action="follow.confirmed" if following else "follow.withdrawn",
        obj=confirmation,
        before=before,
        after=_follow_record(confirmation),
    )
    if old_screenshot:
        transaction.on_commit(lambda: default_storage.delete(old_screenshot))
    return confirmation


def _follow_record(confirmation: FollowConfirmation) -> dict:
    return {
        "user": confirmation.user.staff_id,
        "official_account": confirmation.official_account_id,
        "following": confirmation.following,
        "confirmed_at": confirmation.confirmed_at.isoformat()
        if confirmation.confirmed_at
        else None,
        "screenshot": bool(confirmation.screenshot),
    }


# --- spot checks ------------------------------------------------------------------------------


def clean_percent(percent) -> int:
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = None
    if isinstance(percent, bool) or (isinstance(percent, float) and percent != value):
        value = None
    if value is None or not SPOT_CHECK_PERCENT_MIN <= value <= SPOT_CHECK_PERCENT_MAX:
        raise PresenceRefused(
            _("The sample is a whole percentage from %(min)s to %(max)s.")
            % {"min": SPOT_CHECK_PERCENT_MIN, "max": SPOT_CHECK_PERCENT_MAX},
            field="percent",
        )
    return value


def _sample(pool: list, already: int, percent: int, rng) -> list:
    """Enough of ``pool`` (not drawn yet) that ``percent`` of everything (drawn or not)
    has been drawn: drawing twice in a month tops the sample up, never doubles it."""
    target = math.ceil((len(pool) + already) * percent / 100)
    wanted = max(0, min(len(pool), target - already))
    return rng.sample(pool, wanted)


@transaction.atomic
def draw_spot_checks(
    *, actor: User, month, percent, accounts: bool = True, rng=None
) -> dict[str, int]:
    """Draw ``percent`` % of ``month``'s follow confirmations (and, with ``accounts``, of
    the own accounts not proven yet) at random for HR to open and mark. Returns how many
    of each were drawn now."""
    _require_hr(actor, _("Only HR admins may draw spot checks."))
    percent = clean_percent(percent)
    month = selectors.month_start(month)
    if month > selectors.month_start(timezone.localdate()):
        raise PresenceRefused(_("That month has not started yet."), field="month")
    rng = rng or random.SystemRandom()
    confirmations, own_accounts = selectors.spot_check_pool(month)
    drawn = SpotCheck.objects.filter(month=month)
    follow_done = drawn.filter(kind=SpotCheckKind.FOLLOW)
    pool = list(
        confirmations.exclude(pk__in=follow_done.values("confirmation_id")).values_list(
            "pk", "user_id", "official_account_id"
        )
    )
    now = timezone.now()
    new = [
        SpotCheck(
            kind=SpotCheckKind.FOLLOW,
            month=month,
            confirmation_id=pk,
            user_id=user_id,
            official_account_id=account_id,
            drawn_by=actor,
            drawn_at=now,
        )
        for pk, user_id, account_id in _sample(pool, follow_done.count(), percent, rng)
    ]
    follow_count = len(new)
    if accounts:
        account_done = drawn.filter(kind=SpotCheckKind.ACCOUNT)
        account_pool = list(
            own_accounts.exclude(pk__in=account_done.values("social_account_id")).values_list(
                "pk", "user_id"
            )
        )
        new += [
            SpotCheck(
                kind=SpotCheckKind.ACCOUNT,
                month=month,
                social_account_id=pk,
                user_id=user_id,
                drawn_by=actor,
                drawn_at=now,
            )
            for pk, user_id in _sample(account_pool, account_done.count(), percent, rng)
        ]
    SpotCheck.objects.bulk_create(new, batch_size=1000)
    result = {"follow": follow_count, "account": len(new) - follow_count}
    audit.record(
        actor=actor,
        action="spot_check.drawn",
        object_type="presence.spotcheck",
        object_id=month.strftime("%Y-%m"),
        before=None,
        after={"month": month.strftime("%Y-%m"), "percent": percent, **result},
    )
    return result


def _check_record(check: SpotCheck) -> dict:
    return {"kind": check.kind, "month": check.month.strftime("%Y-%m"), "result": check.result}


@transaction.atomic
def mark_spot_check(
    *, spot_check: SpotCheck, actor: User, result: str, note: str = ""
) -> SpotCheck:
    """HR opened the profile: ``confirmed`` or ``not_found``, with a note. An own account
    marked confirmed is proven (the code was on the profile), not found: proof failed."""
    _require_hr(actor, _("Only HR admins may mark spot checks."))
    if result not in (SpotCheckResult.CONFIRMED, SpotCheckResult.NOT_FOUND):
        raise PresenceRefused(_("Mark it confirmed or not found."), field="result")
    check = SpotCheck.objects.select_for_update().get(pk=spot_check.pk)
    note = (note or "").strip()[:2000]
    if check.result == result and check.note == note:
        return check
    before = _check_record(check) | {"note": check.note}
    check.result = result
    check.note = note
    check.checked_by = actor
    check.checked_at = timezone.now()
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    audit.record(
        actor=actor,
        action="spot_check.marked",
        obj=check,
        before=before,
        after=_check_record(check)
        | {
            "note": note,
            "user": check.user.staff_id,
            "official_account": check.official_account_id,
        },
    )
    if check.kind == SpotCheckKind.ACCOUNT and check.social_account_id:
        _settle_account_proof(check, actor=actor, confirmed=result == SpotCheckResult.CONFIRMED)
    return check


def _settle_account_proof(check: SpotCheck, *, actor: User, confirmed: bool) -> None:
    account = SocialAccount.objects.filter(pk=check.social_account_id).first()
    if account is None or account.proof_status == ProofStatus.PROVEN:
        return
    if not account.proof_needs_check:
        # accounts' spot-check decision is for proofs waiting with a screenshot; a sampled
        # account is put in that state first (the mark is HR's look at the profile itself).
        SocialAccount.objects.filter(pk=account.pk).update(proof_needs_check=True)
        account.proof_needs_check = True
    account_services.decide_proof_spot_check(
        account=account, actor=actor, confirmed=confirmed, note=check.note
    )
