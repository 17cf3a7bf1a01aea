from django.db import transaction
from django.utils import timezone

from .models import WorkerHeartbeat


@transaction.atomic
def record_heartbeat(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker[:255], defaults={"seen_at": timezone.now()}
    )
    return heartbeat
