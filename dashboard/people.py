"""The dashboard's people counts (``PeopleStat``): active people, those with a social
account, and per KPI year and points value those with that score, per scope (a unit and
its subtree; 0 = everyone), so no dashboard read counts the people of its scope.

**Exact at every commit, by notes.** A person counts, while active, once in their unit
(0 without one): in the ``STAFF_YEAR`` row (and its ``participants`` if they have a
social account) and in each year's row of their score's points (and its ``participants``
if the score counts a verified share). Database triggers on ``accounts_user``,
``accounts_socialaccount``, ``scoring_kpiscore`` and the tallies insert, in the writer's own
transaction, the change of that person's counting as ``PeopleCountChange`` rows (unit,
year, points, ±people, ±participants) — whatever writes the rows: scoring's recount,
``compute_scores``' one set-based upsert, the staff import's bulk writes, the admin, a
shell. Triggers, not signals, because bulk writes send no signal, and because the note
must be computed from the rows' old and new values, which only the database sees. Like
the share counts' notes they are only inserted, so concurrent writers never queue on a
counter row; ``dashboard.stats.fold_changes`` adds them into the unit's scopes (the unit,
every unit above it, the organisation) before every dashboard read. A change of the tree
(a unit's parent changed, a unit deleted) notes ``TREE_CHANGED`` instead: the fold then
rebuilds the counts (``rebuild``), since every count above the unit moves.

**Concurrency (PostgreSQL).** A note is "the person's counting after minus before", read
from the other tables as they are: two transactions changing different tables of the same
person must not both read the other's old state. So a score's trigger takes the person's
row ``FOR SHARE`` before reading their unit (a change of the person's unit or activation
holds that row, and its trigger reads the scores and accounts after; a score inserted or
changed concurrently waits for it, or it waits for the score), and an account's trigger
takes it ``FOR NO KEY UPDATE`` (which also serialises two account changes of one person,
who might otherwise both see themselves as the first account). Two score writes of one
person and year queue on the score row anyway. Only writes that change a count lock
anything: most recounts move the share count within a band and note nothing. Every
noting trigger also takes a *shared* advisory lock, which ``rebuild`` takes exclusively,
so a rebuild reads a state no note is still in flight for. A statement moving more than
``BULK_ROWS`` people (``compute_scores``, a campaign's rebuilt tallies, a bulk load) first
*tries* that lock exclusively and, holding it, locks nobody one by one: every other
noting trigger then waits for it before it reads (never the other way round: no
deadlock). On SQLite writers are serialised.

Also counted: per campaign, the active people with a verified share of it (``kpi_year``
``CAMPAIGN_YEAR``, the campaign id as ``points``), from the dashboard's own per-person
tallies (``CampaignStaffTally``, trigger on it; the people's trigger reads a person's
verified tallies through a partial index).

The triggers are statement-level on PostgreSQL (transition tables: a 100,000-row upsert
notes a few thousand aggregated rows in one statement) and row-level on SQLite. SQLite
drops a table's triggers when a migration rebuilds the table, so ``install`` runs after
every ``migrate`` (``apps.py``), not only in this app's migration.
"""

from __future__ import annotations

import logging

from django.db import connection

from .models import CAMPAIGN_YEAR, ORGANISATION_SCOPE, STAFF_YEAR, TREE_CHANGED

log = logging.getLogger(__name__)

NOTES = "dashboard_peoplecountchange"
STATS = "dashboard_peoplestat"
USERS, ACCOUNTS, SCORES, UNITS, TALLIES = (
    "accounts_user",
    "accounts_socialaccount",
    "scoring_kpiscore",
    "accounts_orgunit",
    "scoring_campaignstafftally",
)
LOCK_NAMESPACE = 0x5350  # "SP": shared by noting triggers, exclusive for a rebuild
COLUMNS = "unit, kpi_year, points, people, participants"
NONZERO = "HAVING SUM(people) <> 0 OR SUM(participants) <> 0"

