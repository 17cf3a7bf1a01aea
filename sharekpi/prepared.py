"""Server-side prepared statements for the few hand-written statements that run on every
request of a hot path (a share's submission: issue 15).

psycopg2 sends every statement as text, so PostgreSQL plans it again each time; for a
statement of a few index lookups the planning costs several times the execution.
``execute(cursor, sql, params)`` runs ``sql`` (``%s`` placeholders, as for
``cursor.execute``) through ``PREPARE`` once per database connection and ``EXECUTE``
after that, so PostgreSQL keeps its plan. Elsewhere (SQLite) it is ``cursor.execute``.

A placeholder whose type PostgreSQL cannot infer from where it stands (a bare value in
a ``SELECT`` list) needs a ``CAST(%s AS …)`` in ``sql``. Prepared statements live in the
session: behind a pooler in transaction mode (PgBouncer) they would not be found, which
is why only these statements use them.
"""

from __future__ import annotations

import hashlib
import re
import weakref

# Per database connection (psycopg2's, replaced when Django reconnects): the statements
# prepared in its session.
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# sql → (statement name, the PREPARE text with $1, $2, … for its placeholders)
_statements: dict[str, tuple[str, str]] = {}
_PLACEHOLDER = re.compile(r"%s|%%")


def _numbered(sql: str) -> str:
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def execute(cursor, sql: str, params: list) -> None:
    """``cursor.execute(sql, params)`` (a Django cursor), with the plan kept by PostgreSQL
    (see above)."""
    db = cursor.db
    if db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    found = _statements.get(sql)
    if found is None:
        name = "sharekpi_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
        found = _statements[sql] = (name, f"PREPARE {name} AS {_numbered(sql)}")
    name, prepare = found
    raw = db.connection
    done = _prepared.get(raw)
    if done is None:
        done = _prepared[raw] = set()
    if name not in done:
        cursor.execute(prepare)
        done.add(name)
    if params:
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")


def statement_of(executed: str) -> str:
    """The statement behind an ``EXECUTE sharekpi_…`` (as captured by Django's query
    log); any other text as it is."""
    if executed.startswith("EXECUTE sharekpi_"):
        name = executed.split()[1]
        for sql, (known, _prepare) in _statements.items():
            if known == name:
                return sql
    return executed
