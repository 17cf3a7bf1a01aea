"""Every write about scoring: schemes, KPI scores, closing and re-opening years.

The year's ScoringScheme row doubles as the year's lock: recounting a person,
recomputing a year, editing the bands and closing the year all take
``SELECT … FOR UPDATE`` on it first, so they never interleave (on SQLite the
IMMEDIATE transactions serialise writers anyway). That is what keeps a late
verification from slipping into a year while it is being closed. Whatever must
see the other side's work (is the year closed now? which bands?) is read by a
statement begun after the lock is granted: on PostgreSQL a statement that waited
for the lock still reads with the snapshot it started with.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Expression, IntegerField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from sharekpi import prepared

from . import bands as band_rules
from . import selectors
from .bands import Band
from .models import KpiScore, SchemeChange, ScoringBand, ScoringScheme, YearClose

# The audit log's object type for decisions about a whole KPI year (object id: the year).
KPI_YEAR = "scoring.kpiyear"

log = logging.getLogger(__name__)

UPSERT_BATCH = 1000
SCORE_FIELDS = ["verified_shares", "points", "scheme_version", "computed_at"]


class ScoringError(Exception):
    """A refused scoring change; ``str(exc)`` says why, in words for people."""


class YearClosed(ScoringError):
    def __init__(self, year: int, close: YearClose | None = None):
        label = selectors.kpi_year_label(year)
        if close is None:
            message = _(
                "KPI year %(year)s is closed: its scores are frozen. "
                "A superuser must re-open the year before anything can change them."
            ) % {"year": label}
        else:
            message = _(
                "KPI year %(year)s was closed by %(who)s on %(when)s: its scores are frozen. "
                "A superuser must re-open the year before anything can change them."
            ) % {
                "year": label,
                "who": close.closed_by.full_name if close.closed_by else _("HR"),
                "when": date_format(timezone.localtime(close.closed_at)),
            }
        super().__init__(message)
        self.year = year


class SchemeInvalid(ScoringError):
    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


class NotAllowed(ScoringError):
    pass


def check_year(year: int) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise ScoringError(
            _("“%(year)s” is not a KPI year this system keeps (2000 to 2999).") % {"year": year}
        )
    return year


# --- schemes --------------------------------------------------------------------------------


def scheme_for_year(year: int) -> ScoringScheme:
    """The year's scheme, created with the default bands on first use."""
    check_year(year)
    scheme = ScoringScheme.objects.filter(year=year).prefetch_related("bands").first()
    if scheme is not None:
        return scheme
    with transaction.atomic():
        scheme, created = ScoringScheme.objects.get_or_create(year=year)
        if created:
            _write_bands(scheme, band_rules.DEFAULT_BANDS)
            _forget_cached_bands()
    return ScoringScheme.objects.prefetch_related("bands").get(pk=scheme.pk)


def _write_bands(scheme: ScoringScheme, bands: Iterable[Band]) -> None:
    ScoringBand.objects.bulk_create(
        ScoringBand(
            scheme=scheme, min_shares=b.min_shares, max_shares=b.max_shares, points=b.points
        )
        for b in band_rules.ordered(bands)
    )


def _lock_year(year: int) -> ScoringScheme:
    """Take the year's lock (its scheme row) and return the scheme with its bands."""
    locked = ScoringScheme.objects.select_for_update().prefetch_related("bands")
    scheme = locked.filter(year=year).first()
    if scheme is None:
        scheme_for_year(year)
        scheme = locked.get(year=year)
    return scheme


# A scheme's bands by (pk, version, updated_at). Only ever filled with bands read while
# holding the year's lock, and every band edit bumps the version (``update_scheme``), so a
# key never maps to stale bands; ``updated_at`` (and clearing on every write) also covers a
# rolled-back edit or creation whose pk and version get used again.
_bands_by_version: dict[tuple, tuple[Band, ...]] = {}
_BANDS_CACHE_SIZE = 64


def _forget_cached_bands() -> None:
    _bands_by_version.clear()