# --- PostgreSQL ---------------------------------------------------------------------------

# The moves of a score: (user_id, year, points, sign, counted).
_PG_SCORE_MOVES = {
    "INSERT": "SELECT user_id, year, points, 1 AS sign, verified_shares > 0 AS counted "
    "FROM new_rows",
    "DELETE": "SELECT user_id, year, points, -1 AS sign, verified_shares > 0 AS counted "
    "FROM old_rows",
    "UPDATE": """
        SELECT x.user_id, x.year, x.points, x.sign, x.counted FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES
            (n.user_id, n.year, n.points, 1, n.verified_shares > 0),
            (o.user_id, o.year, o.points, -1, o.verified_shares > 0)
        ) AS x (user_id, year, points, sign, counted)
        WHERE (o.user_id, o.year, o.points, o.verified_shares > 0)
            IS DISTINCT FROM (n.user_id, n.year, n.points, n.verified_shares > 0)""",
}

# The moves of a person's verified tally of a campaign: (user_id, campaign_id, sign).
_PG_TALLY_MOVES = {
    "INSERT": "SELECT person_id AS user_id, campaign_id, 1 AS sign FROM new_rows "
    "WHERE verified > 0",
    "DELETE": "SELECT person_id AS user_id, campaign_id, -1 AS sign FROM old_rows "
    "WHERE verified > 0",
    "UPDATE": """
        SELECT x.user_id, x.campaign_id, x.sign FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES
            (n.person_id, n.campaign_id, 1, n.verified > 0),
            (o.person_id, o.campaign_id, -1, o.verified > 0)
        ) AS x (user_id, campaign_id, sign, counted)
        WHERE x.counted AND (o.person_id, o.campaign_id, o.verified > 0)
            IS DISTINCT FROM (n.person_id, n.campaign_id, n.verified > 0)""",
}

# A person's states: (id, unit_id, is_active, sign).
_PG_USER_STATES = {
    "INSERT": "SELECT id, unit_id, is_active, 1 AS sign FROM new_rows",
    "DELETE": "SELECT id, unit_id, is_active, -1 AS sign FROM old_rows",
    "UPDATE": """
        SELECT x.id, x.unit_id, x.is_active, x.sign FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES
            (n.id, n.unit_id, n.is_active, 1), (o.id, o.unit_id, o.is_active, -1)
        ) AS x (id, unit_id, is_active, sign)
        WHERE (o.unit_id, o.is_active) IS DISTINCT FROM (n.unit_id, n.is_active)""",
}

# Accounts added (+) or removed (-) per person: (user_id, n).
_PG_ACCOUNT_MOVES = {
    "INSERT": "SELECT user_id, COUNT(*) AS n FROM new_rows GROUP BY user_id",
    "DELETE": "SELECT user_id, -COUNT(*) AS n FROM old_rows GROUP BY user_id",
    "UPDATE": """
        SELECT user_id, SUM(d) AS n FROM (
            SELECT user_id, 1 AS d FROM new_rows UNION ALL SELECT user_id, -1 FROM old_rows
        ) moved GROUP BY user_id HAVING SUM(d) <> 0""",
}

_PG_LOCK = f"PERFORM pg_advisory_xact_lock_shared({LOCK_NAMESPACE}, 0);"


BULK_ROWS = 500  # a statement moving more people than this may lock them all at once


