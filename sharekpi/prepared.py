"""Server-side prepared statements for the few statements a worker runs for every share.

PostgreSQL plans each statement it is sent, and for the small joins a verification runs
(the share's load, its lock, the owner's recount) planning costs several times what
running them does: 1.1 ms of planning against 0.15 ms of execution for the load on the
bench machine. ``statement(connection, sql)`` prepares ``sql`` once per database
connection (``PREPARE``, named after the SQL's text) and returns the ``EXECUTE`` to send
in its place, with the same ``%s`` parameters; PostgreSQL then plans it once (or keeps a
custom plan where that is cheaper: ``plan_cache_mode``) and replans by itself after a
schema change. Elsewhere (SQLite in tests) it returns ``sql`` as it is.

A prepared statement lives as long as its connection and outlasts a rolled-back
transaction, so what this module remembers is tied to the driver's connection object: a
new connection prepares again. The ``PREPARE`` itself goes past Django's query log (it
is sent once per connection, and tests that count a verification's statements count
the same in every test). A statement naming ``table.*`` would fail once a column is added
(a prepared query's result may not change shape): name the columns.

Behind a pooler in transaction mode (PgBouncer) a client's next transaction may run on
another server connection, which never saw the ``PREPARE``: there, set
``SHAREKPI_DB_PREPARED_STATEMENTS=off`` (the SQL is then sent as it is), or give the
workers a direct or session-pooled connection.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

_PLACEHOLDER = re.compile(r"%%|%s|%\((\w+)\)s")
_EXECUTE = re.compile(r"EXECUTE (sharekpi_[0-9a-f]+)\b")
# Each name's statement, for ``source`` (the same in every connection: named by its text).
_prepared_sql: dict[str, str] = {}


def statement(connection: BaseDatabaseWrapper, sql: str) -> str:
    """What to run in place of ``sql`` (``%s`` placeholders, or ``%(name)s`` ones; ``%%``
    for a ``%``) on ``connection``, taking the same parameters: a list for ``%s``, a
    dict for names, each name sent once however often the statement reads it."""
    if connection.vendor != "postgresql" or not settings.SHAREKPI_DB_PREPARED_STATEMENTS:
        return sql
    named = _named.get(sql)
    if named is None:
        named = _named[sql] = _name(sql)
    name, numbered, execute = named
    # The health check first (as opening a cursor runs it): it may replace the connection.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    known = getattr(connection, "_sharekpi_prepared", None)
    if known is None or known[0] is not raw:
        known = (raw, set())
        connection._sharekpi_prepared = known
    if name not in known[1]:
        with connection.wrap_database_errors, raw.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {numbered}")
        known[1].add(name)
        _prepared_sql[name] = numbered
    return execute


# Each SQL text's (name, numbered text, EXECUTE): worked out once per process, not per
# call (the texts are fixed; a caller sends a handful of them).
_named: dict[str, tuple[str, str, str]] = {}


def _name(sql: str) -> tuple[str, str, str]:
    count = 0
    numbers: dict[str, int] = {}  # a named parameter's number: the same at every use

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        name = match.group(1)
        if name is None:
            count += 1
            return f"${count}"
        if name not in numbers:
            numbers[name] = len(numbers) + 1
        return f"${numbers[name]}"

    numbered = _PLACEHOLDER.sub(number, sql)
    if count and numbers:
        raise ValueError("a statement takes %s or %(name)s placeholders, not both")
    name = "sharekpi_" + hashlib.blake2b(numbered.encode(), digest_size=10).hexdigest()
    given = [f"%({param})s" for param in numbers] or ["%s"] * count
    execute = f"EXECUTE {name} ({', '.join(given)})" if given else f"EXECUTE {name}"
    return name, numbered, execute


def source(sql: str) -> str:
    """The prepared statement an ``EXECUTE`` of ``statement`` runs (as ``PREPARE`` was
    given it, ``$1``…), for a reader of the query log; any other SQL as it is."""
    match = _EXECUTE.match(sql)
    return _prepared_sql.get(match.group(1), sql) if match else sql