def _lock_year_bands(year: int) -> tuple[int, tuple[Band, ...]]:
    """Take the year's lock (``SELECT … FOR UPDATE`` on its scheme row, as ``_lock_year``)
    and return the scheme's version and bands: one query in the steady state, the bands
    coming from the in-process cache. The version is read by the locking query itself, so
    it is the one in force until this transaction ends."""
    locked = (
        ScoringScheme.objects.select_for_update()
        .filter(year=year)
        .order_by()
        .values_list("pk", "version", "updated_at")
    )
    rows = list(locked)
    if rows:
        pk, version, updated_at = rows[0]
        key = (pk, version, updated_at)
        bands = _bands_by_version.get(key)
        if bands is None:
            bands = tuple(ScoringScheme(pk=pk, year=year, version=version).band_values())
    else:
        scheme = _lock_year(year)
        key = (scheme.pk, scheme.version, scheme.updated_at)
        version, bands = scheme.version, tuple(scheme.band_values())
    if key not in _bands_by_version:
        if len(_bands_by_version) >= _BANDS_CACHE_SIZE:
            _bands_by_version.clear()
        _bands_by_version[key] = bands
    return version, bands


def _refuse_if_closed(year: int) -> None:
    close = selectors.year_close_in_force(year)
    if close is not None:
        raise YearClosed(year, close)


@transaction.atomic
def update_scheme(*, year: int, bands: Sequence[Band], actor: User) -> ScoringScheme:
    """Replace a year's bands: validated, audited, version bumped, year re-scored.

    Refused for a closed year (``YearClosed``) or invalid bands (``SchemeInvalid``
    with one message per problem). Saving the same bands again changes nothing.
    """
    if not (actor and actor.is_hr_admin):
        raise NotAllowed(_("Only HR admins may change the scoring bands."))
    check_year(year)
    problems = band_rules.validate(bands)
    if problems:
        raise SchemeInvalid(problems)
    scheme = _lock_year(year)
    _refuse_if_closed(year)
    before = scheme.as_json()
    new_bands = band_rules.ordered(bands)
    if [b.as_dict() for b in new_bands] == before["bands"]:
        return scheme
    scheme.bands.all().delete()
    _write_bands(scheme, new_bands)
    _forget_cached_bands()
    scheme.version += 1
    scheme.updated_by = actor
    scheme.updated_at = timezone.now()
    scheme.save(update_fields=["version", "updated_by", "updated_at"])
    scheme = ScoringScheme.objects.prefetch_related("bands").get(pk=scheme.pk)
    SchemeChange.objects.create(
        scheme=scheme,
        year=year,
        version=scheme.version,
        changed_by=actor,
        before=before,
        after=scheme.as_json(),
    )
    audit.record(
        actor=actor,
        action="scheme.edited",
        obj=scheme,
        before=before,
        after=scheme.as_json(),
    )
    _compute_year_locked(year, scheme)
    log.info("Scoring scheme %s changed to v%s by %s", year, scheme.version, actor.staff_id)
    return scheme


# --- scores ---------------------------------------------------------------------------------


def _score(user_id: int, year: int, count: int, scheme: ScoringScheme, bands, now) -> KpiScore:
    return KpiScore(
        user_id=user_id,
        year=year,
        verified_shares=count,
        points=band_rules.points_for(count, bands),
        scheme_version=scheme.version,
        computed_at=now,
    )


def _upsert(scores: Iterable[KpiScore]) -> int:
    """Insert or update KpiScore rows in batches (INSERT … ON CONFLICT on both databases)."""
    written = 0
    iterator: Iterator[KpiScore] = iter(scores)
    while batch := list(islice(iterator, UPSERT_BATCH)):
        KpiScore.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["user", "year"],
            update_fields=SCORE_FIELDS,
        )
        written += len(batch)
    return written


_PERSON = object()  # where the person's id goes in the parameters of _recount_sql


