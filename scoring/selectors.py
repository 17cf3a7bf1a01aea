"""Read queries for scoring: KPI years, which shares count, scores by scope.

**KPI year.** Labelled by the calendar year it starts in. With the default
start month (January) KPI year 2025 is 1 Jan 2025 00:00 to 1 Jan 2026 00:00 in
the organisation's time zone (``settings.TIME_ZONE``); with
``SHAREKPI_KPI_YEAR_START_MONTH = 4`` it is 1 Apr 2025 to 1 Apr 2026. The
boundaries are aware datetimes, so the database compares ``submitted_at``
against instants, never a ``__year`` taken in UTC.

**KPI count** for a person and year = distinct campaigns with at least one
``verified`` share submitted inside the KPI year and inside the campaign's
window (the local date of ``submitted_at`` between ``starts_on`` and
``ends_on`` inclusive).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from itertools import islice

from django.db import connections
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import OrgUnit, User
from campaigns.kpi_year import (
    current_kpi_year,
    kpi_year_bounds,
    kpi_year_label,
    kpi_year_of,
    kpi_year_period,
    organisation_zone,
    start_month,
    year_has_ended,
)
from campaigns.models import Share, ShareStatus
from sharekpi.platforms import PLATFORM_LABELS

from .models import KpiScore, SchemeChange, YearClose

# --- KPI years ------------------------------------------------------------------------------


# One definition for the whole project, shared with campaigns.
__all__ = [
    "current_kpi_year",
    "kpi_year_bounds",
    "kpi_year_label",
    "kpi_year_of",
    "kpi_year_period",
    "organisation_zone",
    "start_month",
    "year_has_ended",
]


# --- what counts ----------------------------------------------------------------------------


def counted_shares(year: int) -> QuerySet[Share]:
    """Verified shares that count towards KPI year ``year`` (of campaigns that count for
    the KPI: a manager's department campaign does not, unless HR says so).

    Two tests, both in SQL. The KPI year is a plain range on ``submitted_at``
    (aware boundaries, so the status/submitted_at indexes apply). The campaign
    window compares the *local* date of ``submitted_at`` with the campaign's
    dates: ``TruncDate`` in the organisation's zone (``AT TIME ZONE`` on
    PostgreSQL, Django's zone-aware date function on SQLite). That is the same
    as ``local start of starts_on <= submitted_at < local start of
    ends_on + 1 day``, and stays right across DST changes on either database.
    """
    start, end = kpi_year_bounds(year)
    return (
        Share.objects.filter(
            status=ShareStatus.VERIFIED,
            submitted_at__gte=start,
            submitted_at__lt=end,
            campaign__counts_for_kpi=True,
        )
        .alias(local_day=TruncDate("submitted_at", tzinfo=organisation_zone()))
        .filter(local_day__gte=F("campaign__starts_on"), local_day__lte=F("campaign__ends_on"))
    )


def counts_by_person(year: int) -> QuerySet:
    """``(staff_id, n)`` rows: each person's KPI count for ``year``, only people with at
    least one. Lazy, so the scoring services can also embed its SQL in their upserts
    (filter on ``staff_id`` for one person)."""
    return (
        counted_shares(year)
        .order_by()
        .values("staff_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("staff_id", "n")
    )


def counts_for_year(year: int) -> dict[int, int]:
    """Everyone's KPI count for ``year`` (only people with at least one): one aggregate query."""
    return dict(counts_by_person(year).iterator(chunk_size=5000))


def counted_campaigns(user: User, year: int) -> list[dict]:
    """The campaigns that counted for ``user`` in ``year``: title, window, when the
    first counted share was logged, and on which platforms (``platforms``: codes;
    ``platform_labels``: the names as the platforms spell them). Small: one person."""
    campaigns: dict[int, dict] = {}
    rows = (
        counted_shares(year)
        .filter(staff=user)
        .order_by("submitted_at")
        .values_list(
            "campaign_id",
            "campaign__title",
            "campaign__starts_on",
            "campaign__ends_on",
            "platform",
            "submitted_at",
        )
    )
    for campaign_id, title, starts_on, ends_on, platform, submitted_at in rows:
        entry = campaigns.setdefault(
            campaign_id,
            {
                "id": campaign_id,
                "title": title,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "first_shared_at": submitted_at,
                "platforms": [],
                "platform_labels": [],
            },
        )
        if platform not in entry["platforms"]:
            entry["platforms"].append(platform)
            entry["platform_labels"].append(PLATFORM_LABELS.get(platform, platform))
    return sorted(campaigns.values(), key=lambda c: (c["first_shared_at"], c["id"]))


# --- year close -----------------------------------------------------------------------------


def closes_in_force(year: int) -> QuerySet[YearClose]:
    """The year's close while it is in force (zero or one row). Lazy, so the scoring
    services can embed it as a ``NOT EXISTS`` guard."""
    return YearClose.objects.filter(year=year, reopened_at__isnull=True)


def year_close_in_force(year: int) -> YearClose | None:
    return closes_in_force(year).select_related("closed_by").first()


def is_year_closed(year: int) -> bool:
    return closes_in_force(year).exists()


def year_closes_in_force() -> dict[int, datetime.datetime]:
    """``{year: closed_at}`` of every closed year (campaigns.hooks hands it to
    verification: appeals and retention)."""
    return dict(YearClose.objects.filter(reopened_at__isnull=True).values_list("year", "closed_at"))


def closed_years() -> set[int]:
    return set(YearClose.objects.filter(reopened_at__isnull=True).values_list("year", flat=True))


def year_close_history(year: int | None = None) -> QuerySet[YearClose]:
    closes = YearClose.objects.select_related("closed_by", "reopened_by")
    return closes if year is None else closes.filter(year=year)


def scheme_changes(year: int) -> QuerySet[SchemeChange]:
    return SchemeChange.objects.filter(year=year).select_related("changed_by")


def scored_people_by_year() -> dict[int, int]:
    return dict(
        KpiScore.objects.order_by().values("year").annotate(n=Count("pk")).values_list("year", "n")
    )


def known_years() -> list[int]:
    """Years worth offering in a year picker: the current one and any with scores,
    schemes or a close, newest first."""
    years = {current_kpi_year()}
    years.update(KpiScore.objects.order_by().values_list("year", flat=True).distinct())
    years.update(YearClose.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


# --- scores by scope ------------------------------------------------------------------------


class OutOfScope(Exception):
    """The asker may not see that unit (or has no unit to report on)."""


def report_unit(viewer: User, unit_ref: str | int | None) -> OrgUnit | None:
    """The unit a report covers. ``unit_ref`` is an OrgUnit id or path.

    HR: the given unit, or None (= the whole organisation). Managers: the given
    unit if it lies in their subtree, else their own unit. Anyone else, or a
    unit outside the asker's scope: ``OutOfScope``.
    """
    visible = account_selectors.units_visible_to(viewer)
    ref = "" if unit_ref is None else str(unit_ref).strip()
    if ref:
        lookup = Q(pk=int(ref)) if ref.isascii() and ref.isdigit() else Q(path=ref)
        unit = visible.filter(lookup).first()
        if unit is None:
            raise OutOfScope(
                _("Unit “%(unit)s” does not exist or is outside what you may see.") % {"unit": ref}
            )
        return unit
    if viewer.is_hr_admin:
        return None
    if viewer.is_manager and viewer.unit_id is not None:
        return viewer.unit
    raise OutOfScope(_("You have no unit to report on."))


def scores_in_scope(
    year: int, unit: OrgUnit | None, *, closed: bool | None = None
) -> QuerySet[KpiScore]:
    """KpiScore rows for ``year`` of the people at or below ``unit`` (None = everyone).

    For a closed year every frozen row is shown; for an open year people who
    have left are shown only if they earned something.
    """
    rows = KpiScore.objects.filter(year=year)
    if unit is not None:
        rows = rows.filter(account_selectors.unit_scope_q(unit, field="user__unit"))
    if not (is_year_closed(year) if closed is None else closed):
        rows = rows.filter(Q(user__is_active=True) | Q(verified_shares__gt=0))
    return rows


def people_without_score(year: int, unit: OrgUnit | None) -> QuerySet[User]:
    people = (
        account_selectors.staff_in_unit(unit)
        if unit is not None
        else User.objects.filter(is_active=True)
    )
    return people.exclude(kpi_scores__year=year)


REPORT_FIELDS = (
    "user__staff_id",
    "user__full_name",
    "user__unit__path",
    "verified_shares",
    "points",
)


def report_rows(rows: QuerySet[KpiScore]) -> QuerySet:
    """``(staff_id, full_name, unit path, verified_shares, points)`` tuples, one query,
    ordered by unit then name."""
    return rows.order_by("user__unit__path", "user__full_name", "user__staff_id").values_list(
        *REPORT_FIELDS
    )


def report_rows_in_chunks(rows: QuerySet[KpiScore], chunk_size: int) -> Iterator[list[tuple]]:
    """``report_rows(rows)`` in lists of at most ``chunk_size`` tuples, for exports of
    any size (constant memory): on PostgreSQL through a server-side cursor.

    The cursor's query sorts a ``MATERIALIZED`` CTE instead of the joined tables.
    PostgreSQL plans a cursor for its first tenth of rows (``cursor_tuple_fraction``),
    and with the ORDER BY on the joins that made it walk the unit-path index and
    join every unit to every score (a nested loop with a join filter: units times people
    rows, 118 million of them for 55,000 people in 2,159 units, 28 s) whenever the
    freshly rewritten KpiScore table's statistics were stale, as they are after a
    full-year recompute until ANALYZE. A CTE is planned for all its rows and the sort
    needs them all anyway, so the plan is the cheapest whole one (hash joins; index
    lookups at worst): linear in the people, whatever the statistics. Same rows, same
    order (the CTE's columns keep their collations)."""
    db = rows.db
    connection = connections[db]
    if connection.vendor != "postgresql":
        iterator = report_rows(rows).iterator(chunk_size=chunk_size)
        while chunk := list(islice(iterator, chunk_size)):
            yield chunk
        return
    inner = rows.order_by().values_list(*REPORT_FIELDS)
    sql, params = inner.query.get_compiler(using=db).as_sql()
    # REPORT_FIELDS' positions of report_rows' order: unit path, full name, staff id.
    sql = f"WITH report_rows AS MATERIALIZED ({sql}) SELECT * FROM report_rows ORDER BY 3, 2, 1"
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    cursor = connection.chunked_cursor() if server_side else connection.cursor()
    with cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield chunk
