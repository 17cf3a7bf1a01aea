"""Every write about scoring: schemes, KPI scores, closing and re-opening years.

The year's ScoringScheme row doubles as the year's lock: recounting a person,
recomputing a year, editing the bands and closing the year all take
``SELECT … FOR UPDATE`` on it first, so they never interleave (on SQLite the
IMMEDIATE transactions serialise writers anyway). That is what keeps a late
verification from slipping into a year while it is being closed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User

from . import bands as band_rules
from . import selectors
from .bands import Band
from .models import KpiScore, SchemeChange, ScoringBand, ScoringScheme, YearClose

log = logging.getLogger(__name__)

UPSERT_BATCH = 1000
SCORE_FIELDS = ["verified_shares", "points", "scheme_version", "computed_at"]


class ScoringError(Exception):
    """A refused scoring change; ``str(exc)`` says why, in words for people."""


class YearClosed(ScoringError):
    def __init__(self, year: int, close: YearClose | None = None):
        who = ""
        if close is not None:
            name = close.closed_by.full_name if close.closed_by else "HR"
            who = f" by {name} on {timezone.localtime(close.closed_at):%d %b %Y}"
        super().__init__(
            f"KPI year {selectors.kpi_year_label(year)} is closed{who}: its scores are frozen. "
            "A superuser must re-open the year before anything can change them."
        )
        self.year = year


class SchemeInvalid(ScoringError):
    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


class NotAllowed(ScoringError):
    pass


def check_year(year: int) -> int:
    if not isinstance(year, int) or not 2000 <= year <= 2999:
        raise ScoringError(f"{year!r} is not a KPI year this system keeps (2000 to 2999).")
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
        raise NotAllowed("Only HR admins may change the scoring bands.")
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


@transaction.atomic
def recount_person(*, user_id: int, year: int) -> KpiScore | None:
    """Bring one person's score for ``year`` up to date: one aggregate query, one
    upsert. Returns None (and changes nothing) when the year is closed."""
    scheme = _lock_year(year)
    if selectors.is_year_closed(year):
        return None
    count = selectors.count_for_person(user_id, year)
    score = _score(user_id, year, count, scheme, scheme.band_values(), timezone.now())
    _upsert([score])
    return score


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


def _compute_year_in_sql(year: int, scheme: ScoringScheme) -> int:
    """PostgreSQL: the whole recompute as one INSERT … SELECT … ON CONFLICT, so
    100,000 scores never travel to Python. Rows whose count, points and scheme
    version are unchanged are left alone (no dead tuples, computed_at kept).
    Returns the number of rows inserted or changed."""
    counts_sql, counts_params = (
        selectors.counted_shares(year)
        .order_by()
        .values("staff_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("staff_id", "n")
        .query.sql_with_params()
    )
    points_sql, points_params = _points_case(scheme.band_values(), "scored.n")
    score, user = KpiScore._meta.db_table, User._meta.db_table
    sql = f"""
        WITH counts (staff_id, n) AS ({counts_sql}),
        people (user_id) AS (
            SELECT id FROM {user} WHERE is_active
            UNION SELECT staff_id FROM counts
            UNION SELECT user_id FROM {score} WHERE year = %s
        )
        INSERT INTO {score} (user_id, year, verified_shares, points, scheme_version, computed_at)
        SELECT scored.user_id, %s, scored.n, {points_sql}, %s, %s
        FROM (
            SELECT people.user_id, COALESCE(counts.n, 0) AS n
            FROM people LEFT JOIN counts ON counts.staff_id = people.user_id
        ) scored
        ON CONFLICT (user_id, year) DO UPDATE SET
            verified_shares = EXCLUDED.verified_shares,
            points = EXCLUDED.points,
            scheme_version = EXCLUDED.scheme_version,
            computed_at = EXCLUDED.computed_at
        WHERE ({score}.verified_shares, {score}.points, {score}.scheme_version)
            IS DISTINCT FROM (EXCLUDED.verified_shares, EXCLUDED.points, EXCLUDED.scheme_version)
    """
    params = [*counts_params, year, year, *points_params, scheme.version, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def compute_year(*, year: int) -> int:
    """Recompute everyone's score for ``year``, set-based: one aggregate query over
    the year's counted shares, then batched upserts. Every active person gets a
    row (0 shares → the first band), and so does anyone with a counted share or
    an earlier row. Refused for a closed year. Returns the number of rows written."""
    check_year(year)
    scheme = _lock_year(year)
    _refuse_if_closed(year)
    return _compute_year_locked(year, scheme)


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
        raise NotAllowed("Only HR admins may close a KPI year.")
    check_year(year)
    if not selectors.year_has_ended(year):
        _, last_day = selectors.kpi_year_period(year)
        raise ScoringError(
            f"KPI year {selectors.kpi_year_label(year)} runs until {last_day:%d %b %Y}; "
            "it can be closed once it has ended."
        )
    scheme = _lock_year(year)
    _refuse_if_closed(year)
    _compute_year_locked(year, scheme)
    close = YearClose.objects.create(year=year, closed_by=actor, closed_at=timezone.now())
    log.info("KPI year %s closed by %s", year, actor.staff_id)
    return close


@transaction.atomic
def reopen_year(*, year: int, actor: User, reason: str = "") -> YearClose:
    """Re-open a closed year (superusers only), recorded on the close; the year is
    then recomputed so its scores catch up with what changed while it was closed."""
    if not (actor and actor.is_active and actor.is_superuser):
        raise NotAllowed("Only a superuser may re-open a closed KPI year.")
    scheme = _lock_year(year)
    close = YearClose.objects.select_for_update().filter(year=year, reopened_at=None).first()
    if close is None:
        raise ScoringError(f"KPI year {selectors.kpi_year_label(year)} is not closed.")
    close.reopened_by = actor
    close.reopened_at = timezone.now()
    close.reopen_reason = reason.strip()
    close.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    _compute_year_locked(year, scheme)
    log.warning("KPI year %s re-opened by %s: %s", year, actor.staff_id, reason)
    return close
