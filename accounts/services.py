"""Writes about people that are not the staff import itself: set-password links,
own social accounts (add, replace, remove, with history) and their ownership proof."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

import audit
from sharekpi import platforms
from sharekpi.celery import app as celery_app
from sharekpi.screenshots import ScreenshotRefused, clean_screenshot

from . import hooks, models
from .models import (
    AccountChange,
    Platform,
    ProofCode,
    ProofReason,
    ProofStatus,
    SocialAccount,
    SocialAccountChange,
    User,
)

log = logging.getLogger(__name__)


def send_set_password_links(*, users: Iterable[User], base_url: str) -> int:
    """Email each user a link to set their password (new staff from an import
    have no usable password until they do). One mail connection for all. The
    mail says who added them: their organisation, not the person themselves
    (it is not the "you asked for a reset" mail)."""
    parts = urlsplit(base_url)
    organisation = getattr(settings, "SHAREKPI_ORGANISATION_NAME", "")
    context = {"protocol": parts.scheme or "https", "domain": parts.netloc}
    messages = []
    for user in users:
        if not user.is_active or not user.email:
            continue
        context |= {
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        # In the person's own language: they have not logged in yet to choose one.
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context["organisation"] = organisation or _("Your organisation")
            subject = render_to_string("accounts/welcome_subject.txt", context).strip()
            body = render_to_string("accounts/welcome_email.txt", context)
        messages.append(EmailMessage(subject, body, to=[user.email]))
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


@transaction.atomic
def set_language(*, user: User, language: str) -> User:
    """Save the language a person chose with the switch ("" = follow the browser)."""
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ValueError(f"unknown language {language!r}")
    before = user.language
    if before == language:
        return user
    user.language = language
    user.save(update_fields=["language"])
    audit.record(
        actor=user,
        action="user.language_set",
        obj=user,
        before={"language": before},
        after={"language": language},
    )
    return user


def new_staff_without_password(staff_ids: Iterable[str]):
    """The users among ``staff_ids`` who still cannot log in (unusable password)."""
    return [
        user
        for user in User.objects.filter(staff_id__in=list(staff_ids), is_active=True)
        if not user.has_usable_password()
    ]


# --- own social accounts and their ownership proof ------------------------------------------

PROOF_CHECK_TASK = "verification.tasks.check_account_proof"
"""Sent by name: the check fetches the profile, and only verification may go out
to the internet (accounts sits below it and never imports it)."""


class AccountRefused(Exception):
    """A change to someone's accounts that cannot be made; ``message`` says why.

    ``field`` is the form/API field the message belongs to (``handle`` or
    ``platform``); ``taken`` marks "someone else holds it" (API: 409).
    """

    def __init__(self, message: str, *, field: str = "handle", taken: bool = False):
        super().__init__(message)
        self.message = message
        self.field = field
        self.taken = taken


def parse_account(*, platform: str, handle: str) -> tuple[str, str]:
    """(handle, canonical profile URL) from a handle or a profile link, or AccountRefused."""
    if platform not in Platform.values:
        raise AccountRefused(
            _("Choose one of: %(platforms)s.") % {"platforms": ", ".join(Platform.values)},
            field="platform",
        )
    try:
        return platforms.parse_profile(handle or "", platform)
    except platforms.InvalidShareUrl as exc:
        raise AccountRefused(str(exc)) from exc


def account_record(account: SocialAccount) -> dict:
    return {
        "platform": account.platform,
        "handle": account.handle,
        "profile_url": account.profile_url,
        "proof_status": account.proof_status,
    }


def _taken_message(platform: str, handle: str) -> str:
    return _(
        "@%(handle)s on %(platform)s is already registered to someone else. If it is yours, "
        "ask HR to look into it."
    ) % {"handle": handle, "platform": Platform(platform).label}


def _official_message(platform: str, handle: str) -> str:
    return _(
        "@%(handle)s on %(platform)s is an official account of the organisation, not a "
        "personal one: register your own account."
    ) % {"handle": handle, "platform": Platform(platform).label}


@transaction.atomic
def set_account(
    *, user: User, platform: str, handle: str, actor: User | None, via: str = "self"
) -> tuple[SocialAccount, str | None]:
    """Register ``user``'s account on ``platform`` (a handle or a profile link).

    One account per platform: a different handle replaces the current one
    (which goes to the history, its proof with it). Returns the account and
    what happened: ``added``, ``replaced`` or None (already registered).
    """
    handle, profile_url = parse_account(platform=platform, handle=handle)
    current = SocialAccount.objects.select_for_update().filter(user=user, platform=platform).first()
    if current is not None and current.handle.lower() == handle.lower():
        return current, None
    if hooks.reserved_handles({(platform, handle.lower())}):
        raise AccountRefused(_official_message(platform, handle), taken=True)
    if (
        SocialAccount.objects.filter(platform=platform, handle__iexact=handle)
        .exclude(user=user)
        .exists()
    ):
        raise AccountRefused(_taken_message(platform, handle), taken=True)
    before = account_record(current) if current is not None else None
    old_screenshot = ""
    if current is None:
        account = SocialAccount(user=user, platform=platform, handle=handle)
        change = AccountChange.ADDED
    else:
        account = current
        old_screenshot = account.proof_screenshot.name
        _reset_proof(account)
        change = AccountChange.REPLACED
    account.handle, account.profile_url = handle, profile_url
    try:
        with transaction.atomic():  # a savepoint: a lost race is a clear refusal, not a 500
            account.save()
    except IntegrityError as exc:
        raise AccountRefused(_taken_message(platform, handle), taken=True) from exc
    SocialAccountChange.objects.create(
        user=user,
        platform=platform,
        change=change,
        handle=handle,
        profile_url=profile_url,
        old_handle=before["handle"] if before else "",
        old_proof_status=before["proof_status"] if before else "",
        account_id=account.pk,
        actor=actor,
        via=via,
    )
    audit.record(
        actor=actor,
        action=f"account.{change}",
        obj=account,
        before=before,
        after=account_record(account) | {"user": user.staff_id, "via": via},
    )
    if old_screenshot:
        transaction.on_commit(lambda: default_storage.delete(old_screenshot))
    return account, change


def _reset_proof(account: SocialAccount) -> None:
    account.proof_status = ProofStatus.UNPROVEN
    account.proof_reason = ""
    account.proof_detail = ""
    account.proof_checked_at = None
    account.proof_requested_at = None
    account.proof_needs_check = False
    account.proof_screenshot = ""


@transaction.atomic
def remove_account(*, account: SocialAccount, actor: User | None, via: str = "self") -> None:
    """Remove an account; the history keeps it (and the audit log says who removed it)."""
    account = SocialAccount.objects.select_for_update().get(pk=account.pk)
    before = account_record(account)
    SocialAccountChange.objects.create(
        user_id=account.user_id,
        platform=account.platform,
        change=AccountChange.REMOVED,
        handle=account.handle,
        profile_url=account.profile_url,
        old_handle=account.handle,
        old_proof_status=account.proof_status,
        account_id=account.pk,
        actor=actor,
        via=via,
    )
    audit.record(actor=actor, action="account.removed", obj=account, before=before, after=None)
    screenshot = account.proof_screenshot.name
    account.delete()
    if screenshot:
        transaction.on_commit(lambda: default_storage.delete(screenshot))


def proof_code_for(user: User) -> ProofCode:
    """The person's ownership code, made the first time it is needed."""
    try:
        return user.proof_code
    except ProofCode.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            code, _created = ProofCode.objects.get_or_create(user=user)
    except IntegrityError:  # two first visits at once
        code = ProofCode.objects.get(user=user)
    user.proof_code = code
    return code