def _pg_serialise(moves: str, strength: str) -> str:
    """Nothing to note: return. Else lock the people whose counting moves (``strength``)
    and take the shared lock; a bulk statement (compute_scores, a campaign's rebuilt
    tallies, an import) first tries the exclusive lock instead, which no noting
    transaction holds beside it, so it need not lock 100,000 people one by one (a
    concurrent writer's trigger then waits for the shared lock and reads this one's rows
    after it commits). Never waits for the exclusive lock: no deadlock."""
    return f"""
    IF NOT EXISTS ({moves}) THEN RETURN NULL; END IF;
    IF (SELECT COUNT(*) FROM ({moves}) m) <= {BULK_ROWS}
        OR NOT pg_try_advisory_xact_lock({LOCK_NAMESPACE}, 0) THEN
        PERFORM 1 FROM {USERS} WHERE id IN (SELECT user_id FROM ({moves}) m)
            ORDER BY id {strength};
        {_PG_LOCK}
    END IF;"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND;\n$$"
    )


def _pg_score_body(moves: str) -> str:
    return f"""
    {_pg_serialise(moves, "FOR SHARE")}
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), m.year, m.points, SUM(m.sign),
        SUM(CASE WHEN m.counted THEN m.sign ELSE 0 END)
    FROM ({moves}) m JOIN {USERS} u ON u.id = m.user_id
    WHERE u.is_active
    GROUP BY 1, 2, 3
    HAVING SUM(m.sign) <> 0 OR SUM(CASE WHEN m.counted THEN m.sign ELSE 0 END) <> 0;"""


def _pg_tally_body(moves: str) -> str:
    return f"""
    {_pg_serialise(moves, "FOR SHARE")}
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), {CAMPAIGN_YEAR}, m.campaign_id, SUM(m.sign), 0
    FROM ({moves}) m JOIN {USERS} u ON u.id = m.user_id
    WHERE u.is_active
    GROUP BY 1, 2, 3 HAVING SUM(m.sign) <> 0;"""


def _pg_user_body(states: str) -> str:
    return f"""
    IF NOT EXISTS ({states}) THEN RETURN NULL; END IF;
    {_PG_LOCK}
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT unit, kpi_year, points, SUM(people), SUM(participants) FROM (
        SELECT COALESCE(st.unit_id, 0) AS unit, {STAFF_YEAR} AS kpi_year, 0 AS points,
            st.sign AS people,
            CASE WHEN EXISTS (SELECT 1 FROM {ACCOUNTS} a WHERE a.user_id = st.id)
                THEN st.sign ELSE 0 END AS participants
        FROM ({states}) st WHERE st.is_active
        UNION ALL
        SELECT COALESCE(st.unit_id, 0), s.year, s.points, st.sign,
            CASE WHEN s.verified_shares > 0 THEN st.sign ELSE 0 END
        FROM ({states}) st JOIN {SCORES} s ON s.user_id = st.id WHERE st.is_active
        UNION ALL
        SELECT COALESCE(st.unit_id, 0), {CAMPAIGN_YEAR}, t.campaign_id, st.sign, 0
        FROM ({states}) st JOIN {TALLIES} t ON t.person_id = st.id
        WHERE st.is_active AND t.verified > 0
    ) c GROUP BY 1, 2, 3 {NONZERO};"""


def _pg_account_body(moves: str) -> str:
    delta = "CASE WHEN now.n > 0 THEN 1 ELSE 0 END - CASE WHEN now.n - m.n > 0 THEN 1 ELSE 0 END"
    return f"""
    {_pg_serialise(moves, "FOR NO KEY UPDATE")}
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), {STAFF_YEAR}, 0, 0, SUM({delta})
    FROM ({moves}) m JOIN {USERS} u ON u.id = m.user_id
    CROSS JOIN LATERAL (
        SELECT COUNT(*) AS n FROM {ACCOUNTS} a WHERE a.user_id = m.user_id
    ) now
    WHERE u.is_active
    GROUP BY 1 HAVING SUM({delta}) <> 0;"""


_PG_TREE_BODY = {
    "UPDATE": f"""
    IF EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
               WHERE n.parent_id IS DISTINCT FROM o.parent_id) THEN
        INSERT INTO {NOTES} ({COLUMNS}) VALUES ({TREE_CHANGED}, 0, 0, 0, 0);
    END IF;""",
    "DELETE": f"""
    IF EXISTS (SELECT 1 FROM old_rows) THEN
        INSERT INTO {NOTES} ({COLUMNS}) VALUES ({TREE_CHANGED}, 0, 0, 0, 0);
    END IF;""",
}


def _pg_triggers() -> list[tuple[str, str, str, str]]:
    """(table, operation, trigger/function name, function body) of every trigger."""
    found = []
    for table, short, bodies in (
        (SCORES, "score", {op: _pg_score_body(sql) for op, sql in _PG_SCORE_MOVES.items()}),
        (USERS, "user", {op: _pg_user_body(sql) for op, sql in _PG_USER_STATES.items()}),
        (
            ACCOUNTS,
            "account",
            {op: _pg_account_body(sql) for op, sql in _PG_ACCOUNT_MOVES.items()},
        ),
        (TALLIES, "tally", {op: _pg_tally_body(sql) for op, sql in _PG_TALLY_MOVES.items()}),
        (UNITS, "unit", _PG_TREE_BODY),
    ):
        for op, body in bodies.items():
            found.append((table, op, f"dashboard_people_{short}_{op.lower()}", body))
    return found


def _pg_install() -> list[str]:
    statements = []
    for table, op, name, body in _pg_triggers():
        transition = {
            "INSERT": "NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[op]
        statements += [
            _pg_function(name, body),
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _pg_uninstall() -> list[str]:
    statements = []
    for table, _op, name, _body in _pg_triggers():
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"DROP FUNCTION IF EXISTS {name}()",
        ]
    return statements


# --- SQLite (row-level; writers are serialised) ---------------------------------------------


def _sqlite_staff(row: str, sign: int) -> str:
    """The notes of one person's state (``OLD`` or ``NEW``) counted with ``sign``."""
    return f"""
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE({row}.unit_id, 0), {STAFF_YEAR}, 0, {sign},
        {sign} * EXISTS (SELECT 1 FROM {ACCOUNTS} a WHERE a.user_id = {row}.id)
    WHERE {row}.is_active;
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE({row}.unit_id, 0), s.year, s.points, {sign},
        {sign} * (s.verified_shares > 0)
    FROM {SCORES} s WHERE s.user_id = {row}.id AND {row}.is_active;
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE({row}.unit_id, 0), {CAMPAIGN_YEAR}, t.campaign_id, {sign}, 0
    FROM {TALLIES} t WHERE t.person_id = {row}.id AND t.verified > 0 AND {row}.is_active;"""