class _Person(Expression):
    """The person being recounted, as a parameter left open in SQL compiled once."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection):
        return "%s", [_PERSON]


def _recount_sql(year: int) -> tuple[str, tuple, str, tuple]:
    """The person's ``(user_id, n)`` row by ``selectors.counts_by_person`` and the
    ``NOT EXISTS`` guard on the year's close, as SQL, with ``_PERSON`` standing in
    for the person's id. Compiling the ORM queries costs more CPU than running them,
    so this is compiled once per year and per setting the counting rule reads (the
    organisation's zone and the KPI year's start month) and database."""
    return _compile_recount_sql(*_recount_key(year))


def _recount_key(year: int) -> tuple:
    """What the compiled recount SQL depends on: the database, the year and the
    settings the counting rule reads (the organisation's zone, the KPI year's start
    month, the connection's zone)."""
    return (
        connection.alias,
        year,
        settings.TIME_ZONE,
        selectors.start_month(),
        connection.timezone_name,
    )


@functools.lru_cache(maxsize=32)
def _compile_recount_sql(alias, year, zone, month, db_zone) -> tuple[str, tuple, str, tuple]:
    counts_sql, counts_params = (
        selectors.counts_by_person(year).filter(staff_id=_Person()).query.sql_with_params()
    )
    closes_sql, closes_params = selectors.closes_in_force(year).values("pk").query.sql_with_params()
    user_id_type = KpiScore._meta.get_field("user").db_type(connections[alias])
    return (
        # An aggregate, so one row even for nobody's count, and a subquery the planner
        # cannot flatten: flattened, PostgreSQL would run the count once per reference
        # to ``n`` in the points CASE.
        # The person's id cast to its column's type: a prepared statement (sharekpi.prepared)
        # would take an untyped parameter for text.
        f"SELECT CAST(%s AS {user_id_type}) AS user_id, COALESCE(MAX(c.n), 0) AS n "
        f"FROM ({counts_sql}) c",
        (_PERSON, *counts_params),
        f"NOT EXISTS ({closes_sql})",
        tuple(closes_params),
    )


_PEOPLE = object()  # where the people's ids (an array) go in _recount_many_sql's parameters


class _People(Expression):
    """The people being recounted, as an array parameter left open in SQL compiled once
    (PostgreSQL: ``staff_id IN (SELECT unnest(%s))``)."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection):
        db_type = KpiScore._meta.get_field("user").db_type(connection)
        return f"(SELECT unnest(CAST(%s AS {db_type}[])))", [_PEOPLE]


def _recount_many_sql(year: int) -> tuple[str, tuple, str, tuple]:
    """``_recount_sql`` for several people at once on PostgreSQL: a ``(user_id, n)`` row
    for each id of the ``_PEOPLE`` array, 0 for nobody's count."""
    return _compile_recount_many_sql(*_recount_key(year))


@functools.lru_cache(maxsize=32)
def _compile_recount_many_sql(alias, year, zone, month, db_zone) -> tuple[str, tuple, str, tuple]:
    counts_sql, counts_params = (
        selectors.counts_by_person(year).filter(staff_id__in=_People()).query.sql_with_params()
    )
    closes_sql, closes_params = selectors.closes_in_force(year).values("pk").query.sql_with_params()
    user_id_type = KpiScore._meta.get_field("user").db_type(connections[alias])
    return (
        # The counts are a GROUP BY subquery, which the planner cannot flatten into the
        # points CASE (see _compile_recount_sql).
        f"SELECT p.user_id, COALESCE(c.n, 0) AS n "
        f"FROM unnest(CAST(%s AS {user_id_type}[])) AS p (user_id) "
        f"LEFT OUTER JOIN ({counts_sql}) c ON c.staff_id = p.user_id",
        (_PEOPLE, *counts_params),
        f"NOT EXISTS ({closes_sql})",
        tuple(closes_params),
    )


def recount_person(*, user_id: int, year: int) -> KpiScore | None:
    """Bring one person's score for ``year`` up to date. Returns None (and changes
    nothing) when the year is closed. See ``recount_people``."""
    return recount_people(user_ids=[user_id], year=year)[0]


@transaction.atomic(savepoint=False)
def recount_people(*, user_ids: Sequence[int], year: int) -> list[KpiScore | None]:
    """Bring these people's scores for ``year`` up to date; their new KpiScore rows, in
    order (None for each when the year is closed, and nothing changes).

    Called inside the caller's transaction whenever shares become or stop being
    verified, so it is kept small: no savepoint, and in the steady state one statement
    for the year's lock (which also reads the scheme version; the bands come from the
    cache), then one ``INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING`` that
    counts, scores and writes the rows, guarded by ``NOT EXISTS`` (the year's close): on
    PostgreSQL one for all the people (prepared once per connection), elsewhere one per
    person.
    The close is checked in those statements on purpose: on PostgreSQL a statement that
    waited for the lock still reads with the snapshot it started with, so only a
    statement begun after the lock sees a close committed while we waited."""
    version, bands = _lock_year_bands(year)
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _recount_many(user_ids=user_ids, year=year, version=version, bands=bands, now=now)
    compiled = _recount_sql(year)
    returning = connection.features.can_return_columns_from_insert
    scores: list[KpiScore | None] = []
    for user_id in user_ids:
        sql, params = _recount_upsert(
            compiled, _PERSON, user_id, year=year, version=version, bands=bands, now=now,
            returning=returning,
        )  # fmt: skip
        with connection.cursor() as cursor:
            # Prepared once per connection: planning it cost PostgreSQL more than running it.
            cursor.execute(prepared.statement(connection, sql), params)
            if not returning:  # SQLite before 3.35
                scores.append(
                    KpiScore.objects.filter(user_id=user_id, year=year).first()
                    if cursor.rowcount
                    else None
                )
                continue
            row = cursor.fetchone()
        if row is None:
            scores.append(None)
            continue
        pk, _user_id, count, points = row
        scores.append(_written_score(pk, user_id, year, count, points, version, now))
    return scores


def _recount_upsert(
    compiled: tuple[str, tuple, str, tuple],
    stand_in: object,
    value,
    *,
    year,
    version,
    bands,
    now,
    returning: bool,
) -> tuple[str, list]:
    """The recount's upsert from its compiled SQL (``_recount_sql`` or
    ``_recount_many_sql``), the person or people put where ``stand_in`` stands."""
    scored_sql, scored_params, where_sql, where_params = compiled
    return _upsert_scores_sql(
        year=year,
        version=version,
        bands=bands,
        computed_at=now,
        scored_sql=scored_sql,
        scored_params=[value if p is stand_in else p for p in scored_params],
        where_sql=where_sql,
        where_params=where_params,
        returning=returning,
    )


def _written_score(pk, user_id, year, count, points, version, now) -> KpiScore:
    """The KpiScore row an upsert just wrote, from what it returned (no read back)."""
    score = KpiScore(
        pk=pk,
        user_id=user_id,
        year=year,
        verified_shares=count,
        points=points,
        scheme_version=version,
        computed_at=now,
    )
    score._state.adding, score._state.db = False, connection.alias
    return score


def _recount_many(
    *, user_ids: Sequence[int], year: int, version: int, bands, now
) -> list[KpiScore | None]:
    """recount_people's upsert on PostgreSQL: one statement for all the people (prepared
    once per connection), each person's row coming back by its user id."""
    people = list(dict.fromkeys(user_ids))  # ON CONFLICT may touch a row only once
    if not people:
        return []
    sql, params = _recount_upsert(
        _recount_many_sql(year), _PEOPLE, people, year=year, version=version, bands=bands,
        now=now, returning=True,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(prepared.statement(connection, sql), params)
        rows = {user_id: (pk, count, points) for pk, user_id, count, points in cursor.fetchall()}
    scores: list[KpiScore | None] = []
    for user_id in user_ids:
        if user_id not in rows:  # the year is closed: nothing was written
            scores.append(None)
            continue
        pk, count, points = rows[user_id]
        scores.append(_written_score(pk, user_id, year, count, points, version, now))
    return scores


def _compute_year_locked(year: int, scheme: ScoringScheme) -> int:
    if connection.vendor == "postgresql":
        return _compute_year_in_sql(year, scheme)
    counts = selectors.counts_for_year(year)
    people = set(counts)
    people.update(
        User.objects.filter(is_active=True).values_list("pk", flat=True).iterator(chunk_size=5000)
    )
    people.update(
        KpiScore.objects.filter(year=year)
        .values_list("user_id", flat=True)
        .iterator(chunk_size=5000)
    )
    bands, now = scheme.band_values(), timezone.now()
    return _upsert(
        _score(user_id, year, counts.get(user_id, 0), scheme, bands, now)
        for user_id in sorted(people)
    )


def _points_case(bands, column: str) -> tuple[str, list]:
    """The scheme's bands as one SQL CASE over the count in ``column``."""
    whens, params = [], []
    for band in bands:
        if band.max_shares is None:
            whens.append(f"WHEN {column} >= %s THEN %s")
            params += [band.min_shares, band.points]
        else:
            whens.append(f"WHEN {column} BETWEEN %s AND %s THEN %s")
            params += [band.min_shares, band.max_shares, band.points]
    return "CASE " + " ".join(whens) + " ELSE 0 END", params


def _upsert_scores_sql(
    *,
    year: int,
    version: int,
    bands: Sequence[Band],
    computed_at,
    scored_sql: str,
    scored_params: Sequence,
    where_sql: str = "true",
    where_params: Sequence = (),
    only_changed: bool = False,
    returning: bool = False,
) -> tuple[str, list]:
    """One ``INSERT … SELECT … ON CONFLICT DO UPDATE`` writing the KpiScore rows of
    ``year`` for the ``(user_id, n)`` rows of ``scored_sql``: points by the bands (one
    CASE), the scheme version, ``computed_at``. Rows are written only where ``where_sql``
    holds (SQLite needs some WHERE before ON CONFLICT in an INSERT … SELECT). With
    ``only_changed`` rows whose count, points and version are unchanged are left alone;
    with ``returning`` each written row comes back as ``(id, user_id, verified_shares,
    points)``."""
    points_sql, points_params = _points_case(bands, "scored.n")
    score = KpiScore._meta.db_table
    sql = f"""
        INSERT INTO {score} (user_id, year, verified_shares, points, scheme_version, computed_at)
        SELECT scored.user_id, %s, scored.n, {points_sql}, %s, %s
        FROM ({scored_sql}) scored
        WHERE {where_sql}
        ON CONFLICT (user_id, year) DO UPDATE SET
            verified_shares = EXCLUDED.verified_shares,
            points = EXCLUDED.points,
            scheme_version = EXCLUDED.scheme_version,
            computed_at = EXCLUDED.computed_at
    """
    if only_changed:
        sql += f"""
        WHERE ({score}.verified_shares, {score}.points, {score}.scheme_version)
            IS DISTINCT FROM (EXCLUDED.verified_shares, EXCLUDED.points, EXCLUDED.scheme_version)
        """
    if returning:
        sql += " RETURNING id, user_id, verified_shares, points"
    computed_at = KpiScore._meta.get_field("computed_at").get_db_prep_value(computed_at, connection)
    params = [
        year,
        *points_params,
        version,
        computed_at,
        *scored_params,
        *where_params,
    ]
    return sql, params


def _compute_year_in_sql(year: int, scheme: ScoringScheme) -> int:
    """PostgreSQL: the whole recompute as one INSERT … SELECT … ON CONFLICT, so
    100,000 scores never travel to Python. Rows whose count, points and scheme
    version are unchanged are left alone (no dead tuples, computed_at kept): left out
    of the SELECT, and (for a row written meanwhile) by the ON CONFLICT's WHERE.
    Returns the number of rows inserted or changed."""
    counts_sql, counts_params = selectors.counts_by_person(year).query.sql_with_params()
    user, score = User._meta.db_table, KpiScore._meta.db_table
    # The aggregate first, into a temporary table: PostgreSQL runs a CREATE TABLE … AS
    # SELECT with parallel workers, an INSERT … SELECT never (the aggregate is most of
    # the cost: on the 2-core bench machine the recompute went from 1.6x to 1.2x the bare
    # aggregate).
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.kpi_year_counts")
        cursor.execute(
            f"CREATE TEMPORARY TABLE kpi_year_counts (staff_id, n) ON COMMIT DROP AS {counts_sql}",
            counts_params,
        )
    bands = scheme.band_values()
    points_sql, points_params = _points_case(bands, "scored.n")
    sql, params = _upsert_scores_sql(
        year=year,
        version=scheme.version,
        bands=bands,
        computed_at=timezone.now(),
        scored_sql=f"""
            WITH counts (staff_id, n) AS (SELECT staff_id, n FROM kpi_year_counts),
            people (user_id) AS (
                SELECT id FROM {user} WHERE is_active
                UNION SELECT staff_id FROM counts
                UNION SELECT user_id FROM {score} WHERE year = %s
            )
            SELECT people.user_id, COALESCE(counts.n, 0) AS n
            FROM people LEFT JOIN counts ON counts.staff_id = people.user_id
        """,
        scored_params=[year],
        # Unchanged rows are left out before the insert (one hash anti-join), not
        # probed one by one by ON CONFLICT: in a re-run nearly every row is unchanged.
        where_sql=f"""NOT EXISTS (
            SELECT 1 FROM {score} kept
            WHERE kept.user_id = scored.user_id AND kept.year = %s
              AND kept.verified_shares = scored.n AND kept.points = {points_sql}
              AND kept.scheme_version = %s
        )""",
        where_params=[year, *points_params, scheme.version],
        only_changed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def compute_year(*, year: int, actor: User | None = None) -> int:
    """Recompute everyone's score for ``year``, set-based: one aggregate query over
    the year's counted shares, then batched upserts. Every active person gets a
    row (0 shares → the first band), and so does anyone with a counted share or
    an earlier row. Refused for a closed year. Returns the number of rows written.
    Asked for by a person (``actor``, HR's "Recompute"), it is audited; the nightly
    run and the reports' top-ups are not."""
    check_year(year)
    scheme = _lock_year(year)
    _refuse_if_closed(year)
    written = _compute_year_locked(year, scheme)
    if actor is not None:
        audit.record(
            actor=actor,
            action="year.recomputed",
            object_type=KPI_YEAR,
            object_id=year,
            after={"scores_written": written, "scheme_version": scheme.version},
        )
    return written


def recompute_open_years() -> dict[int, int]:
    """The nightly job: the current KPI year, and last year while it is still open
    (late verifications of December shares land in January)."""
    done: dict[int, int] = {}
    current = selectors.current_kpi_year()
    for year in (current - 1, current):
        if selectors.is_year_closed(year):
            continue
        if year < current and not selectors.counted_shares(year).exists():
            continue
        done[year] = compute_year(year=year)
    return done


def ensure_scores(*, year: int, unit=None, closed: bool | None = None) -> bool:
    """Make sure everyone active in scope has a row for an open year (reports call
    this); computes the whole year, set-based, when someone is missing. Closed
    years are never touched. Returns True if it computed."""
    if selectors.is_year_closed(year) if closed is None else closed:
        return False
    if not selectors.people_without_score(year, unit).exists():
        return False
    try:
        compute_year(year=year)
    except YearClosed:
        return False
    return True


def score_for(*, user: User, year: int) -> KpiScore:
    """A person's row for ``year``; recounted on the spot if missing (open year),
    or an unsaved zero row for a closed year they have no frozen row in."""
    score = KpiScore.objects.filter(user=user, year=year).first()
    if score is not None:
        return score
    score = recount_person(user_id=user.pk, year=year)
    if score is not None:
        return score
    scheme = scheme_for_year(year)
    return _score(user.pk, year, 0, scheme, scheme.band_values(), timezone.now())


# --- year close -----------------------------------------------------------------------------


@transaction.atomic
def close_year(*, year: int, actor: User) -> YearClose:
    """Freeze a KPI year: recompute it one last time, then record the close.
    From then on no verification, review or scheme edit changes its scores."""
    if not (actor and actor.is_hr_admin):
        raise NotAllowed(_("Only HR admins may close a KPI year."))
    check_year(year)
    if not selectors.year_has_ended(year):
        _first_day, last_day = selectors.kpi_year_period(year)
        raise ScoringError(
            _("KPI year %(year)s runs until %(last_day)s; it can be closed once it has ended.")
            % {"year": selectors.kpi_year_label(year), "last_day": date_format(last_day)}
        )
    scheme = _lock_year(year)
    _refuse_if_closed(year)
    written = _compute_year_locked(year, scheme)
    close = YearClose.objects.create(year=year, closed_by=actor, closed_at=timezone.now())
    audit.record(
        actor=actor,
        action="year.closed",
        object_type=KPI_YEAR,
        object_id=year,
        before={"closed": False},
        after={"closed": True, "scores_frozen": written, "scheme_version": scheme.version},
    )
    log.info("KPI year %s closed by %s", year, actor.staff_id)
    return close


@transaction.atomic
def reopen_year(*, year: int, actor: User, reason: str = "") -> YearClose:
    """Re-open a closed year (superusers only), recorded on the close; the year is
    then recomputed so its scores catch up with what changed while it was closed."""
    if not (actor and actor.is_active and actor.is_superuser):
        raise NotAllowed(_("Only a superuser may re-open a closed KPI year."))
    scheme = _lock_year(year)
    close = YearClose.objects.select_for_update().filter(year=year, reopened_at=None).first()
    if close is None:
        raise ScoringError(
            _("KPI year %(year)s is not closed.") % {"year": selectors.kpi_year_label(year)}
        )
    close.reopened_by = actor
    close.reopened_at = timezone.now()
    close.reopen_reason = reason.strip()
    close.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    written = _compute_year_locked(year, scheme)
    audit.record(
        actor=actor,
        action="year.reopened",
        object_type=KPI_YEAR,
        object_id=year,
        before={"closed": True, "closed_at": close.closed_at},
        after={"closed": False, "reason": close.reopen_reason, "scores_written": written},
    )
    log.warning("KPI year %s re-opened by %s: %s", year, actor.staff_id, reason)
    return close
