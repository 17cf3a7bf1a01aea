"""The dashboard listens to campaigns: every logged share and status change moves its
pre-aggregated counts."""

from __future__ import annotations

from django.dispatch import receiver

from campaigns.models import Share
from campaigns.signals import StatusChange, share_statuses_changed

from . import stats


@receiver(share_statuses_changed, sender=Share, dispatch_uid="dashboard.count_on_share_status")
def count_on_share_status(sender, *, changes: list[StatusChange], **kwargs):
    """Note the changes for the dashboard's share counts, in the caller's transaction.
    Connected after scoring's recount (see apps.py), so locks are always taken in the same
    order (the year's scoring lock, then the campaigns' dashboard locks)."""
    stats.record_status_changes(changes)
