from celery import shared_task
from celery.signals import worker_ready

from . import services


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self) -> None:
    services.record_heartbeat(worker=self.request.hostname or "unknown")


@worker_ready.connect
def heartbeat_on_start(sender=None, **kwargs) -> None:
    """Send a heartbeat through the broker as soon as a worker is up, so
    /healthz turns healthy without waiting for beat's first tick."""
    record_heartbeat.delay()
