"""The HR dashboard's pre-aggregated share counts: how they are kept (the reads are in
dashboard.selectors; the people counts, kept the same way from notes that database
triggers write, are described in dashboard.people and folded here too).

**Upkeep.** ``ShareWeekStat`` and ``CampaignStaffStat`` (dashboard.models) hold share counts
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
  read; beat also folds every few seconds (``dashboard.tasks.fold_dashboard_changes``) so
  the notes never pile up.
* Full rebuild: ``refresh_campaign`` recomputes one campaign's rows (and tallies) from
  the shares, set-based (``INSERT … SELECT … GROUP BY`` at unit level, then rolled up the
  tree one level per statement), and drops the campaign's waiting notes, which the
  shares already contain. ``refresh_stats`` does it for every campaign; Celery beat runs
  it for recent campaigns every night (``dashboard.tasks.refresh_dashboard_stats``); it
  also catches what the notes cannot (people moved between units, shares written by
  bulk loads).
* Locking (PostgreSQL): a status change takes a *shared* advisory lock on its campaign;
  a rebuild takes the campaign's lock exclusively, then the fold's lock. So a rebuild
  never interleaves with a change of the same campaign (a change either committed
  before the rebuild read the shares — its note is dropped — or writes its note after
  the rebuild), and never with a fold. Two changes of one person and campaign queue on
  the person's tally row. On SQLite writers are serialised anyway.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    DateField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncWeek
from django.utils import timezone

import audit
from accounts.models import UNIT_SEPARATOR, OrgUnit, User
from campaigns.models import Campaign, Share, ShareStatus
from scoring import selectors, services

from . import people
from .models import (
    ORGANISATION_SCOPE,
    TREE_CHANGED,
    CampaignStaffStat,
    CampaignStaffTally,
    DashboardSettings,
    PeopleStat,
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
# A campaign's key in LOCK_NAMESPACE: its id modulo this (the key is a 32-bit int).
# campaigns' share statement works it out in SQL (dashboard.new_shares), from this too.
LOCK_KEYS = 2**31
FOLD_BATCH = 5000
UPSERT_CHUNK = 500


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
        (FOLD_LOCK_NAMESPACE, 0)
        if campaign_id is None
        else (LOCK_NAMESPACE, campaign_id % LOCK_KEYS)
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
            [LOCK_NAMESPACE, [c % LOCK_KEYS for c in campaign_ids]],
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
    """Add the waiting ``ShareCountChange`` and ``PeopleCountChange`` rows (see
    dashboard.people) into the dashboard's counts and delete them, ``batch`` at a time,
    each batch in one transaction; returns how many. One fold runs at a time (and never
    beside a rebuild). Cheap when there is nothing to do: two statements."""
    folded = 0
    while True:
        with transaction.atomic():
            _advisory_lock(campaign_id=None)
            changes = _take_changes(batch)
            if changes:
                _apply_changes(changes)
            people_changes = people.take_changes(batch)
            if people_changes:
                _apply_people_changes(people_changes)
        folded += len(changes) + len(people_changes)
        if len(changes) < batch and len(people_changes) < batch:
            return folded


def _take_changes(batch: int) -> list[tuple]:
    """Delete the oldest waiting changes and return them (only committed rows)."""
    meta, qn = ShareCountChange._meta, connection.ops.quote_name
    columns = ("person_id", "campaign_id", "kpi_year", "week_start", "platform")
    columns += STATUS_COLUMNS + STAFF_COLUMNS
    return people.take_oldest(qn(meta.db_table), ", ".join(qn(c) for c in columns), batch)


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


def _apply_people_changes(changes: list[tuple]) -> None:
    """Add people-count notes into the rows of each unit's scopes (as of now); a changed
    tree, or a note of a unit that is gone, rebuilds the people counts instead."""
    units = {unit for unit, *_ in changes if unit != ORGANISATION_SCOPE}
    scopes_of_unit = _scopes_of_units(units - {TREE_CHANGED}) if units else {}
    if units - set(scopes_of_unit):  # TREE_CHANGED, or a unit deleted since its note
        people.rebuild()
        return
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for unit, year, points, n_people, participants in changes:
        for scope in scopes_of_unit.get(unit, (ORGANISATION_SCOPE,)):
            row = rows[(scope, year, points)]
            row[0] += n_people
            row[1] += participants
    _add_rows(PeopleStat, ("kpi_year", "points"), ("people", "participants"), rows)


@transaction.atomic
def refresh_people() -> None:
    """Rebuild the people counts from the people, their accounts and scores (set-based,
    never beside a fold)."""
    _advisory_lock(campaign_id=None)
    people.rebuild()


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
    per campaign so changes of other campaigns never wait, then the people counts.
    Returns how many campaigns."""
    ids = (
        list(Campaign.objects.order_by("pk").values_list("pk", flat=True))
        if campaign_ids is None
        else list(campaign_ids)
    )
    for campaign_id in ids:
        refresh_campaign(campaign_id)
    refresh_people()
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
    before = row.leaderboard_enabled
    row.leaderboard_enabled = enabled
    row.updated_by = actor
    row.updated_at = timezone.now()
    row.save(update_fields=["leaderboard_enabled", "updated_by", "updated_at"])
    audit.record(
        actor=actor,
        action="leaderboard.switched",
        obj=row,
        before={"leaderboard_enabled": before},
        after={"leaderboard_enabled": enabled},
    )
    log.info("Dashboard leaderboard turned %s by %s", "on" if enabled else "off", actor.staff_id)
    return row
