"""Celery tasks of presence: thin wrappers.

``fetch_follower_counts`` runs daily from beat (CELERY_BEAT_SCHEDULE
"presence-fetch-follower-counts"): one API snapshot per official account and day
where HR configured a key for its platform; without a key it does nothing.
Idempotent: a second run on the same day replaces that day's API counts.
"""

from __future__ import annotations

from celery import shared_task

from . import followers_api


@shared_task(acks_late=True)
def fetch_follower_counts() -> dict[str, int]:
    outcomes = followers_api.fetch_all()
    return {
        "fetched": sum(1 for o in outcomes if o.followers is not None),
        "stored": sum(1 for o in outcomes if o.stored),
        "failed": sum(1 for o in outcomes if o.error),
    }
