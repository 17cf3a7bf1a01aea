"""Shared test plumbing: named actors and the 'real service or skip' rule.

A test that needs PostgreSQL, Redis or Chromium skips with a clear reason
when it is missing, except under SHAREKPI_REQUIRE_SERVICES=1 (CI), where a
missing service fails the run instead.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("SHAREKPI_REQUIRE_SERVICES", "").lower() in {
    "1",
    "on",
    "yes",
    "true",
}


def missing_service(reason: str) -> None:
    """Skip (developer machine) or fail (CI) because a real service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"SHAREKPI_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        missing_service("PostgreSQL is not configured (set DATABASE_URL=postgres://…)")


@pytest.fixture
def redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        missing_service("Redis is not configured (set CELERY_BROKER_URL=redis://…)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        missing_service("Chromium is not installed (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing_service("the playwright package is not installed")
    return path


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    """Cheap password hashing, and static files served as they are (production
    hashes them at collectstatic time; tests have no manifest)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    cache.clear()  # throttling counts (password-reset mails) start at zero in each test


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in LANGUAGE_CODE: a request in Malay or Indonesian
    leaves that language active in the thread (LocaleMiddleware does not reset it), and
    a later test calling a service directly would read its messages in it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
