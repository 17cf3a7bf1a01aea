from celery import shared_task

from . import dashboard, services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def recompute_kpi_scores(self) -> None:
    """Nightly: recompute the open KPI years from the shares (catches anything the
    per-share signal could not, e.g. people who joined or left)."""
    services.recompute_open_years()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def refresh_dashboard_stats(self) -> None:
    """Nightly: rebuild the dashboard's share counts of recent campaigns from the shares
    (set-based), catching what the per-share signal cannot see, such as people who moved
    to another unit or shares written by a bulk load."""
    dashboard.refresh_recent_stats()


@shared_task(ignore_result=True)
def fold_dashboard_changes() -> int:
    """Every few seconds: add the waiting share-count notes into the dashboard's counts
    (every dashboard read also does it first; this keeps the notes few)."""
    return dashboard.fold_changes()
