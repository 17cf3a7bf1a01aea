from celery import shared_task

from . import services


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self) -> None:
    services.record_heartbeat(worker=self.request.hostname or "unknown")
