from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, ignore_result=True)
def recompute_kpi_scores(self) -> None:
    """Nightly: recompute the open KPI years from the shares (catches anything the
    per-share signal could not, e.g. people who joined or left)."""
    services.recompute_open_years()
