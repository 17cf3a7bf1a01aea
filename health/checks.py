"""The probes behind /healthz: database, broker, worker heartbeat."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    from sharekpi.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises many kinds
        return {"ok": False, "error": exc.__class__.__name__, "transport": _transport()}
    return {"ok": True, "transport": _transport()}


def _transport() -> str:
    return settings.CELERY_BROKER_URL.split("://", 1)[0]


def check_worker() -> dict:
    max_age = timedelta(seconds=settings.SHAREKPI_HEARTBEAT_MAX_AGE_SECONDS)
    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    if latest is None:
        return {"ok": False, "error": "no heartbeat recorded yet"}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {
        "ok": age <= max_age.total_seconds(),
        "worker": latest.worker,
        "last_seen": latest.seen_at.isoformat(),
        "age_seconds": round(age, 1),
    }


def run_all() -> dict:
    results = {"database": check_database(), "broker": check_broker()}
    results["worker"] = check_worker() if results["database"]["ok"] else {"ok": False}
    return results
