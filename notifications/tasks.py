"""Notification tasks: idempotent (the sent-log), ids not objects, each calls one
function of events or digests. A mail server that cannot be reached is retried."""

from __future__ import annotations

import smtplib

from celery import shared_task

from . import digests, events

RETRYABLE = (smtplib.SMTPException, OSError)


@shared_task(
    acks_late=True, autoretry_for=RETRYABLE, retry_backoff=60, max_retries=5, ignore_result=True
)
def send_share_status_mails(changes: list[list]) -> int:
    return events.send_share_status_mails(changes)


@shared_task(
    acks_late=True, autoretry_for=RETRYABLE, retry_backoff=60, max_retries=5, ignore_result=True
)
def send_appeal_decided_mail(appeal_id: int) -> int:
    return events.send_appeal_decided_mail(appeal_id)


@shared_task(acks_late=True, ignore_result=True)
def send_weekly_digests(week: str | None = None) -> int:
    """Beat, weekly: queue one digest batch and one team-summary batch per range of
    people (this task reads two numbers, never the list). How many batches."""
    week = week or digests.week_key()
    ranges = digests.plan()
    for first_pk, end_pk in ranges:
        send_digest_batch.delay(week, first_pk, end_pk)
        send_team_summary_batch.delay(week, first_pk, end_pk)
    return len(ranges)


@shared_task(
    acks_late=True, autoretry_for=RETRYABLE, retry_backoff=60, max_retries=5, ignore_result=True
)
def send_digest_batch(week: str, first_pk: int, end_pk: int) -> int:
    return digests.send_digest_batch(week=week, first_pk=first_pk, end_pk=end_pk)


@shared_task(
    acks_late=True, autoretry_for=RETRYABLE, retry_backoff=60, max_retries=5, ignore_result=True
)
def send_team_summary_batch(week: str, first_pk: int, end_pk: int) -> int:
    return digests.send_team_summary_batch(week=week, first_pk=first_pk, end_pk=end_pk)
