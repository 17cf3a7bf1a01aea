from datetime import timedelta

import pytest
from django.utils import timezone

from health.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_database_broker_and_worker_answer(client):
    WorkerHeartbeat.objects.create(worker="celery@test", seen_at=timezone.now())
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]


def test_unhealthy_without_any_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "error": "no heartbeat recorded yet"}


def test_unhealthy_when_heartbeat_is_stale(client, settings):
    settings.SHAREKPI_HEARTBEAT_MAX_AGE_SECONDS = 60
    WorkerHeartbeat.objects.create(worker="w", seen_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False


def test_unhealthy_when_broker_is_unreachable(client, settings):
    WorkerHeartbeat.objects.create(worker="w", seen_at=timezone.now())
    # A port nothing listens on: the broker check must report down, quickly.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_heartbeat_task_records_the_worker():
    from health.tasks import record_heartbeat

    record_heartbeat.apply()
    assert WorkerHeartbeat.objects.count() == 1
