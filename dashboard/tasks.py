from celery import shared_task

from . import stats


@shared_task(bind=True, acks_late=True, ignore_result=True)
def refresh_dashboard_stats(self) -> None:
    """Nightly: rebuild the dashboard's share counts of recent campaigns from the shares
    (set-based), catching what the per-share signal cannot see, such as people who moved
    to another unit or shares written by a bulk load."""
    stats.refresh_recent_stats()


@shared_task(ignore_result=True)
def fold_dashboard_changes() -> int:
    """Every few seconds: add the waiting share-count notes into the dashboard's counts
    (every dashboard read also does it first; this keeps the notes few)."""
    return stats.fold_changes()