@transaction.atomic
def renew_proof_code(*, user: User) -> ProofCode:
    """A new code, at the person's request (proofs already made stay made)."""
    code = proof_code_for(user)
    old = code.code
    code.code = models.new_proof_code()
    code.created_at = timezone.now()
    code.save(update_fields=["code", "created_at"])
    audit.record(
        actor=user, action="proof_code.renewed", obj=code, before={"code": old}, after=None
    )
    return code


def request_proof(*, account: SocialAccount) -> bool:
    """Queue the bio-code check of ``account`` (after this transaction commits).

    Returns False when the queue cannot be reached (the person may try again);
    a proven account is not checked again.
    """
    if account.proof_status == ProofStatus.PROVEN:
        return True
    proof_code_for(account.user)  # the check needs it; make it now
    SocialAccount.objects.filter(pk=account.pk).update(proof_requested_at=timezone.now())
    try:
        celery_app.signature(PROOF_CHECK_TASK, args=(account.pk,)).delay()
    except Exception:  # kombu raises many kinds when the broker is down
        log.warning("Could not queue the proof check of account %s", account.pk)
        return False
    return True


@transaction.atomic
def _save_proof(account: SocialAccount, *, actor, action: str, before: dict) -> None:
    """Save a change of an account's proof and audit it, in the caller's transaction."""
    account.save()
    audit.record(
        actor=actor, action=action, obj=account, before=before, after=_proof_record(account)
    )


