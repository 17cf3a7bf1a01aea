"""sharekpi.db.postgresql: a kept connection is health-checked (``SELECT 1``) before
reuse at most once in SHAREKPI_DB_HEALTH_CHECK_SECONDS, and before every request at 0
(Django's way); a dead connection that the check finds is replaced before the request's
query; one that dies within the interval fails that request's query once and is
replaced after it, as after any database error.

Each "request" here is what Django's request signals do around a view: reuse the kept
connection (``close_if_unusable_or_obsolete``), run the view's queries, and end.
"""

from __future__ import annotations

import psycopg2
import pytest
from django.db import DatabaseError, connection, connections
from django.db.backends.postgresql import base as django_postgresql

from sharekpi.db.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres(require_postgres):
    connection.close()  # a connection of this test's own
    yield
    connection.close()


@pytest.fixture
def checks(monkeypatch, postgres) -> list[int]:
    """The backend pid of each health check sent (Django's ``SELECT 1``)."""
    sent: list[int] = []
    django_is_usable = django_postgresql.DatabaseWrapper.is_usable

    def counted(self):
        sent.append(self.connection.info.backend_pid)
        return django_is_usable(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return sent


def request() -> int:
    """One request's life on the kept connection; the backend pid its query ran on."""
    connection.close_if_unusable_or_obsolete()  # request_started
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        connection.close_if_unusable_or_obsolete()  # request_finished


def terminate(pid: int) -> None:
    """End that backend from a connection of its own, as a database restart would."""
    params = connection.get_connection_params()
    with psycopg2.connect(**params) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    other.close()


def test_postgresql_runs_on_this_backend(postgres):
    assert connection.settings_dict["ENGINE"] == "sharekpi.db.postgresql"
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.vendor == "postgresql"
    assert connection.health_check_enabled  # CONN_HEALTH_CHECKS stays on


def test_within_the_interval_a_kept_connection_is_not_checked(checks, settings):
    settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS = 60
    pids = {request() for _ in range(5)}
    assert len(pids) == 1  # one kept connection
    assert checks == []  # connected within the interval: no SELECT 1 at all


def test_at_zero_every_request_is_checked_as_django_does(checks, settings):
    settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS = 0
    pid = request()  # the connection is opened (a new one needs no check)
    for _ in range(3):
        assert request() == pid
    assert checks == [pid] * 3


def test_past_the_interval_the_next_request_is_checked_once(checks, settings):
    settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS = 5
    pid = request()
    connection._checked_at -= 6  # connected 6 seconds ago
    assert request() == pid
    assert checks == [pid]  # checked, and passing renews the interval
    assert request() == pid
    assert checks == [pid]


def test_a_dead_connection_found_by_the_check_is_replaced_first(checks, settings):
    settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS = 5
    pid = request()
    terminate(pid)
    connection._checked_at -= 6
    replaced = request()  # no error: the check found it dead and connected anew
    assert replaced != pid
    assert checks == [pid]


def test_one_dying_within_the_interval_fails_one_request_then_is_replaced(checks, settings):
    settings.SHAREKPI_DB_HEALTH_CHECK_SECONDS = 60
    pid = request()
    terminate(pid)
    with pytest.raises(DatabaseError):
        request()  # the API answers this one 503 with Retry-After (sharekpi.api_errors)
    assert connection.connection is None  # found unusable at the request's end, dropped
    assert request() != pid
