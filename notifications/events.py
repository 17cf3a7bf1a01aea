"""The e-mails that follow an event: a share that needs something from its owner, an
appeal decided. Called by tasks (after the change committed), a handful of queries
whatever the number of shares."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaigns.models import Share, ShareStatus
from verification.appeals import outcome_message
from verification.models import Appeal

from . import preferences
from .mail import Pending, absolute, build_message, language_of, send_once
from .models import NotificationKind

SCREENSHOT, ACCOUNTS, APPEAL = "screenshot", "accounts", "appeal"


def share_status_key(share_id: int, status: str, changed_at: str) -> str:
    return f"share:{share_id}:{status}:{changed_at}"


def _what_happened(share: Share) -> str:
    title = share.campaign.title
    if share.status == ShareStatus.REJECTED:
        return _("Your share for the campaign “%(title)s” was rejected.") % {"title": title}
    if share.status == ShareStatus.REMOVED:
        return _(
            "Your share for the campaign “%(title)s” no longer counts: the post was removed "
            "or can no longer be seen."
        ) % {"title": title}
    return _("Your share for the campaign “%(title)s” is waiting for a check by HR.") % {
        "title": title
    }


def action_of(share: Share) -> str:
    """What the person can do about the share's status: "" when nothing."""
    if share.status in (ShareStatus.REJECTED, ShareStatus.REMOVED):
        return APPEAL
    if share.status == ShareStatus.NEEDS_REVIEW:
        action = share.reason.action
        return action if action in (SCREENSHOT, ACCOUNTS) else ""
    return ""


def _to_do(share: Share, action: str) -> tuple[str, str]:
    """(what to do, the link that does it), in the active language."""
    if action == SCREENSHOT:
        return (
            _("Attach a screenshot of your post: it helps HR check your share quickly."),
            absolute(reverse("review:screenshot_upload", args=[share.pk])),
        )
    if action == ACCOUNTS:
        return (
            _(
                "Register the social-media account you shared from in My accounts: "
                "then your share can be checked."
            ),
            absolute(reverse("me:my_accounts")),
        )
    deadline = share.status_changed_at + datetime.timedelta(
        days=int(getattr(settings, "SHAREKPI_APPEAL_DAYS", 14))
    )
    return (
        _(
            "If you think this is wrong, appeal by %(deadline)s: say why, and add a "
            "screenshot if you can. Or log the right link to your post for the same campaign."
        )
        % {"deadline": date_format(timezone.localtime(deadline), "DATE_FORMAT")},
        absolute(reverse("appeals:appeal_create", args=[share.pk])),
    )


def _share_message(share: Share, action: str):
    user = share.staff
    with translation.override(language_of(user)):
        todo, action_url = _to_do(share, action)
        context = {
            "share": share,
            "what": _what_happened(share),
            "reason": share.reason.staff,
            "todo": todo,
            "action_url": action_url,
            "shares_url": absolute(reverse("campaigns:my_shares")),
        }
    return build_message(
        user=user, kind=NotificationKind.SHARE_STATUS, template="share_status", context=context
    )


def send_share_status_mails(changes: list[list]) -> int:
    """``changes``: ``[share id, new status, status_changed_at ISO]`` each. A share
    whose status moved on since (verified a second later, say) gets no e-mail."""
    wanted = {int(pk): (status, changed_at) for pk, status, changed_at in changes}
    shares = list(
        Share.objects.filter(pk__in=wanted, staff__is_active=True)
        .exclude(staff__email="")
        .select_related("staff", "campaign")
    )
    off = preferences.opted_out({s.staff_id for s in shares}, NotificationKind.SHARE_STATUS)
    pending = []
    for share in shares:
        status, changed_at = wanted[share.pk]
        if share.status != status or share.status_changed_at.isoformat() != changed_at:
            continue
        if share.staff_id in off:
            continue
        action = action_of(share)
        if not action:
            continue
        pending.append(
            Pending(
                user_id=share.staff_id,
                kind=NotificationKind.SHARE_STATUS,
                key=share_status_key(share.pk, status, changed_at),
                build=lambda share=share, action=action: _share_message(share, action),
            )
        )
    return send_once(pending)


def send_appeal_decided_mail(appeal_id: int) -> int:
    appeal = (
        Appeal.objects.filter(pk=appeal_id, decided_at__isnull=False)
        .select_related("staff", "share", "share__campaign")
        .first()
    )
    if appeal is None or not appeal.staff.is_active or not appeal.staff.email:
        return 0
    user = appeal.staff
    if preferences.opted_out({user.pk}, NotificationKind.APPEAL_DECIDED):
        return 0

    def build():
        with translation.override(language_of(user)):
            context = {
                "appeal": appeal,
                "campaign_title": appeal.share.campaign.title,
                "outcome": outcome_message(appeal),
                "decision_reason": appeal.decision_reason,
                "appeals_url": absolute(reverse("appeals:appeal_list")),
            }
        return build_message(
            user=user,
            kind=NotificationKind.APPEAL_DECIDED,
            template="appeal_decided",
            context=context,
        )

    return send_once(
        [
            Pending(
                user_id=user.pk,
                kind=NotificationKind.APPEAL_DECIDED,
                key=f"appeal:{appeal.pk}",
                build=build,
            )
        ]
    )