def _sqlite_tally(row: str, sign: int) -> str:
    return f"""
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), {CAMPAIGN_YEAR}, {row}.campaign_id, {sign}, 0
    FROM {USERS} u WHERE u.id = {row}.person_id AND u.is_active AND {row}.verified > 0;"""


def _sqlite_score(row: str, sign: int) -> str:
    return f"""
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), {row}.year, {row}.points, {sign},
        {sign} * ({row}.verified_shares > 0)
    FROM {USERS} u WHERE u.id = {row}.user_id AND u.is_active;"""


def _sqlite_account(row: str, sign: int) -> str:
    """+1 with an account when the person's first one came, -1 when the last one went."""
    wanted = 1 if sign > 0 else 0
    return f"""
    INSERT INTO {NOTES} ({COLUMNS})
    SELECT COALESCE(u.unit_id, 0), {STAFF_YEAR}, 0, 0, {sign}
    FROM {USERS} u WHERE u.id = {row}.user_id AND u.is_active
        AND (SELECT COUNT(*) FROM {ACCOUNTS} a WHERE a.user_id = {row}.user_id) = {wanted};"""


_SQLITE_TREE = f"INSERT INTO {NOTES} ({COLUMNS}) VALUES ({TREE_CHANGED}, 0, 0, 0, 0);"


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of every trigger."""
    score_changed = (
        "OLD.user_id IS NOT NEW.user_id OR OLD.year IS NOT NEW.year "
        "OR OLD.points IS NOT NEW.points "
        "OR (OLD.verified_shares > 0) IS NOT (NEW.verified_shares > 0)"
    )
    specs = [
        ("score_insert", f"AFTER INSERT ON {SCORES}", _sqlite_score("NEW", 1)),
        ("score_delete", f"AFTER DELETE ON {SCORES}", _sqlite_score("OLD", -1)),
        (
            "score_update",
            f"AFTER UPDATE ON {SCORES} WHEN {score_changed}",
            _sqlite_score("OLD", -1) + _sqlite_score("NEW", 1),
        ),
        ("tally_insert", f"AFTER INSERT ON {TALLIES}", _sqlite_tally("NEW", 1)),
        ("tally_delete", f"AFTER DELETE ON {TALLIES}", _sqlite_tally("OLD", -1)),
        (
            "tally_update",
            f"AFTER UPDATE ON {TALLIES} WHEN OLD.person_id IS NOT NEW.person_id "
            "OR OLD.campaign_id IS NOT NEW.campaign_id "
            "OR (OLD.verified > 0) IS NOT (NEW.verified > 0)",
            _sqlite_tally("OLD", -1) + _sqlite_tally("NEW", 1),
        ),
        ("user_insert", f"AFTER INSERT ON {USERS}", _sqlite_staff("NEW", 1)),
        ("user_delete", f"AFTER DELETE ON {USERS}", _sqlite_staff("OLD", -1)),
        (
            "user_update",
            f"AFTER UPDATE OF unit_id, is_active ON {USERS} "
            "WHEN OLD.unit_id IS NOT NEW.unit_id OR OLD.is_active IS NOT NEW.is_active",
            _sqlite_staff("OLD", -1) + _sqlite_staff("NEW", 1),
        ),
        ("account_insert", f"AFTER INSERT ON {ACCOUNTS}", _sqlite_account("NEW", 1)),
        ("account_delete", f"AFTER DELETE ON {ACCOUNTS}", _sqlite_account("OLD", -1)),
        (
            "account_update",
            f"AFTER UPDATE OF user_id ON {ACCOUNTS} WHEN OLD.user_id IS NOT NEW.user_id",
            _sqlite_account("OLD", -1) + _sqlite_account("NEW", 1),
        ),
        (
            "unit_update",
            f"AFTER UPDATE OF parent_id ON {UNITS} WHEN OLD.parent_id IS NOT NEW.parent_id",
            _SQLITE_TREE,
        ),
        ("unit_delete", f"AFTER DELETE ON {UNITS}", _SQLITE_TREE),
    ]
    return [
        (
            f"dashboard_people_{name}",
            f"CREATE TRIGGER dashboard_people_{name} {when}\nBEGIN\n{body}\nEND",
        )
        for name, when, body in specs
    ]


# --- installing -----------------------------------------------------------------------------


def install(conn=connection) -> None:
    """Create (or re-create) the triggers: idempotent."""
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for statement in _pg_install():
                cursor.execute(statement)
        elif conn.vendor == "sqlite":
            for name, statement in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(statement)
        else:
            raise NotImplementedError(f"dashboard: no people-count triggers for {conn.vendor}")


def uninstall(conn=connection) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            for statement in _pg_uninstall():
                cursor.execute(statement)
        else:
            for name, _statement in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def installed(conn=connection) -> int:
    """How many of the triggers the database has (a test holds it equal to all)."""
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            names = [name for _t, _o, name, _b in _pg_triggers()]
            cursor.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [names],
            )
        else:
            names = [name for name, _s in _sqlite_triggers()]
            cursor.execute(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ("
                + ", ".join(["%s"] * len(names))
                + ")",
                names,
            )
        return cursor.fetchone()[0]


def expected_triggers(conn=connection) -> int:
    return len(_pg_triggers()) if conn.vendor == "postgresql" else len(_sqlite_triggers())


# --- rebuild and fold -----------------------------------------------------------------------


def lock_exclusively(conn=connection) -> None:
    """Wait for every noting transaction in flight and keep new ones out until commit."""
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [LOCK_NAMESPACE])


def rebuild(conn=connection) -> None:
    """Recount every scope's people from the people, accounts and scores, set-based (a
    handful of statements), dropping the waiting notes, which the rows already contain.
    Call inside a transaction holding the fold's lock."""
    lock_exclusively(conn)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Not DELETE: a rebuild after a campaign's tallies were rewritten drops
            # hundreds of thousands of notes, and their dead rows would slow every
            # fold's DELETE … LIMIT until a vacuum. Safe here: the notes are read only
            # by the fold, whose lock the caller holds, and every writer of notes waits
            # for the exclusive lock taken above.
            cursor.execute(f"TRUNCATE {NOTES}")
        else:
            cursor.execute(f"DELETE FROM {NOTES}")
        cursor.execute(f"DELETE FROM {STATS}")
        cursor.execute(
            f"""INSERT INTO {STATS} (scope, {COLUMNS.split(", ", 1)[1]})
            SELECT COALESCE(u.unit_id, 0), s.year, s.points, COUNT(*),
                SUM(CASE WHEN s.verified_shares > 0 THEN 1 ELSE 0 END)
            FROM {SCORES} s JOIN {USERS} u ON u.id = s.user_id
            WHERE u.is_active
            GROUP BY COALESCE(u.unit_id, 0), s.year, s.points"""
        )
        cursor.execute(
            f"""INSERT INTO {STATS} (scope, {COLUMNS.split(", ", 1)[1]})
            SELECT COALESCE(u.unit_id, 0), {STAFF_YEAR}, 0, COUNT(*),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM {ACCOUNTS} a WHERE a.user_id = u.id)
                    THEN 1 ELSE 0 END)
            FROM {USERS} u WHERE u.is_active
            GROUP BY COALESCE(u.unit_id, 0)"""
        )
        cursor.execute(
            f"""INSERT INTO {STATS} (scope, {COLUMNS.split(", ", 1)[1]})
            SELECT COALESCE(u.unit_id, 0), {CAMPAIGN_YEAR}, t.campaign_id, COUNT(*), 0
            FROM {TALLIES} t JOIN {USERS} u ON u.id = t.person_id
            WHERE u.is_active AND t.verified > 0
            GROUP BY COALESCE(u.unit_id, 0), t.campaign_id"""
        )
        cursor.execute(f"SELECT MAX(depth) FROM {UNITS}")
        deepest = cursor.fetchone()[0]
        # Each level into its parent, deepest first, so each level holds its subtree
        # when it is rolled up (depth 0 into the organisation).
        for depth in range(deepest if deepest is not None else -1, -1, -1):
            cursor.execute(
                f"""INSERT INTO {STATS} (scope, kpi_year, points, people, participants)
                SELECT COALESCE(o.parent_id, {ORGANISATION_SCOPE}), s.kpi_year, s.points,
                    SUM(s.people), SUM(s.participants)
                FROM {STATS} s JOIN {UNITS} o ON o.id = s.scope
                WHERE o.depth = %s
                GROUP BY COALESCE(o.parent_id, {ORGANISATION_SCOPE}), s.kpi_year, s.points
                ON CONFLICT (scope, kpi_year, points) DO UPDATE SET
                    people = {STATS}.people + excluded.people,
                    participants = {STATS}.participants + excluded.participants""",
                [depth],
            )
    log.info("Dashboard people counts rebuilt")


def take_oldest(table: str, columns: str, batch: int) -> list[tuple]:
    """Delete the ``batch`` oldest rows of a notes table and return their ``columns``
    (``DELETE … RETURNING``: only committed rows are seen, so a note still in flight
    waits for the next fold). The share counts' notes are taken the same way."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT %s) "
            f"RETURNING {columns}",
            [batch],
        )
        return cursor.fetchall()


def take_changes(batch: int) -> list[tuple]:
    """Delete the oldest waiting notes and return them (committed ones only)."""
    return take_oldest(NOTES, COLUMNS, batch)
