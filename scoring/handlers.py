"""scoring listens to campaigns: a share that becomes (or stops being) verified
changes one person's KPI count for the share's KPI year."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.dispatch import receiver

from campaigns.models import Campaign, Share, ShareStatus
from campaigns.signals import StatusChange, campaign_counting_changed, share_statuses_changed

from . import selectors, services

log = logging.getLogger(__name__)


@receiver(share_statuses_changed, sender=Share, dispatch_uid="scoring.recount_on_share_status")
def recount_on_share_status(sender, *, changes: list[StatusChange], **kwargs):
    """Recount the shares' owners for the shares' KPI years, inside the caller's
    transaction (so the scores commit with the statuses), set-based per year. Changes
    between statuses that do not count (pending → needs_review …) cannot move a count,
    and a closed year is frozen: both are skipped. A newly logged share arrives with
    ``old_status=None`` and is skipped the same way."""
    people_by_year: dict[int, set[int]] = defaultdict(set)
    for share, old_status, new_status in changes:
        if ShareStatus.VERIFIED in (old_status, new_status):
            people_by_year[selectors.kpi_year_of(share.submitted_at)].add(share.staff_id)
    for year, people in sorted(people_by_year.items()):
        try:
            services.check_year(year)
        except services.ScoringError:
            log.warning("Shares with a submitted_at outside any KPI year (%s); not scored", year)
            continue
        services.recount_people(user_ids=sorted(people), year=year)


@receiver(
    campaign_counting_changed, sender=Campaign, dispatch_uid="scoring.recount_on_campaign_counting"
)
def recount_on_campaign_counting(sender, *, campaign: Campaign, **kwargs):
    """A campaign started or stopped counting for the KPI: recount the people with
    verified shares of it, per KPI year, in the caller's transaction (closed years stay
    frozen: ``recount_people`` leaves them alone)."""
    people_by_year: dict[int, set[int]] = defaultdict(set)
    verified = Share.objects.filter(campaign=campaign, status=ShareStatus.VERIFIED)
    for staff_id, submitted_at in verified.values_list("staff_id", "submitted_at").iterator():
        people_by_year[selectors.kpi_year_of(submitted_at)].add(staff_id)
    for year, people in sorted(people_by_year.items()):
        services.recount_people(user_ids=sorted(people), year=year)
