"""Appeals (DESIGN.md, "Fair play"): a staff member contests the rejection or removal of
their share, once per share, within ``SHAREKPI_APPEAL_DAYS`` of it, with a note and an
optional screenshot; an HR admin upholds or overturns it, with a reason.

* Who decides: any HR admin except the one who rejected the share in review (the
  latest reject ReviewDecision), unless that person is the only active HR admin.
* Overturn: the share becomes ``verified`` through campaigns.services (which announces
  it, so scores and the dashboard follow in the same transaction). In a closed KPI year
  the frozen KpiScore rows do not move (scoring refuses to recount a closed year): the
  appeal records ``year_closed`` and says so. verification may not import scoring, so
  it asks ``campaigns.hooks.is_year_closed`` (scoring provides the answer).
* Every step writes its audit entry in the same transaction: ``appeal.filed``,
  ``appeal.upheld``, ``appeal.overturned``.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import audit
from accounts.models import Role, User
from campaigns import hooks
from campaigns import services as campaign_services
from campaigns.kpi_year import kpi_year_label, kpi_year_of
from campaigns.models import REPLACEABLE_STATUSES, Share, ShareStatus

from . import reasons
from .models import Appeal, AppealStatus, ReviewDecision
from .screenshots import ScreenshotRefused, checked_image

NOTE_MAX_LENGTH = 4000


class AppealRefused(Exception):
    """An appeal that cannot be filed or decided; ``field`` is the form/API field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def appeal_days() -> int:
    return int(getattr(settings, "SHAREKPI_APPEAL_DAYS", 14))


def appeal_deadline(share: Share) -> datetime.datetime | None:
    """The last moment ``share`` may be appealed, or None when it cannot be (not rejected
    or removed)."""
    if share.status not in REPLACEABLE_STATUSES:
        return None
    return share.status_changed_at + datetime.timedelta(days=appeal_days())


def _day(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


@transaction.atomic
def file_appeal(*, share: Share, staff: User, note: str, screenshot=None) -> Appeal:
    """File ``staff``'s appeal against the rejection or removal of their ``share``."""
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.staff_id != staff.pk:
        raise AppealRefused("share", _("Only the person who logged this share may appeal."))
    note = (note or "").strip()
    if not note:
        raise AppealRefused(
            "note", _("Say why the decision was wrong: HR reads this note when they decide.")
        )
    if len(note) > NOTE_MAX_LENGTH:
        raise AppealRefused(
            "note", _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX_LENGTH}
        )
    if Appeal.objects.filter(share=locked).exists():
        raise AppealRefused(
            "share", _("You have already appealed this share: a share can be appealed once.")
        )
    deadline = appeal_deadline(locked)
    if deadline is None:
        raise AppealRefused(
            "share",
            _("Only a rejected or removed share can be appealed; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()},
        )
    if timezone.now() > deadline:
        raise AppealRefused(
            "share",
            _(
                "The time to appeal ended on %(deadline)s: a share can be appealed within "
                "%(days)s days of its rejection or removal."
            )
            % {"deadline": _day(deadline), "days": appeal_days()},
        )
    clean = None
    if screenshot:
        try:
            clean = checked_image(screenshot)
        except ScreenshotRefused as exc:
            raise AppealRefused("screenshot", exc.message) from None
    appeal = Appeal(
        share=locked,
        staff=staff,
        note=note,
        appealed_status=locked.status,
        appealed_status_at=locked.status_changed_at,
        created_at=timezone.now(),
    )
    if clean is not None:
        appeal.screenshot.save(
            f"appeal-{locked.pk}-{uuid.uuid4().hex}.{clean.extension}", clean.content, save=False
        )
    appeal.save()
    audit.record(
        actor=staff,
        action="appeal.filed",
        obj=appeal,
        before=None,
        after={
            "share": locked.pk,
            "status": appeal.status,
            "appealed_status": appeal.appealed_status,
            "note": note,
            "screenshot": bool(appeal.screenshot),
        },
    )
    return appeal


def rejected_by(share: Share) -> User | None:
    """The HR admin whose review decision rejected ``share`` last, if any."""
    decision = (
        ReviewDecision.objects.filter(share=share, decision=ReviewDecision.Decision.REJECT)
        .select_related("reviewer")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return decision.reviewer if decision else None


def other_hr_admin_exists(user: User) -> bool:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.HR_ADMIN) | Q(is_superuser=True))
        .exclude(pk=user.pk)
        .exists()
    )


