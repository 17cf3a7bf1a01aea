"""Demo data for verification: ``seed_demo`` calls ``seed(stdout=...)`` after
campaigns.demo has logged the demo shares, already decided. Each decided share that
has no attempt yet gets the one attempt that decided it, so the review queue and the
share API show a trail. Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from campaigns.models import Share, ShareStatus

from . import reasons
from .models import VerificationAttempt, VerificationOutcome

OUTCOME_OF = {
    ShareStatus.VERIFIED: VerificationOutcome.VERIFIED,
    ShareStatus.NEEDS_REVIEW: VerificationOutcome.NEEDS_REVIEW,
    ShareStatus.REJECTED: VerificationOutcome.REJECTED,
    ShareStatus.REMOVED: VerificationOutcome.REMOVED,
}


@transaction.atomic
def seed(*, stdout) -> None:
    undocumented = Share.objects.filter(status__in=OUTCOME_OF).exclude(
        Exists(VerificationAttempt.objects.filter(share=OuterRef("pk")))
    )
    attempts = [
        VerificationAttempt(
            share_id=share_id,
            started_at=submitted_at + datetime.timedelta(seconds=40),
            url_fetched="",
            outcome=OUTCOME_OF[status],
            reason=f"{reasons.describe(code, params).hr} (demo data)",
            duration_ms=0,
        )
        for share_id, status, code, params, submitted_at in undocumented.values_list(
            "pk", "status", "status_code", "status_params", "submitted_at"
        ).iterator()
    ]
    VerificationAttempt.objects.bulk_create(attempts, batch_size=1000)
    stdout.write(f"Demo verification attempts: {len(attempts)} new.\n")
