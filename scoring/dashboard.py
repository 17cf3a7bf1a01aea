"""The HR dashboard: its pre-aggregated share counts and every number it shows.

**Upkeep.** ``ShareWeekStat`` and ``CampaignStaffStat`` (scoring.models) hold share counts
per *scope* (an org unit and everything below it, or 0 = the whole organisation), so
that any scope's figures are a few index lookups whatever the size of the organisation.

* Incremental, in two steps. (1) campaigns sends ``share_status_changed`` when a share
  is logged (``old_status=None``) and on every status change; ``record_status_change``
  inserts one ``ShareCountChange`` note (the move between status columns, and ±1 to the
  campaign's distinct people when the person's tally of shares or verified shares of it
  crosses zero — ``CampaignStaffTally``, one upsert on the person's own row) inside the
  caller's transaction, so the note commits with the status. No counter row shared by
  everybody is written there: concurrent submissions never queue behind each other.
  (2) ``fold_changes`` deletes the waiting notes and adds them, summed, into the rows of
  each person's unit, every unit above it and the organisation (one upsert per table
  and batch). Every dashboard read folds first, so what it shows is exact as of the
  read; beat also folds every few seconds (``scoring.tasks.fold_dashboard_changes``) so
  the notes never pile up.
* Full rebuild: ``refresh_campaign`` recomputes one campaign's rows (and tallies) from
  the shares, set-based (``INSERT … SELECT … GROUP BY`` at unit level, then rolled up the
  tree one level per statement), and drops the campaign's waiting notes, which the
  shares already contain. ``refresh_stats`` does it for every campaign; Celery beat runs
  it for recent campaigns every night (``scoring.tasks.refresh_dashboard_stats``); it
  also catches what the notes cannot (people moved between units, shares written by
  bulk loads).
* Locking (PostgreSQL): a status change takes a *shared* advisory lock on its campaign;
  a rebuild takes the campaign's lock exclusively, then the fold's lock. So a rebuild
  never interleaves with a change of the same campaign (a change either committed
  before the rebuild read the shares — its note is dropped — or writes its note after
  the rebuild), and never with a fold. Two changes of one person and campaign queue on
  the person's tally row. On SQLite writers are serialised anyway.

**Reading.** People, participation and points come live from ``KpiScore`` (one row per
person and year, kept current by scoring) joined to the active users of the scope, in
one grouped query; share counts come from the aggregate tables. The dashboard runs a
fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import UNIT_SEPARATOR, OrgUnit, Platform, SocialAccount, User
from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share, ShareStatus

from . import bands as band_rules
from . import reports, selectors, services
from .models import (
    ORGANISATION_SCOPE,
    CampaignStaffStat,
    CampaignStaffTally,
    DashboardSettings,
    KpiScore,
    ShareCountChange,
    ShareWeekStat,
)

log = logging.getLogger(__name__)

STATUS_COLUMNS = ("pending", "verified", "needs_review", "rejected", "removed")
WEEK_KEY = ("kpi_year", "week_start", "campaign", "platform")
STAFF_COLUMNS = ("shared_staff", "verified_staff")
# Advisory-lock key spaces of the dashboard (two-int form: namespace, campaign id; the
# fold's lock is (FOLD_LOCK_NAMESPACE, 0)).
LOCK_NAMESPACE = 0x5348  # "SH"
FOLD_LOCK_NAMESPACE = 0x5346  # "SF"
FOLD_BATCH = 5000
UPSERT_CHUNK = 500
NO_SHARES, NO_ACCOUNT = "no_shares", "no_account"
MISSING_KINDS = (NO_SHARES, NO_ACCOUNT)
LEADERBOARD_SIZE = 20
MISSING_PAGE_SIZE = 25


# === upkeep ==================================================================================


def week_start_of(moment: datetime.datetime) -> datetime.date:
    """Monday of the week ``moment`` falls in, on the organisation's local calendar."""
    day = timezone.localtime(moment, selectors.organisation_zone()).date()
    return day - datetime.timedelta(days=day.weekday())


