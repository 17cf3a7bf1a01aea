"""scoring listens to campaigns: a share that becomes (or stops being) verified
changes one person's KPI count for the share's KPI year, and every logged share
and status change moves the dashboard's pre-aggregated counts."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from campaigns.models import Share, ShareStatus
from campaigns.signals import share_status_changed

from . import dashboard, selectors, services

log = logging.getLogger(__name__)


@receiver(share_status_changed, sender=Share, dispatch_uid="scoring.recount_on_share_status")
def recount_on_share_status(sender, *, share: Share, old_status: str, new_status: str, **kwargs):
    """Recount the share's owner for the share's KPI year, inside the caller's
    transaction (so the score commits with the status). Changes between
    statuses that do not count (pending → needs_review …) cannot move the count,
    and a closed year is frozen: both are skipped. A newly logged share arrives
    with ``old_status=None`` and is skipped the same way."""
    if ShareStatus.VERIFIED not in (old_status, new_status):
        return
    year = selectors.kpi_year_of(share.submitted_at)
    try:
        services.check_year(year)
    except services.ScoringError:
        log.warning("Share %s has a submitted_at outside any KPI year; not scored", share.pk)
        return
    services.recount_person(user_id=share.staff_id, year=year)


@receiver(share_status_changed, sender=Share, dispatch_uid="scoring.dashboard_on_share_status")
def count_on_share_status(
    sender, *, share: Share, old_status: str | None, new_status: str, **kwargs
):
    """Note the change for the dashboard's share counts, in the caller's transaction.
    Connected after the recount above, so locks are always taken in the same order (the
    year's scoring lock, then the campaign's dashboard lock)."""
    dashboard.record_status_change(share=share, old_status=old_status, new_status=new_status)
