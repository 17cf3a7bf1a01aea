"""verification listens to campaigns: every share logged is queued for its check."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from campaigns.models import Share
from campaigns.signals import share_logged

from . import services, tasks  # noqa: F401 - tasks: registers the task sent by name

log = logging.getLogger(__name__)


@receiver(share_logged, sender=Share, dispatch_uid="verification.queue_logged_share")
def queue_logged_share(sender, *, share_id: int, **kwargs) -> None:
    """Hand the new share to a worker (after its transaction committed; several shares
    to a message, verification.batching). A broker outage must not fail the submission:
    the share stays pending and the sweep re-queues it."""
    try:
        services.queue_logged(share_id)
    except Exception:  # kombu raises many kinds when the broker is down
        log.warning("Could not queue verification of share %s; the sweep will retry", share_id)
