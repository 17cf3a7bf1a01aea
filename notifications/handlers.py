"""What notifications listens to. Nothing here sends mail: each receiver queues a task
once the change has committed (``transaction.on_commit``), and a failure to queue is
logged, never raised, so a share's status change or an appeal decision never waits
for, or fails because of, e-mail."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns.models import ShareStatus
from campaigns.signals import share_statuses_changed
from verification.models import Appeal, AppealStatus

log = logging.getLogger(__name__)

# The statuses a person hears about (when there is something they can do).
NOTIFIED_STATUSES = frozenset({ShareStatus.NEEDS_REVIEW, ShareStatus.REJECTED, ShareStatus.REMOVED})


def _queue(task_name: str, *args) -> None:
    def send() -> None:
        try:
            from . import tasks

            getattr(tasks, task_name).delay(*args)
        except Exception:
            log.exception("could not queue %s%r", task_name, args)

    transaction.on_commit(send, robust=True)


@receiver(share_statuses_changed, dispatch_uid="notifications.share_statuses_changed")
def share_statuses_changed_receiver(sender, changes, **kwargs) -> None:
    try:
        changed = [
            [change.share.pk, change.new_status, change.share.status_changed_at.isoformat()]
            for change in changes
            if change.new_status in NOTIFIED_STATUSES and change.old_status != change.new_status
        ]
    except Exception:
        log.exception("notifications could not read a status change")
        return
    if changed:
        _queue("send_share_status_mails", changed)


@receiver(post_save, sender=Appeal, dispatch_uid="notifications.appeal_decided")
def appeal_saved_receiver(sender, instance, created, update_fields=None, **kwargs) -> None:
    """verification decides an appeal in one place (appeals.decide_appeal), which saves
    its ``decided_at``: that save is the decision."""
    if created or instance.status == AppealStatus.OPEN:
        return
    if update_fields is not None and "decided_at" not in update_fields:
        return
    _queue("send_appeal_decided_mail", instance.pk)