def ancestor_paths(path: str) -> list[str]:
    """``A/B/C`` → ``["A", "A/B", "A/B/C"]``."""
    parts = path.split(UNIT_SEPARATOR)
    return [UNIT_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


def _advisory_lock(*, campaign_id: int | None) -> None:
    """PostgreSQL transaction-level exclusive locks: a campaign's (its rebuild; status
    changes take it shared, see ``_campaign_locks``) or, with ``campaign_id=None``, the
    fold's."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one writer at a time (IMMEDIATE transactions)
    namespace, key = (
        (FOLD_LOCK_NAMESPACE, 0) if campaign_id is None else (LOCK_NAMESPACE, campaign_id % 2**31)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def _add_rows(model, key: tuple[str, ...], amounts: tuple[str, ...], rows: dict) -> None:
    """Add each ``rows[(scope, *key values)] = [amounts…]`` to the table's row of that key,
    creating missing rows: ``INSERT … VALUES … ON CONFLICT DO UPDATE SET n = n +
    excluded.n`` (PostgreSQL and SQLite), in key order (so two writers never deadlock),
    a few hundred rows per statement. Rows whose amounts are all zero are left out."""
    meta, qn = model._meta, connection.ops.quote_name
    key_columns = [qn(meta.get_field(name).column) for name in ("scope", *key)]
    amount_columns = [qn(meta.get_field(name).column) for name in amounts]
    table = qn(meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * (len(key_columns) + len(amount_columns))) + ")"
    changed = sorted((k, v) for k, v in rows.items() if any(v))
    with connection.cursor() as cursor:
        for start in range(0, len(changed), UPSERT_CHUNK):
            chunk = changed[start : start + UPSERT_CHUNK]
            sql = (
                f"INSERT INTO {table} ({', '.join(key_columns + amount_columns)}) "
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET "
                + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in amount_columns)
            )
            cursor.execute(sql, [value for k, v in chunk for value in (*k, *v)])


def record_status_change(*, share: Share, old_status: str | None, new_status: str) -> None:
    """Note one share's move from ``old_status`` to ``new_status`` (``old_status`` None:
    the share was just logged); see ``record_status_changes``."""
    record_status_changes([(share, old_status, new_status)])


def record_status_changes(changes: Iterable[tuple[Share, str | None, str]]) -> None:
    """Note shares' moves between statuses for the dashboard, inside the caller's
    transaction, so the notes commit (or roll back) with the statuses: at most three
    statements for any number of changes, none of them on a row other people's changes
    need (see the module docstring)."""
    changes = [(share, old, new) for share, old, new in changes if old != new]
    if not changes:
        return
    notes, crossings = [], {}
    for share, old_status, new_status in changes:
        amounts = dict.fromkeys(STATUS_COLUMNS, 0)
        if old_status in amounts:
            amounts[old_status] -= 1
        if new_status in amounts:
            amounts[new_status] += 1
        logged = 1 if old_status is None else 0
        verified = int(new_status == ShareStatus.VERIFIED) - int(old_status == ShareStatus.VERIFIED)
        pair = (share.campaign_id, share.staff_id)
        if logged or verified:
            tally = crossings.setdefault(pair, [0, 0])
            tally[0] += logged
            tally[1] += verified
        notes.append(
            ShareCountChange(
                person_id=share.staff_id,
                campaign_id=share.campaign_id,
                kpi_year=selectors.kpi_year_of(share.submitted_at),
                week_start=week_start_of(share.submitted_at),
                platform=share.platform,
                **amounts,
            )
        )
    with transaction.atomic(savepoint=False):
        _campaign_locks(sorted({share.campaign_id for share, _, _ in changes}))
        people = _tally(crossings) if crossings else {}
        for note in notes:
            # The distinct-people change of a person and campaign rides on its first note.
            shared, verified = people.pop((note.campaign_id, note.person_id), (0, 0))
            note.shared_staff, note.verified_staff = shared, verified
        ShareCountChange.objects.bulk_create(notes)


def _campaign_locks(campaign_ids: list[int]) -> None:
    """The shared locks of the campaigns (one statement), so a rebuild of one of them
    waits for this transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, c) FROM unnest(%s::int[]) AS c",
            [LOCK_NAMESPACE, [c % 2**31 for c in campaign_ids]],
        )


def _tally(deltas: dict[tuple[int, int], list[int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """Add ``deltas[(campaign, person)] = [shares, verified]`` to the people's tallies (one
    upsert, which locks their rows until commit) and return, per pair, the change of the
    campaign's distinct people: (+1/0/-1 shared, +1/0/-1 verified) as a count crosses 0."""
    table = connection.ops.quote_name(CampaignStaffTally._meta.db_table)
    pairs = sorted(deltas)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, person_id, shares, verified) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(pairs))
            + " ON CONFLICT (campaign_id, person_id) DO UPDATE SET "
            f"shares = {table}.shares + excluded.shares, "
            f"verified = {table}.verified + excluded.verified "
            "RETURNING campaign_id, person_id, shares, verified",
            [value for pair in pairs for value in (*pair, *deltas[pair])],
        )
        after = {(c, p): (n, v) for c, p, n, v in cursor.fetchall()}
    crossings = {}
    for pair, (shares_now, verified_now) in after.items():
        logged, verified = deltas[pair]
        crossings[pair] = (
            int(shares_now > 0) - int(shares_now - logged > 0),
            int(verified_now > 0) - int(verified_now - verified > 0),
        )
    return crossings


def fold_changes(batch: int = FOLD_BATCH) -> int:
    """Add the waiting ``ShareCountChange`` rows into the dashboard's counts and delete
    them, ``batch`` at a time, each batch in one transaction; returns how many. One fold
    runs at a time (and never beside a rebuild). Cheap when there is nothing to do: one
    statement."""
    folded = 0
    while True:
        with transaction.atomic():
            _advisory_lock(campaign_id=None)
            changes = _take_changes(batch)
            if changes:
                _apply_changes(changes)
        folded += len(changes)
        if len(changes) < batch:
            return folded


def _take_changes(batch: int) -> list[tuple]:
    """Delete the oldest waiting changes and return them (``DELETE … RETURNING``: only
    committed rows are seen, so a change still in flight waits for the next fold)."""
    meta, qn = ShareCountChange._meta, connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ("person_id", "campaign_id", "kpi_year", "week_start", "platform")
    columns += STATUS_COLUMNS + STAFF_COLUMNS
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY id LIMIT %s) "
            f"RETURNING {', '.join(qn(c) for c in columns)}",
            [batch],
        )
        return cursor.fetchall()