def record_proof_result(
    *, account_id: int, status: str, reason: str, detail: str = ""
) -> SocialAccount | None:
    """What a proof check found (called by the check in verification).

    ``status`` ``unproven`` with a screenshot reason means "cannot tell". A
    proven account stays proven (an HR confirmation may have come first); a
    removed account is ignored.
    """
    account = SocialAccount.objects.select_for_update().filter(pk=account_id).first()
    if account is None or account.proof_status == ProofStatus.PROVEN:
        return account
    if account.proof_needs_check and status == ProofStatus.UNPROVEN:
        return account  # a screenshot already waits for HR; "cannot tell" changes nothing
    before = _proof_record(account)
    account.proof_status = status
    account.proof_reason = reason
    account.proof_detail = detail[:300]
    account.proof_checked_at = timezone.now()
    if status != ProofStatus.UNPROVEN:
        account.proof_needs_check = False
    _save_proof(account, actor=None, action="account.proof_checked", before=before)
    return account


def _proof_record(account: SocialAccount) -> dict:
    return {
        "platform": account.platform,
        "handle": account.handle,
        "proof_status": account.proof_status,
        "proof_reason": account.proof_reason,
        "proof_needs_check": account.proof_needs_check,
        "detail": account.proof_detail,
    }


@transaction.atomic
def attach_proof_screenshot(*, account: SocialAccount, user: User, upload) -> SocialAccount:
    """The owner's screenshot of their profile showing the code: HR spot-checks it."""
    account = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if account.user_id != user.pk:
        raise AccountRefused(_("Only the account's owner may add a screenshot."), field="file")
    if account.proof_status == ProofStatus.PROVEN:
        raise AccountRefused(_("This account is already proven."), field="file")
    try:
        clean = clean_screenshot(upload)
    except ScreenshotRefused as exc:
        raise AccountRefused(exc.message, field="file") from exc
    before = _proof_record(account)
    old_name = account.proof_screenshot.name
    account.proof_screenshot.save(
        f"account-{account.pk}-{uuid.uuid4().hex}.{clean.extension}", clean.content, save=False
    )
    account.proof_status = ProofStatus.UNPROVEN
    account.proof_reason = ProofReason.AWAITING_SPOT_CHECK
    account.proof_detail = ""
    account.proof_needs_check = True
    account.proof_requested_at = timezone.now()
    _save_proof(account, actor=user, action="account.proof_screenshot_attached", before=before)
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return account


@transaction.atomic
def decide_proof_spot_check(
    *, account: SocialAccount, actor: User, confirmed: bool, note: str = ""
) -> SocialAccount:
    """HR looked at the screenshot: the code is there (proven) or not (failed)."""
    if not actor.is_hr_admin:
        raise AccountRefused(_("Only HR admins may spot-check proofs."), field="decision")
    account = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if not account.proof_needs_check:
        raise AccountRefused(_("This proof is not waiting for a spot check."), field="decision")
    before = _proof_record(account)
    account.proof_status = ProofStatus.PROVEN if confirmed else ProofStatus.FAILED
    account.proof_reason = (
        ProofReason.SPOT_CHECK_CONFIRMED if confirmed else ProofReason.SPOT_CHECK_FAILED
    )
    account.proof_detail = note[:300]
    account.proof_needs_check = False
    account.proof_checked_at = timezone.now()
    _save_proof(account, actor=actor, action="account.proof_spot_checked", before=before)
    return account


# --- API tokens ----------------------------------------------------------------------------


def api_token_of(user: User):
    """The person's API token (``POST api/v1/auth/token/`` issues it), or None."""
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).first()


@transaction.atomic
def revoke_api_token(*, user: User, actor: User) -> bool:
    """Delete the person's API token: every program using it must log in again.
    Returns whether there was one."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=actor, action="api_token.revoked", obj=user, before=None, after=None)
    return bool(deleted)