def may_decide(appeal: Appeal, user: User) -> tuple[bool, str]:
    """Whether ``user`` may decide ``appeal`` (and why not)."""
    if not user.is_hr_admin:
        return False, _("Only HR admins decide appeals.")
    if appeal.appealed_status == ShareStatus.REJECTED:
        rejector = rejected_by(appeal.share)
        if rejector is not None and rejector.pk == user.pk and other_hr_admin_exists(user):
            return False, _("You rejected this share, so another HR admin must decide its appeal.")
    return True, ""


@transaction.atomic
def decide_appeal(*, appeal: Appeal, actor: User, decision: str, reason: str) -> Appeal:
    """Uphold the appeal (the share stays as it is) or overturn it (the share becomes
    verified; scores follow unless its KPI year is closed), with a reason, audited."""
    if decision not in Appeal.Decision.values:
        raise AppealRefused("decision", _("The decision must be uphold or overturn."))
    reason = (reason or "").strip()
    if not reason:
        raise AppealRefused(
            "reason", _("Give a reason for the decision: the member of staff will see it.")
        )
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.status != AppealStatus.OPEN:
        raise AppealRefused(
            "appeal",
            _("This appeal has already been decided (%(status)s).")
            % {"status": locked.get_status_display().lower()},
        )
    share = Share.objects.select_for_update().get(pk=locked.share_id)
    locked.share = share
    allowed, why = may_decide(locked, actor)
    if not allowed:
        raise AppealRefused("decider", why)
    year = kpi_year_of(share.submitted_at)
    closed = hooks.is_year_closed(year)
    share_status_before = share.status
    if decision == Appeal.Decision.OVERTURN:
        if share.status not in REPLACEABLE_STATUSES:
            raise AppealRefused(
                "decision",
                _(
                    "The share is %(status)s now, so the appeal cannot be overturned; "
                    "uphold it with a reason that says so."
                )
                % {"status": share.get_status_display().lower()},
            )
        campaign_services.change_share_status(
            share=share,
            new_status=ShareStatus.VERIFIED,
            reason=reasons.coded("appeal.verified", note=reason),
        )
        locked.status = AppealStatus.OVERTURNED
    else:
        locked.status = AppealStatus.UPHELD
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason
    locked.year_closed = closed
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "year_closed"]
    )
    audit.record(
        actor=actor,
        action=f"appeal.{locked.status}",
        obj=locked,
        before={"status": AppealStatus.OPEN, "share_status": share_status_before},
        after={
            "status": locked.status,
            "share_status": share.status,
            "reason": reason,
            "kpi_year": year,
            "year_closed": closed,
        },
    )
    return locked


def outcome_message(appeal: Appeal) -> str:
    """What the appeal's decision means, in words for the member of staff."""
    if appeal.status == AppealStatus.OPEN:
        return _("Waiting for an HR decision.")
    if appeal.status == AppealStatus.UPHELD:
        return _("Upheld: the share stays %(status)s.") % {
            "status": appeal.get_appealed_status_display().lower()
        }
    if appeal.year_closed:
        return _(
            "Overturned: the share is verified, but KPI year %(year)s was already closed, "
            "so its frozen score does not change."
        ) % {"year": kpi_year_label(kpi_year_of(appeal.share.submitted_at))}
    return _("Overturned: the share is verified and counts for your KPI.")