def _apply_changes(changes: list[tuple]) -> None:
    """Sum the changes per scope (the person's unit, every unit above it and the
    organisation, as of now) and add them to the count tables: a handful of statements
    whatever the number of changes."""
    unit_of = dict(
        User.objects.filter(pk__in={change[0] for change in changes}).values_list("pk", "unit_id")
    )
    scopes_of_unit = _scopes_of_units(set(unit_of.values()) - {None})
    weeks: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(STATUS_COLUMNS))
    people: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(STAFF_COLUMNS))
    for person, campaign, year, week, platform, *amounts in changes:
        status_amounts, staff_amounts = (
            amounts[: len(STATUS_COLUMNS)],
            amounts[len(STATUS_COLUMNS) :],
        )
        for scope in scopes_of_unit.get(unit_of.get(person), (ORGANISATION_SCOPE,)):
            row = weeks[(scope, year, week, campaign, platform)]
            for i, amount in enumerate(status_amounts):
                row[i] += amount
            row = people[(scope, campaign)]
            for i, amount in enumerate(staff_amounts):
                row[i] += amount
    _add_rows(ShareWeekStat, WEEK_KEY, STATUS_COLUMNS, weeks)
    _add_rows(CampaignStaffStat, ("campaign",), STAFF_COLUMNS, people)


def _scopes_of_units(unit_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each unit's scopes: the organisation, the unit and every unit above it (two
    queries for any number of units)."""
    paths = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path"))
    wanted = {above for path in paths.values() for above in ancestor_paths(path)}
    id_of = dict(OrgUnit.objects.filter(path__in=wanted).values_list("path", "pk"))
    return {
        unit: (ORGANISATION_SCOPE, *(id_of[above] for above in ancestor_paths(path)))
        for unit, path in paths.items()
    }


def _insert_select(model, queryset: QuerySet, columns: dict[str, str], constants: dict) -> None:
    """``INSERT INTO model (…) SELECT … FROM (queryset) agg``: the aggregate never leaves
    the database. ``columns`` maps model fields to the queryset's aliases."""
    meta, qn = model._meta, connection.ops.quote_name
    inner_sql, inner_params = queryset.query.sql_with_params()
    targets = [meta.get_field(name).column for name in (*constants, *columns)]
    exprs = ["%s"] * len(constants) + [f"agg.{qn(alias)}" for alias in columns.values()]
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in targets)}) "
        f"SELECT {', '.join(exprs)} FROM ({inner_sql}) agg"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants.values(), *inner_params])


