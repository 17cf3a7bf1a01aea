"""A real Celery worker process against real Redis and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


class WorkerProcess:
    """``celery worker`` in a subprocess, on its own queue, seeing the test database."""

    def __init__(self, *, broker_url: str, queue: str, extra_env: dict | None = None):
        self.broker_url = broker_url
        self.queue = queue
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(settings.VAR_DIR) / f"worker-{queue}.log"

    def start(self, *, pool: str = "threads", concurrency: int = 4) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "SHAREKPI_TASK_QUEUE": self.queue,
            "DJANGO_SETTINGS_MODULE": "sharekpi.settings",
            **self.extra_env,
        }
        cmd = [
            sys.executable, "-m", "celery", "-A", "sharekpi", "worker",
            f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=INFO",
            "-Q", self.queue, "-n", f"{self.queue}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        return self

    def kill(self, sig: int = 9) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@pytest.fixture(autouse=True)
def batched_publishing(settings):
    """Shares logged here reach the worker as in production: several to a message
    (verification.batching; the other tests send one per share, in the request)."""
    from verification import services

    settings.SHAREKPI_VERIFY_PUBLISH_BATCH_MS = 25
    yield
    services.logged_batcher().discard()


@pytest.fixture
def task_queue(redis_url, require_postgres):
    """A fresh queue name, routed to by this process and consumed only by this test's worker."""
    from sharekpi.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    old = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = old
    connection.close()


@pytest.fixture
def celery_worker_process(task_queue, redis_url):
    worker = WorkerProcess(broker_url=redis_url, queue=task_queue)
    yield worker
    worker.stop()
