"""The foundation's proof that the moving parts really move: beat's heartbeat
task goes through real Redis to a real worker process and lands in PostgreSQL."""

import pytest

from health.models import WorkerHeartbeat
from health.tasks import record_heartbeat

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_worker_consumes_heartbeat_and_writes_postgres(celery_worker_process, task_queue, client):
    celery_worker_process.start()
    record_heartbeat.delay()
    seen = wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=60)
    assert seen, celery_worker_process.output()
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker.startswith(task_queue)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["transport"] == "redis"
