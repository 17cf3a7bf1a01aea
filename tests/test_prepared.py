"""sharekpi.prepared: a statement prepared once per connection, run by EXECUTE with the
same parameters and the same rows, on a new connection prepared again."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from sharekpi import prepared

pytestmark = pytest.mark.django_db(transaction=True)

SQL = "SELECT %s + 1, '100%%', %s"


def run(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(prepared.statement(connection, sql), params)
        return cursor.fetchall()


def server_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'sharekpi%'")
        return [row[0] for row in cursor.fetchall()]


def test_elsewhere_the_sql_is_run_as_it_is():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL prepares it")
    assert prepared.statement(connection, SQL) == SQL
    assert run(SQL, [1, "a"]) == [(2, "100%", "a")]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.close()  # a connection of this test's own
    yield
    connection.close()


def test_prepared_once_then_executed(postgres):
    assert run(SQL, [1, "a"]) == [(2, "100%", "a")]
    executed = prepared.statement(connection, SQL)
    assert executed.startswith("EXECUTE sharekpi_")
    assert run(SQL, [41, "b"]) == [(42, "100%", "b")]
    name = executed.split()[1]
    assert server_statements() == [f"PREPARE {name} AS SELECT $1 + 1, '100%', $2"]
    assert prepared.source(executed) == "SELECT $1 + 1, '100%', $2"
    assert prepared.source("SELECT 1") == "SELECT 1"


def test_a_rolled_back_transaction_keeps_it(postgres):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert run(SQL, [1, "a"]) == [(2, "100%", "a")]
        raise ZeroDivisionError
    assert run(SQL, [2, "c"]) == [(3, "100%", "c")]
    assert len(server_statements()) == 1


def test_a_new_connection_prepares_again(postgres):
    assert run(SQL, [1, "a"]) == [(2, "100%", "a")]
    connection.close()
    assert run(SQL, [5, "d"]) == [(6, "100%", "d")]
    assert len(server_statements()) == 1


def test_off_behind_a_transaction_pooler(postgres, settings):
    settings.SHAREKPI_DB_PREPARED_STATEMENTS = False
    assert prepared.statement(connection, SQL) == SQL
    assert run(SQL, [1, "a"]) == [(2, "100%", "a")]
    assert server_statements() == []


NAMED = "SELECT %(n)s + 1, %(n)s * 2, '100%%', %(word)s"


def test_a_named_parameter_is_sent_once_however_often_it_is_read(postgres):
    executed = prepared.statement(connection, NAMED)
    assert executed.endswith("(%(n)s, %(word)s)")
    assert run(NAMED, {"n": 20, "word": "a"}) == [(21, 40, "100%", "a")]
    assert prepared.source(executed) == "SELECT $1 + 1, $1 * 2, '100%', $2"


def test_named_parameters_run_as_they_are_with_prepared_statements_off(settings):
    settings.SHAREKPI_DB_PREPARED_STATEMENTS = False
    assert prepared.statement(connection, NAMED) == NAMED
    assert run(NAMED, {"n": 20, "word": "a"}) == [(21, 40, "100%", "a")]


def test_a_statement_takes_one_kind_of_placeholder(postgres):
    with pytest.raises(ValueError, match="not both"):
        prepared.statement(connection, "SELECT %s, %(n)s")
