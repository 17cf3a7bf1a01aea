from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by the ``record_heartbeat`` task, which beat schedules: a recent
    row proves that beat, the broker and at least one worker all work."""

    worker = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
