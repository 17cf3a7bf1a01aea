"""Reads of verification data, scoped by who asks: appeals (lists, My shares, my data)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import OrgUnit, User
from campaigns.models import Share

from .appeals import appeal_deadline
from .models import Appeal, AppealStatus, VerificationAttempt


def appeals_visible_to(user: User, *, status: str = "") -> QuerySet[Appeal]:
    """HR: every appeal; everyone else: their own. Newest first, optionally one status."""
    appeals = Appeal.objects.all() if user.is_hr_admin else Appeal.objects.filter(staff=user)
    if status:
        appeals = appeals.filter(status=status)
    return appeals.select_related("share", "share__campaign", "staff", "decided_by")


def appeals_for_hr(
    *,
    status: str = AppealStatus.OPEN,
    campaign_id: int | None = None,
    unit: OrgUnit | None = None,
    platform: str = "",
) -> QuerySet[Appeal]:
    """The HR page: appeals with their shares' attempts, oldest open first."""
    appeals = Appeal.objects.all()
    if status:
        appeals = appeals.filter(status=status)
    if campaign_id:
        appeals = appeals.filter(share__campaign_id=campaign_id)
    if unit is not None:
        appeals = appeals.filter(
            Q(staff__unit__path=unit.path) | Q(staff__unit__path__startswith=unit.subtree_prefix)
        )
    if platform:
        appeals = appeals.filter(share__platform=platform)
    return (
        appeals.select_related("share", "share__campaign", "staff", "staff__unit", "decided_by")
        .prefetch_related(
            Prefetch("share__attempts", queryset=VerificationAttempt.objects.order_by("started_at"))
        )
        .order_by("created_at", "pk")
    )


def annotate_own_shares(user: User, shares: Sequence[Share]) -> None:
    """For "My shares" (registered with campaigns.hooks): each share gets ``appeal`` (its
    appeal or None), ``appeal_deadline`` and ``may_appeal``; one query for the page."""
    appeals = {
        a.share_id: a for a in Appeal.objects.filter(share__in=[s.pk for s in shares], staff=user)
    }
    now = timezone.now()
    for share in shares:
        share.appeal = appeals.get(share.pk)
        if share.appeal is not None:
            share.appeal.share = share
        deadline = appeal_deadline(share)
        share.appeal_deadline = deadline
        share.may_appeal = share.appeal is None and deadline is not None and now <= deadline
