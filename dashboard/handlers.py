"""The dashboard listens to campaigns: every logged share and status change moves its
pre-aggregated counts."""

from __future__ import annotations

from django.dispatch import receiver

from campaigns import hooks
from campaigns.models import Share
from campaigns.signals import StatusChange, share_statuses_changed

from . import new_shares, stats

# A new share's note joins its INSERT's statement on PostgreSQL (dashboard.new_shares).
hooks.add_new_share_part(new_shares.statement_part)


@receiver(share_statuses_changed, sender=Share, dispatch_uid="dashboard.count_on_share_status")
def count_on_share_status(sender, *, changes: list[StatusChange], **kwargs):
    """Note the changes for the dashboard's share counts, in the caller's transaction.
    Connected after scoring's recount (see apps.py), so locks are always taken in the same
    order (the year's scoring lock, then the campaigns' dashboard locks). A share whose
    logging its own statement noted already is left out."""
    changes = [change for change in changes if not new_shares.noted(change)]
    if changes:
        stats.record_status_changes(changes)
