"""HR's review of shares the verifier could not decide: the queue and the decisions.

Every decision is one transaction: the share's status (through campaigns.services,
which announces it), a ReviewDecision row (who, when, old and new status, reason:
what the review pages and appeals read) and its audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import OrgUnit, User
from campaigns import services as campaign_services
from campaigns.models import Share, ShareStatus
from campaigns.reasons import Coded

from . import reasons
from .models import ReviewDecision, VerificationAttempt

# --- the review queue -------------------------------------------------------------

REVIEWABLE = (ShareStatus.NEEDS_REVIEW, ShareStatus.PENDING)

# The queue's orders (``?sort=`` on the page): the share waiting longest first, or the
# latest first.
QUEUE_ORDERS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
}
DEFAULT_QUEUE_ORDER = "oldest"


def shares_in_review(
    *,
    text: str = "",
    campaign_id: int | None = None,
    unit: OrgUnit | None = None,
    platform: str = "",
    order: str = DEFAULT_QUEUE_ORDER,
) -> QuerySet[Share]:
    """needs_review shares, oldest first (or ``order="newest"``), with their attempts
    and their campaign's official posts (the page shows the one of the share's
    platform beside it); filters are optional."""
    shares = Share.objects.filter(status=ShareStatus.NEEDS_REVIEW)
    if text:
        shares = shares.filter(
            Q(status_reason__icontains=text) | Q(attempts__reason__icontains=text)
        ).distinct()
    if campaign_id:
        shares = shares.filter(campaign_id=campaign_id)
    if unit is not None:
        shares = shares.filter(
            Q(staff__unit__path=unit.path) | Q(staff__unit__path__startswith=unit.subtree_prefix)
        )
    if platform:
        shares = shares.filter(platform=platform)
    return (
        shares.select_related("staff", "staff__unit", "campaign")
        .prefetch_related(
            Prefetch("attempts", queryset=VerificationAttempt.objects.order_by("started_at")),
            "campaign__posts",
        )
        .order_by(*QUEUE_ORDERS[order])
    )


def official_post_of(share: Share):
    """The official post of the share's campaign on the share's platform, or None;
    reads the posts ``shares_in_review`` prefetched (no query)."""
    return next(
        (post for post in share.campaign.posts.all() if post.platform == share.platform), None
    )


# --- decisions --------------------------------------------------------------------


class ReviewRefused(Exception):
    """A decision that cannot be made; ``field`` is the form/API field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


DECISION_STATUS = {
    ReviewDecision.Decision.APPROVE: ShareStatus.VERIFIED,
    ReviewDecision.Decision.REJECT: ShareStatus.REJECTED,
}


def check_decision(*, decision: str, reason: str) -> str:
    """The cleaned reason, or ReviewRefused for a bad decision or a reject without reason."""
    if decision not in DECISION_STATUS:
        raise ReviewRefused("decision", _("The decision must be approve or reject."))
    reason = (reason or "").strip()
    if decision == ReviewDecision.Decision.REJECT and not reason:
        raise ReviewRefused(
            "reason", _("Give a reason for rejecting: the member of staff will see it.")
        )
    return reason


def decision_reason(decision: str, note: str) -> Coded:
    """The share's reason after a review: a code read in the person's language, HR's
    words as its ``note``."""
    if decision == ReviewDecision.Decision.REJECT:
        return reasons.coded("reviewed.rejected", note=note)
    if note:
        return reasons.coded("reviewed.approved_note", note=note)
    return reasons.coded("reviewed.approved")


@transaction.atomic
def decide(*, share: Share, reviewer: User, decision: str, reason: str = "") -> Share:
    """Approve (→ verified) or reject (→ rejected) a share in review, audited."""
    if not reviewer.is_hr_admin:
        raise ReviewRefused("reviewer", _("Only HR admins may review shares."))
    reason = check_decision(decision=decision, reason=reason)
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.status not in REVIEWABLE:
        raise ReviewRefused(
            "share",
            _("This share is %(status)s, not in review.")
            % {"status": locked.get_status_display().lower()},
        )
    old_status = locked.status
    new_status = DECISION_STATUS[decision]
    campaign_services.change_share_status(
        share=locked, new_status=new_status, reason=decision_reason(decision, reason)
    )
    ReviewDecision.objects.create(
        share=locked,
        reviewer=reviewer,
        decision=decision,
        reason=reason,
        old_status=old_status,
        new_status=new_status,
        decided_at=timezone.now(),
    )
    audit.record(
        actor=reviewer,
        action="review.decided",
        obj=locked,
        before={"status": old_status},
        after={"status": new_status, "decision": decision, "reason": reason},
    )
    return locked


@dataclass
class BulkResult:
    decided: list[Share] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


@transaction.atomic
def bulk_decide(
    *, share_ids: list[int], reviewer: User, decision: str, reason: str = ""
) -> BulkResult:
    """The same decision for many shares; those no longer in review are skipped, not failed."""
    if not reviewer.is_hr_admin:
        raise ReviewRefused("reviewer", _("Only HR admins may review shares."))
    reason = check_decision(decision=decision, reason=reason)
    result = BulkResult()
    shares = {s.pk: s for s in Share.objects.filter(pk__in=share_ids)}
    for share_id in dict.fromkeys(share_ids):
        share = shares.get(share_id)
        if share is None:
            result.skipped.append((share_id, _("no such share")))
            continue
        try:
            with transaction.atomic():
                result.decided.append(
                    decide(share=share, reviewer=reviewer, decision=decision, reason=reason)
                )
        except ReviewRefused as exc:
            result.skipped.append((share_id, exc.message))
    return result
