"""verification's part of "my data" (accounts.personal_data): the person's shares, each
with the reason it reads, its verification attempts and HR's review decisions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from campaigns.models import Share

from .appeals import outcome_message
from .models import Appeal, ReviewDecision, VerificationAttempt

CHUNK = 500


def shares(user) -> Iterable[dict]:
    rows = (
        Share.objects.filter(staff=user)
        .select_related("campaign")
        .prefetch_related(
            Prefetch("attempts", queryset=VerificationAttempt.objects.order_by("started_at", "pk")),
            Prefetch(
                "review_decisions", queryset=ReviewDecision.objects.order_by("decided_at", "pk")
            ),
        )
        .order_by("submitted_at", "pk")
    )
    for share in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": share.pk,
            "campaign": {"id": share.campaign_id, "title": share.campaign.title},
            "url": share.url,
            "normalized_url": share.normalized_url,
            "short_url": share.short_url,
            "platform": share.platform,
            "status": share.status,
            "reason": share.reason.staff,
            "reason_code": share.status_code,
            "source": share.source,
            "submitted_at": share.submitted_at,
            "verified_at": share.verified_at,
            "last_checked_at": share.last_checked_at,
            "has_screenshot": bool(share.screenshot),
            "attempts": [
                {
                    "started_at": a.started_at,
                    "outcome": a.outcome,
                    "http_status": a.http_status,
                    "duration_ms": a.duration_ms,
                    "detail": a.reason,
                }
                for a in share.attempts.all()
            ],
            "review_decisions": [
                {
                    "decided_at": d.decided_at,
                    "decision": d.decision,
                    "reason": d.reason,
                    "old_status": d.old_status,
                    "new_status": d.new_status,
                }
                for d in share.review_decisions.all()
            ],
        }


def appeals(user) -> Iterable[dict]:
    """One JSON-serialisable dict per appeal ``user`` filed (the "my data" export): what
    they appealed, when, their note, the decision and its reason. The decider is not
    named (another person); whether a screenshot was attached is."""
    rows = (
        Appeal.objects.filter(staff=user)
        .select_related("share", "share__campaign")
        .order_by("created_at", "pk")
    )
    for appeal in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": appeal.pk,
            "share": appeal.share_id,
            "share_url": appeal.share.url,
            "campaign": appeal.share.campaign.title,
            "appealed_status": appeal.appealed_status,
            "appealed_status_at": appeal.appealed_status_at,
            "note": appeal.note,
            "screenshot_attached": bool(appeal.screenshot),
            "created_at": appeal.created_at,
            "status": appeal.status,
            "decided_at": appeal.decided_at,
            "decision_reason": appeal.decision_reason,
            "year_closed": appeal.year_closed,
            "outcome": str(outcome_message(appeal)),
        }


def register() -> None:
    from accounts import personal_data

    personal_data.register("shares", shares)
    personal_data.register("appeals", appeals)
    personal_data.register_subject(
        Share._meta.label_lower, lambda user: Share.objects.filter(staff=user)
    )
    personal_data.register_subject(
        Appeal._meta.label_lower, lambda user: Appeal.objects.filter(share__staff=user)
    )