def _roll_up(model, key: tuple[str, ...], amounts: tuple[str, ...], campaign_id: int) -> None:
    """Add every unit's rows of one campaign into its parent's (depth 0 into the
    organisation's), deepest level first, so each level already holds its subtree
    when it is rolled up. One set-based upsert per level of the tree."""
    meta, qn = model._meta, connection.ops.quote_name
    table, units = qn(meta.db_table), qn(OrgUnit._meta.db_table)
    scope = qn(meta.get_field("scope").column)
    keys = [qn(meta.get_field(name).column) for name in key]
    sums = [qn(meta.get_field(name).column) for name in amounts]
    campaign = qn(meta.get_field("campaign").column)
    sql = (
        f"INSERT INTO {table} ({scope}, {', '.join(keys + sums)}) "
        f"SELECT COALESCE(u.{qn('parent_id')}, {ORGANISATION_SCOPE}), "
        + ", ".join(f"s.{k}" for k in keys)
        + ", "
        + ", ".join(f"SUM(s.{c})" for c in sums)
        + f" FROM {table} s JOIN {units} u ON u.{qn('id')} = s.{scope} "
        f"WHERE s.{campaign} = %s AND u.{qn('depth')} = %s "
        f"GROUP BY u.{qn('parent_id')}, {', '.join(f's.{k}' for k in keys)} "
        f"ON CONFLICT ({scope}, {', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    )
    deepest = OrgUnit.objects.aggregate(d=Max("depth"))["d"]
    if deepest is None:
        return
    with connection.cursor() as cursor:
        for depth in range(deepest, -1, -1):
            cursor.execute(sql, [campaign_id, depth])


@transaction.atomic
def refresh_campaign(campaign_id: int) -> None:
    """Rebuild one campaign's dashboard rows from its shares, set-based."""
    _advisory_lock(campaign_id=campaign_id)
    _advisory_lock(campaign_id=None)
    # Every change of this campaign has committed (the lock above waited for them) and
    # is in the shares read below: its waiting notes are already counted by the rebuild.
    ShareCountChange.objects.filter(campaign_id=campaign_id).delete()
    CampaignStaffTally.objects.filter(campaign_id=campaign_id).delete()
    ShareWeekStat.objects.filter(campaign_id=campaign_id).delete()
    CampaignStaffStat.objects.filter(campaign_id=campaign_id).delete()
    shares = Share.objects.filter(campaign_id=campaign_id).order_by()
    _insert_select(
        CampaignStaffTally,
        shares.values("staff_id").annotate(
            n_shares=Count("pk"), n_verified=Count("pk", filter=Q(status=ShareStatus.VERIFIED))
        ),
        {"person_id": "staff_id", "shares": "n_shares", "verified": "n_verified"},
        {"campaign": campaign_id},
    )
    span = shares.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if span["first"] is None:
        return
    unit_scope = Coalesce(
        "staff__unit_id", Value(ORGANISATION_SCOPE), output_field=BigIntegerField()
    )
    week = TruncWeek(
        TruncDate("submitted_at", tzinfo=selectors.organisation_zone()), output_field=DateField()
    )
    per_status = {f"n_{c}": Count("pk", filter=Q(status=c)) for c in STATUS_COLUMNS}
    first_year = selectors.kpi_year_of(span["first"])
    for year in range(first_year, selectors.kpi_year_of(span["last"]) + 1):
        start, end = selectors.kpi_year_bounds(year)
        leaf = (
            shares.filter(submitted_at__gte=start, submitted_at__lt=end)
            .annotate(stat_scope=unit_scope, stat_week=week)
            .values("stat_scope", "stat_week", "platform")
            .annotate(**per_status)
        )
        _insert_select(
            ShareWeekStat,
            leaf,
            {
                "scope": "stat_scope",
                "week_start": "stat_week",
                "platform": "platform",
                **{c: f"n_{c}" for c in STATUS_COLUMNS},
            },
            {"kpi_year": year, "campaign": campaign_id},
        )
    people = (
        shares.annotate(stat_scope=unit_scope)
        .values("stat_scope")
        .annotate(
            n_shared=Count("staff_id", distinct=True),
            n_verified=Count("staff_id", distinct=True, filter=Q(status=ShareStatus.VERIFIED)),
        )
    )
    _insert_select(
        CampaignStaffStat,
        people,
        {"scope": "stat_scope", "shared_staff": "n_shared", "verified_staff": "n_verified"},
        {"campaign": campaign_id},
    )
    _roll_up(ShareWeekStat, WEEK_KEY, STATUS_COLUMNS, campaign_id)
    _roll_up(CampaignStaffStat, ("campaign",), STAFF_COLUMNS, campaign_id)


def refresh_stats(*, campaign_ids: Iterable[int] | None = None) -> int:
    """Rebuild the dashboard rows of the given campaigns (default: all), one transaction
    per campaign so changes of other campaigns never wait. Returns how many."""
    ids = (
        list(Campaign.objects.order_by("pk").values_list("pk", flat=True))
        if campaign_ids is None
        else list(campaign_ids)
    )
    for campaign_id in ids:
        refresh_campaign(campaign_id)
    DashboardSettings.objects.update_or_create(
        pk=DashboardSettings.SINGLETON_PK, defaults={"stats_refreshed_at": timezone.now()}
    )
    log.info("Dashboard statistics rebuilt for %s campaigns", len(ids))
    return len(ids)


def refresh_recent_stats() -> int:
    """The nightly rebuild: campaigns that run into the open KPI years (this one and
    the one before, whose late verifications still land)."""
    since, _ = selectors.kpi_year_period(selectors.current_kpi_year() - 1)
    recent = Campaign.objects.filter(ends_on__gte=since).order_by("pk").values_list("pk", flat=True)
    return refresh_stats(campaign_ids=recent)


@transaction.atomic
def set_leaderboard(*, enabled: bool, actor: User) -> DashboardSettings:
    """Turn the leaderboard on or off (HR only); who and when is recorded."""
    if not (actor and actor.is_hr_admin):
        raise services.NotAllowed("Only HR admins may change the dashboard settings.")
    row, _ = DashboardSettings.objects.select_for_update().get_or_create(
        pk=DashboardSettings.SINGLETON_PK
    )
    row.leaderboard_enabled = enabled
    row.updated_by = actor
    row.updated_at = timezone.now()
    row.save(update_fields=["leaderboard_enabled", "updated_by", "updated_at"])
    log.info("Dashboard leaderboard turned %s by %s", "on" if enabled else "off", actor.staff_id)
    return row


# === reading =================================================================================


class BadFilter(ValueError):
    """A filter value that is not even well-formed (→ 400)."""


SORT_KEYS = ("name", "people", "participants", "rate", "shares", "points")


@dataclass
class Filters:
    viewer: User
    year: int
    unit: OrgUnit | None  # None = the whole organisation (HR only)
    campaign: Campaign | None
    audience: list[str]  # the campaign's audience unit paths, deduplicated ([] = everyone)
    sort: str = "name"

    @property
    def scope(self) -> int:
        return self.unit.pk if self.unit is not None else ORGANISATION_SCOPE

    @property
    def scope_label(self) -> str:
        return self.unit.path if self.unit is not None else "Whole organisation"

    @property
    def year_label(self) -> str:
        return selectors.kpi_year_label(self.year)

    def query(self, **changes) -> dict[str, str]:
        """The filters as URL parameters, with ``changes`` applied (None drops one)."""
        params = {
            "year": str(self.year),
            "unit": str(self.unit.pk) if self.unit is not None else None,
            "campaign": str(self.campaign.pk) if self.campaign is not None else None,
            "sort": self.sort if self.sort != "name" else None,
        }
        params.update({k: (None if v is None else str(v)) for k, v in changes.items()})
        return {k: v for k, v in params.items() if v not in (None, "")}


def outermost(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another one in the list."""
    kept = sorted(set(paths))
    return [p for p in kept if not any(p.startswith(q + UNIT_SEPARATOR) for q in kept if q != p)]


def _overlaps(path: str, region: str | None) -> bool:
    """Does the subtree at ``path`` overlap the region (a subtree path; None = everything)?"""
    if region is None:
        return True
    return (
        path == region
        or path.startswith(region + UNIT_SEPARATOR)
        or region.startswith(path + UNIT_SEPARATOR)
    )


def campaign_audiences(campaign_ids: Iterable[int]) -> dict[int, list[str]]:
    """Audience unit paths per campaign (outermost only; a missing key = everyone)."""
    paths: dict[int, list[str]] = defaultdict(list)
    rows = Campaign.units.through.objects.filter(campaign_id__in=list(campaign_ids)).values_list(
        "campaign_id", "orgunit__path"
    )
    for campaign_id, path in rows:
        paths[campaign_id].append(path)
    return {campaign_id: outermost(found) for campaign_id, found in paths.items()}


def parse_filters(viewer: User, params) -> Filters:
    """The filters from the query string, checked against what ``viewer`` may see.

    ``BadFilter`` / ValueError for malformed values; ``selectors.OutOfScope`` for a unit or
    campaign that does not exist or lies outside the viewer's scope."""
    year = reports.parse_year(params.get("year"))
    unit = selectors.report_unit(viewer, params.get("unit"))
    campaign, audience = None, []
    ref = (params.get("campaign") or "").strip()
    if ref:
        if not ref.isdigit():
            raise BadFilter(f"“{ref}” is not a campaign id.")
        campaign = Campaign.objects.exclude(status=CampaignStatus.DRAFT).filter(pk=ref).first()
        if campaign is None:
            raise selectors.OutOfScope(f"Campaign {ref} does not exist.")
        audience = campaign_audiences([campaign.pk]).get(campaign.pk, [])
        if not viewer.is_hr_admin:
            own = viewer.unit.path if viewer.unit_id else None
            if audience and not any(_overlaps(p, own) for p in audience):
                raise selectors.OutOfScope("That campaign is not meant for your units.")
    sort = (params.get("sort") or "name").strip()
    if sort.lstrip("-") not in SORT_KEYS:
        sort = "name"
    return Filters(
        viewer=viewer, year=year, unit=unit, campaign=campaign, audience=audience, sort=sort
    )


def year_choices(selected: int) -> list[dict]:
    """The current KPI year and every year a campaign ran in (one small aggregate)."""
    span = Campaign.objects.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    years = {selectors.current_kpi_year(), selected}
    if span["first"] is not None:
        zone = selectors.organisation_zone()
        first = selectors.kpi_year_of(
            datetime.datetime.combine(span["first"], datetime.time(), zone)
        )
        last = selectors.kpi_year_of(datetime.datetime.combine(span["last"], datetime.time(), zone))
        years.update(range(first, last + 1))
    return [{"value": y, "label": selectors.kpi_year_label(y)} for y in sorted(years, reverse=True)]


# --- the numbers ------------------------------------------------------------------------------


@dataclass
class UnitRow:
    label: str
    unit_id: int | None  # where a click drills down to (None: not a unit)
    people: int = 0  # staff, or the campaign's audience with a campaign filter
    participants: int = 0  # ≥ 1 counted verified share (campaign: a verified share of it)
    points: int = 0  # sum of points (no campaign filter)
    shares: int = 0  # verified shares
    logged: int = 0

    @property
    def rate(self) -> float:
        return 100.0 * self.participants / self.people if self.people else 0.0

    @property
    def average_points(self) -> float:
        return self.points / self.people if self.people else 0.0

    def sort_value(self, key: str):
        return {
            "name": self.label.casefold(),
            "people": self.people,
            "participants": self.participants,
            "rate": self.rate,
            "shares": self.shares,
            "points": self.average_points,
        }[key]


@dataclass
class WeekPoint:
    week_start: datetime.date
    logged: int = 0
    verified: int = 0


@dataclass
class BandRow:
    points: int
    label: str  # the share counts that give these points
    people: int
    percent: float


@dataclass
class PlatformRow:
    platform: str
    label: str
    logged: int = 0
    verified: int = 0


@dataclass
class CampaignRow:
    campaign: Campaign
    audience: int
    shared_staff: int = 0
    verified_staff: int = 0
    logged: int = 0
    verified: int = 0
    platforms: list[PlatformRow] = field(default_factory=list)

    @property
    def shared_percent(self) -> float:
        return 100.0 * self.shared_staff / self.audience if self.audience else 0.0

    @property
    def verified_percent(self) -> float:
        return 100.0 * self.verified_staff / self.audience if self.audience else 0.0


@dataclass
class Totals:
    people: int = 0
    participants: int = 0
    points: int = 0
    logged: int = 0
    pending: int = 0
    verified: int = 0
    needs_review: int = 0
    rejected: int = 0
    removed: int = 0
    shared_staff: int = 0
    staff: int = 0  # active people in scope (= people without a campaign filter)
    staff_participants: int = 0  # of them, with ≥ 1 counted verified share this year

    @property
    def rate(self) -> float:
        return 100.0 * self.participants / self.people if self.people else 0.0

    @property
    def average_points(self) -> float:
        return self.points / self.staff if self.staff else 0.0


@dataclass
class Dashboard:
    filters: Filters
    totals: Totals
    weeks: list[WeekPoint]
    units: list[UnitRow]
    bands: list[BandRow]
    campaigns: list[CampaignRow]
    campaign_choices: list[Campaign]
    leaderboard: list[dict] | None
    settings: DashboardSettings
    breadcrumb: list[dict]
    unit_choices: list[tuple[int, str]]
    path_prefix: str = ""  # what unit paths in the lists may drop (they all start with it)

    def short_path(self, path: str | None) -> str:
        if not path:
            return ""
        return path[len(self.path_prefix) :] if path.startswith(self.path_prefix) else path


def _scope_people(unit: OrgUnit | None) -> QuerySet[User]:
    people = User.objects.filter(is_active=True)
    return people.filter(account_selectors.unit_scope_q(unit)) if unit is not None else people


def _child_path(path: str | None, prefix: str) -> str | None:
    """The path of the scope's child that ``path`` lies in ('' = the scope unit itself;
    None = no unit)."""
    if path is None:
        return None
    rest = path[len(prefix) :]
    return prefix + rest.split(UNIT_SEPARATOR, 1)[0] if rest else ""


def _audience_in(
    region: str | None, audience: list[str], subtree: dict[str, int], everyone: int
) -> int:
    """People of ``region`` (a unit path; None = the scope) in a campaign's audience.
    ``subtree`` holds active people per unit path, subtrees included; ``everyone`` is
    the region's total."""
    if not audience:
        return everyone
    total = 0
    for path in audience:
        if region is None or path == region or path.startswith(region + UNIT_SEPARATOR):
            total += subtree.get(path, 0)
        elif region.startswith(path + UNIT_SEPARATOR):
            return everyone
    return total


def build(filters: Filters) -> Dashboard:
    """Every number on the dashboard, in a fixed number of queries."""
    fold_changes()
    year, unit, campaign, scope = filters.year, filters.unit, filters.campaign, filters.scope
    period_start, period_end = selectors.kpi_year_period(year)

    # 1. The units in scope (the tree, for roll-ups and the unit picker).
    units_qs = OrgUnit.objects.subtree(unit) if unit is not None else OrgUnit.objects.all()
    units = list(units_qs.order_by("path").values_list("pk", "path", "name", "depth", "parent_id"))
    path_of = {pk: path for pk, path, *_ in units}
    # The participation table lists the units just below the scope. An organisation with
    # one top unit (the usual case) shows the units below that one instead of one row.
    table_parent = (unit.pk, unit.path, unit.name) if unit is not None else None
    roots = [(pk, path, name) for pk, path, name, depth, parent_id in units if parent_id is None]
    if unit is None and len(roots) == 1:
        table_parent = roots[0]
    prefix = table_parent[1] + UNIT_SEPARATOR if table_parent is not None else ""
    children = [
        (pk, path, name)
        for pk, path, name, depth, parent_id in units
        if parent_id == (table_parent[0] if table_parent is not None else None)
    ]

    # 2. People, participation and points per unit and points value: one grouped query.
    people_rows = (
        _scope_people(unit)
        .annotate(score=FilteredRelation("kpi_scores", condition=Q(kpi_scores__year=year)))
        .values("unit_id", pts=F("score__points"))
        .annotate(
            people=Count("pk"),
            participants=Count("pk", filter=Q(score__verified_shares__gt=0)),
        )
        .order_by()
    )
    scheme = services.scheme_for_year(year)  # 3. (and 4. its bands, prefetched)
    band_values = scheme.band_values()
    zero_points = band_rules.points_for(0, band_values)
    totals = Totals()
    by_child: dict[str | None, UnitRow] = {}
    subtree_people: dict[str, int] = defaultdict(int)
    people_by_points: dict[int, int] = defaultdict(int)
    unitless = 0
    ancestors_of: dict[int, list[str]] = {}
    child_of: dict[int | None, str | None] = {}
    for unit_id, pts, people, participants in people_rows.values_list(
        "unit_id", "pts", "people", "participants"
    ):
        points = zero_points if pts is None else pts
        totals.people += people
        totals.staff += people
        totals.participants += participants
        totals.points += points * people
        people_by_points[points] += people
        path = path_of.get(unit_id)
        if path is None:
            unitless += people
        else:
            if unit_id not in ancestors_of:
                ancestors_of[unit_id] = ancestor_paths(path)
            for ancestor in ancestors_of[unit_id]:
                subtree_people[ancestor] += people
        if unit_id not in child_of:
            child_of[unit_id] = _child_path(path, prefix)
        child = child_of[unit_id]
        row = by_child.setdefault(child, UnitRow(label="", unit_id=None))
        row.people += people
        row.participants += participants
        row.points += points * people

    totals.staff_participants = totals.participants

    # 5. Share counts of the scope, per week, campaign and platform.
    week_rows = ShareWeekStat.objects.filter(scope=scope, kpi_year=year)
    if campaign is not None:
        week_rows = week_rows.filter(campaign=campaign)
    weekly: dict[datetime.date, WeekPoint] = {}
    per_campaign_platform: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for week, campaign_id, platform, *counts in week_rows.values_list(
        "week_start", "campaign_id", "platform", *STATUS_COLUMNS
    ):
        by_status = dict(zip(STATUS_COLUMNS, counts, strict=True))
        logged = sum(counts)
        point = weekly.setdefault(week, WeekPoint(week))
        point.logged += logged
        point.verified += by_status["verified"]
        for status, n in by_status.items():
            setattr(totals, status, getattr(totals, status) + n)
        totals.logged += logged
        pair = per_campaign_platform[campaign_id, platform]
        pair[0] += logged
        pair[1] += by_status["verified"]

    # 6. Share counts per child unit (the participation table's share column).
    child_ids = [pk for pk, *_ in children]
    child_shares = ShareWeekStat.objects.filter(scope__in=child_ids, kpi_year=year)
    if campaign is not None:
        child_shares = child_shares.filter(campaign=campaign)
    shares_of_child = {
        scope_id: (verified or 0, logged or 0)
        for scope_id, verified, logged in child_shares.values("scope")
        .annotate(v=Sum("verified"), n=Sum(sum((F(c) for c in STATUS_COLUMNS[1:]), F("pending"))))
        .values_list("scope", "v", "n")
        .order_by()
    }

    # 7. The year's campaigns (filter choices and performance), 8. their audiences,
    # 9. their official platforms, 10. their distinct people in scope.
    campaign_choices = list(
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(starts_on__lte=period_end, ends_on__gte=period_start)
        .order_by("-starts_on", "-pk")
    )
    audiences = campaign_audiences({c.pk for c in campaign_choices} | {getattr(campaign, "pk", 0)})
    if not filters.viewer.is_hr_admin:
        # Managers pick among the campaigns meant for (some of) their units.
        own = filters.viewer.unit.path if filters.viewer.unit_id else None
        campaign_choices = [
            c
            for c in campaign_choices
            if not audiences.get(c.pk) or any(_overlaps(p, own) for p in audiences[c.pk])
        ]
    shown = [campaign] if campaign is not None else campaign_choices
    official = defaultdict(list)
    for campaign_id, platform in (
        CampaignPost.objects.filter(campaign__in=shown)
        .order_by("platform")
        .values_list("campaign_id", "platform")
    ):
        official[campaign_id].append(platform)
    staff_stats = {
        campaign_id: (shared, verified)
        for campaign_id, shared, verified in CampaignStaffStat.objects.filter(
            scope=scope, campaign__in=shown
        ).values_list("campaign_id", "shared_staff", "verified_staff")
    }
    labels = dict(Platform.choices)
    campaign_rows = []
    region = unit.path if unit is not None else None
    for item in shown:
        audience = _audience_in(region, audiences.get(item.pk, []), subtree_people, totals.people)
        shared, verified_staff = staff_stats.get(item.pk, (0, 0))
        platforms = sorted(
            set(official.get(item.pk, [])) | {p for c, p in per_campaign_platform if c == item.pk}
        )
        row = CampaignRow(item, audience, shared, verified_staff)
        for platform in platforms:
            logged, verified = per_campaign_platform.get((item.pk, platform), (0, 0))
            row.platforms.append(
                PlatformRow(platform, labels.get(platform, platform), logged, verified)
            )
            row.logged += logged
            row.verified += verified
        if audience or shared or row.logged:
            campaign_rows.append(row)

    # Participation by unit: one row per child of the scope (+ people directly in it).
    unit_rows = _unit_rows(table_parent, children, by_child, shares_of_child, totals, unitless)
    if campaign is not None:
        # 11. distinct people of the campaign per child unit.
        _campaign_participation(filters, children, unit_rows, subtree_people, totals)
    reverse = filters.sort.startswith("-")
    key = filters.sort.lstrip("-")
    unit_rows.sort(key=lambda r: r.label.casefold())  # ties stay in name order
    unit_rows.sort(key=lambda r: r.sort_value(key), reverse=reverse)
    if campaign is not None and campaign not in campaign_choices:
        campaign_choices.insert(0, campaign)
    settings = DashboardSettings.load()  # 12. (13. the leaderboard, when HR turned it on)

    return Dashboard(
        filters=filters,
        totals=totals,
        weeks=_weeks(year, weekly),
        units=unit_rows,
        bands=_band_rows(band_values, people_by_points, totals.people),
        campaigns=campaign_rows,
        campaign_choices=campaign_choices,
        leaderboard=leaderboard(filters) if settings.leaderboard_enabled else None,
        settings=settings,
        breadcrumb=_breadcrumb(filters),
        path_prefix=_list_prefix(unit, table_parent),
        # The picker offers three levels from the scope down; deeper units are a click
        # away in the participation table.
        unit_choices=[
            (pk, path)
            for pk, path, name, depth, parent_id in units
            if depth <= (unit.depth if unit is not None else -1) + 3
        ],
    )


def _list_prefix(unit: OrgUnit | None, table_parent) -> str:
    """Lists of people show unit paths from the scope down (``Comms/Digital`` inside HQ's
    ``HQ/Comms``), or below the one top unit for the whole organisation."""
    if unit is not None:
        parent, _, _ = unit.path.rpartition(UNIT_SEPARATOR)
        return parent + UNIT_SEPARATOR if parent else ""
    return table_parent[1] + UNIT_SEPARATOR if table_parent is not None else ""


def _unit_rows(parent, children, by_child, shares_of_child, totals, unitless) -> list[UnitRow]:
    rows = []
    child_verified = child_logged = 0
    for pk, path, name in children:
        row = by_child.get(path) or UnitRow(label="", unit_id=None)
        row.label, row.unit_id = name, pk
        row.shares, row.logged = shares_of_child.get(pk, (0, 0))
        child_verified += row.shares
        child_logged += row.logged
        rows.append(row)
    direct = by_child.get("")
    if parent is not None and direct is not None:
        direct.label = f"{parent[2]} (directly)"
        rows.append(direct)
    if unitless:
        row = by_child[None]
        row.label = "(no unit)"
        rows.append(row)
    # What is not in a child unit belongs to the direct / no-unit row.
    rest = [r for r in rows if r.unit_id is None]
    if rest:
        rest[0].shares = totals.verified - child_verified
        rest[0].logged = totals.logged - child_logged
    return rows


def _campaign_participation(filters, children, unit_rows, subtree_people, totals) -> None:
    """With a campaign filter the table shows the campaign's audience and its people."""
    ids = [pk for pk, *_ in children]
    stats = {
        scope_id: (shared, verified)
        for scope_id, shared, verified in CampaignStaffStat.objects.filter(
            scope__in=[filters.scope, *ids], campaign=filters.campaign
        ).values_list("scope", "shared_staff", "verified_staff")
    }
    scope_shared, scope_verified = stats.get(filters.scope, (0, 0))
    region = filters.unit.path if filters.unit is not None else None
    scope_audience = _audience_in(region, filters.audience, subtree_people, totals.people)
    paths = {pk: path for pk, path, _ in children}
    rest_people, rest_verified = scope_audience, scope_verified
    for row in unit_rows:
        if row.unit_id is None:
            continue
        path = paths[row.unit_id]
        row.people = _audience_in(
            path, filters.audience, subtree_people, subtree_people.get(path, 0)
        )
        _, row.participants = stats.get(row.unit_id, (0, 0))
        rest_people -= row.people
        rest_verified -= row.participants
    for row in unit_rows:
        if row.unit_id is None:
            row.people, row.participants = rest_people, rest_verified
    totals.people, totals.participants, totals.shared_staff = (
        scope_audience,
        scope_verified,
        scope_shared,
    )


def _weeks(year: int, weekly: dict[datetime.date, WeekPoint]) -> list[WeekPoint]:
    """Every week of the KPI year up to today (or its end), zero weeks included."""
    first_day, last_day = selectors.kpi_year_period(year)
    last_day = min(last_day, timezone.localdate())
    weeks = set(weekly)
    monday = first_day - datetime.timedelta(days=first_day.weekday())
    while monday <= last_day:
        weeks.add(monday)
        monday += datetime.timedelta(days=7)
    return [weekly.get(w) or WeekPoint(w) for w in sorted(weeks)]


def _band_rows(bands, people_by_points: dict[int, int], people: int) -> list[BandRow]:
    """People per points value, labelled with the share counts that give them."""
    ranges: dict[int, list] = {}
    for band in bands:
        low, high = ranges.setdefault(band.points, [band.min_shares, band.max_shares])
        ranges[band.points] = [
            min(low, band.min_shares),
            None if high is None or band.max_shares is None else max(high, band.max_shares),
        ]
    rows = []
    for points in sorted(set(ranges) | set(people_by_points)):
        low, high = ranges.get(points, (None, None))
        if low is None:
            label = "older scheme"
        elif high is None:
            label = f"{low}+ shares"
        elif low == high:
            label = f"{low} share{'s' if low != 1 else ''}"
        else:
            label = f"{low}{band_rules.EN_DASH}{high} shares"
        n = people_by_points.get(points, 0)
        rows.append(BandRow(points, label, n, 100.0 * n / people if people else 0.0))
    return rows


def _breadcrumb(filters: Filters) -> list[dict]:
    """Whole organisation > HQ > Comms: the levels above the scope the viewer may open."""
    crumbs = []
    if filters.viewer.is_hr_admin:
        crumbs.append({"label": "Whole organisation", "unit": None})
    if filters.unit is not None:
        own = filters.viewer.unit.path if filters.viewer.unit_id else None
        for path in ancestor_paths(filters.unit.path):
            if filters.viewer.is_hr_admin or (own and (path == own or path.startswith(own + "/"))):
                crumbs.append({"label": path.rsplit(UNIT_SEPARATOR, 1)[-1], "unit": path})
    return crumbs


def leaderboard(filters: Filters) -> list[dict]:
    """The top people by verified shares (so by points) in scope; ties share a rank."""
    rows = (
        KpiScore.objects.filter(year=filters.year, user__is_active=True, verified_shares__gt=0)
        .filter(
            account_selectors.unit_scope_q(filters.unit, field="user__unit")
            if filters.unit is not None
            else Q()
        )
        .order_by("-verified_shares", "user__full_name", "user__staff_id")
        .values_list(
            "user__staff_id", "user__full_name", "user__unit__path", "verified_shares", "points"
        )[:LEADERBOARD_SIZE]
    )
    board, rank, previous = [], 0, None
    for position, (staff_id, name, unit_path, shares, points) in enumerate(rows, start=1):
        if shares != previous:
            rank, previous = position, shares
        board.append(
            {
                "rank": rank,
                "staff_id": staff_id,
                "full_name": name,
                "unit": unit_path,
                "verified_shares": shares,
                "points": points,
            }
        )
    return board


def audience_q(paths: list[str], field: str = "unit") -> Q:
    """People in a campaign audience given by unit paths ([] = everyone)."""
    if not paths:
        return Q()
    q = Q(**{f"{field}__path__in": paths})
    for path in paths:
        q |= Q(**{f"{field}__path__startswith": path + UNIT_SEPARATOR})
    return q


MISSING_FIELDS = ("staff_id", "full_name", "email", "unit__path")


def missing_count(board: Dashboard, kind: str) -> int:
    """How many people a missing list holds: from the dashboard's own numbers when they
    say it already, else one COUNT over the users (no join)."""
    totals = board.totals
    if kind == NO_SHARES and board.filters.campaign is None:
        return totals.staff - totals.staff_participants
    return _missing(board.filters, kind).count()


def missing_people(filters: Filters, kind: str, *, by_unit: bool = True) -> QuerySet:
    """Active people in scope who are missing something, as ``(staff_id, full_name, email,
    unit path)`` tuples, ordered by unit and name (``by_unit``, for the CSV) or by staff
    ID (pages on screen: an index walk that stops after one page).

    ``no_shares``: no counted verified share in the KPI year (with a campaign filter:
    people in the campaign's audience without a verified share of it). ``no_account``:
    no registered social account."""
    order = ("unit__path", "full_name", "staff_id") if by_unit else ("staff_id",)
    return _missing(filters, kind).order_by(*order).values_list(*MISSING_FIELDS)


def _missing(filters: Filters, kind: str) -> QuerySet[User]:
    people = _scope_people(filters.unit)
    if kind == NO_SHARES:
        if filters.campaign is not None:
            verified = Share.objects.filter(
                staff=OuterRef("pk"), campaign=filters.campaign, status=ShareStatus.VERIFIED
            )
            people = people.filter(audience_q(filters.audience)).filter(~Exists(verified))
        else:
            counted = KpiScore.objects.filter(
                user=OuterRef("pk"), year=filters.year, verified_shares__gt=0
            )
            people = people.filter(~Exists(counted))
    elif kind == NO_ACCOUNT:
        people = people.filter(~Exists(SocialAccount.objects.filter(user=OuterRef("pk"))))
    else:
        raise BadFilter(f"kind must be one of {', '.join(MISSING_KINDS)}.")
    return people


MISSING_CSV_HEADER = ("staff_id", "full_name", "email", "unit")


def missing_file_stem(filters: Filters, kind: str) -> str:
    parts = ["missing", kind.replace("_", "-"), filters.year_label]
    parts.append(filters.unit.name if filters.unit is not None else "organisation")
    if filters.campaign is not None:
        parts.append(f"campaign-{filters.campaign.pk}")
    return reports.safe_file_stem("-".join(parts))
