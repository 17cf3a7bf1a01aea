"""The HR dashboard: every number it shows, read from the pre-aggregated counts that
dashboard.stats keeps.

**Reading.** People, participation and points come from the people counts kept per scope
(``PeopleStat``, dashboard.people: active people, those with a social account, and per
KPI year and points value those with that score), read for the scope, the table's units
and the campaigns' audience units in one query; share counts come from the share count
tables. No read counts the people of its scope, and the dashboard runs a fixed number of
queries whatever the data size.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import selectors as account_selectors
from accounts.models import UNIT_SEPARATOR, OrgUnit, Platform, SocialAccount, User
from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share, ShareStatus
from scoring import bands as band_rules
from scoring import reports, selectors, services
from scoring.models import KpiScore

from .models import (
    CAMPAIGN_YEAR,
    ORGANISATION_SCOPE,
    STAFF_YEAR,
    CampaignStaffStat,
    DashboardSettings,
    PeopleStat,
    ShareWeekStat,
)
from .stats import STATUS_COLUMNS, ancestor_paths, fold_changes

log = logging.getLogger(__name__)

NO_SHARES, NO_ACCOUNT = "no_shares", "no_account"
MISSING_KINDS = (NO_SHARES, NO_ACCOUNT)
LEADERBOARD_SIZE = 20
MISSING_PAGE_SIZE = 25


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
        return self.unit.path if self.unit is not None else _("Whole organisation")

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
        if not (ref.isascii() and ref.isdigit()):
            raise BadFilter(_("“%(ref)s” is not a campaign id.") % {"ref": ref})
        campaign = Campaign.objects.exclude(status=CampaignStatus.DRAFT).filter(pk=ref).first()
        if campaign is None:
            raise selectors.OutOfScope(_("Campaign %(ref)s does not exist.") % {"ref": ref})
        audience = campaign_audiences([campaign.pk]).get(campaign.pk, [])
        if not viewer.is_hr_admin:
            own = viewer.unit.path if viewer.unit_id else None
            if audience and not any(_overlaps(p, own) for p in audience):
                raise selectors.OutOfScope(_("That campaign is not meant for your units."))
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
    staff_with_account: int = 0  # of them, with ≥ 1 social account
    audience_verified: int = 0  # campaign filter: its audience's people with a verified share

    @property
    def rate(self) -> float:
        return 100.0 * self.participants / self.people if self.people else 0.0

    @property
    def average_points(self) -> float:
        return self.points / self.staff if self.staff else 0.0


@dataclass
class ScopePeople:
    """One scope's kept people counts (dashboard.people) for the KPI year shown."""

    staff: int = 0  # active people
    with_account: int = 0  # of them, with ≥ 1 social account
    participants: int = 0  # of them, with ≥ 1 counted verified share in the year
    points: int = 0  # their points, summed
    by_points: dict[int, int] = field(default_factory=dict)  # people per points value
    campaign_verified: int = 0  # with a campaign filter: its active verified people

    def add(self, kpi_year: int, points: int, people: int, participants: int) -> None:
        if kpi_year == STAFF_YEAR:
            self.staff += people
            self.with_account += participants
        elif kpi_year == CAMPAIGN_YEAR:  # points: the campaign filtered on
            self.campaign_verified += people
        else:
            self.by_points[points] = self.by_points.get(points, 0) + people
            self.participants += participants

    def finish(self, zero_points: int) -> None:
        """People without a score row of the year have the points of no share."""
        unscored = self.staff - sum(self.by_points.values())
        self.by_points[zero_points] = self.by_points.get(zero_points, 0) + unscored
        self.points = sum(points * n for points, n in self.by_points.items())

    def plus(self, other: ScopePeople) -> None:
        self.staff += other.staff
        self.with_account += other.with_account
        self.participants += other.participants
        self.points += other.points
        for points, n in other.by_points.items():
            self.by_points[points] = self.by_points.get(points, 0) + n

    def minus(self, other: ScopePeople) -> ScopePeople:
        rest = ScopePeople(
            self.staff - other.staff,
            self.with_account - other.with_account,
            self.participants - other.participants,
            self.points - other.points,
        )
        for points in set(self.by_points) | set(other.by_points):
            rest.by_points[points] = self.by_points.get(points, 0) - other.by_points.get(points, 0)
        return rest

    def unit_row(self) -> UnitRow:
        return UnitRow(
            label="",
            unit_id=None,
            people=self.staff,
            participants=self.participants,
            points=self.points,
        )


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
    scope_unit_ids: list[int] | None = None  # a unit's scope: its units' ids (the lists)

    def short_path(self, path: str | None) -> str:
        if not path:
            return ""
        return path[len(self.path_prefix) :] if path.startswith(self.path_prefix) else path


def _scope_people(unit: OrgUnit | None) -> QuerySet[User]:
    people = User.objects.filter(is_active=True)
    return people.filter(account_selectors.unit_scope_q(unit)) if unit is not None else people


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
    children = [
        (pk, path, name)
        for pk, path, name, depth, parent_id in units
        if parent_id == (table_parent[0] if table_parent is not None else None)
    ]

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
    # 2. People, participation and points: the kept counts (dashboard.people) of the
    # scope, the table's parent and children, and the audience units of the campaigns.
    scheme = services.scheme_for_year(year)  # 3. (and 4. its bands, prefetched)
    band_values = scheme.band_values()
    zero_points = band_rules.points_for(0, band_values)
    id_of = {path: pk for pk, path, *_ in units}
    wanted = {scope, *(pk for pk, *_ in children)}
    if table_parent is not None:
        wanted.add(table_parent[0])
    for item in shown:
        wanted.update(id_of[p] for p in audiences.get(item.pk, []) if p in id_of)
    kept = {scope_id: ScopePeople() for scope_id in wanted}
    wanted_rows = Q(kpi_year__in=[STAFF_YEAR, year])
    if campaign is not None:  # and its verified people
        wanted_rows |= Q(kpi_year=CAMPAIGN_YEAR, points=campaign.pk)
    for scope_id, kpi_year, points, people, participants in (
        PeopleStat.objects.filter(wanted_rows, scope__in=wanted)
        .order_by()
        .values_list("scope", "kpi_year", "points", "people", "participants")
    ):
        kept[scope_id].add(kpi_year, points, people, participants)
    for found in kept.values():
        found.finish(zero_points)
    subtree_people = {path_of[pk]: found.staff for pk, found in kept.items() if pk in path_of}
    region = unit.path if unit is not None else None
    here = kept[scope]
    totals = Totals(
        people=here.staff,
        staff=here.staff,
        participants=here.participants,
        staff_participants=here.participants,
        points=here.points,
        staff_with_account=here.with_account,
    )
    if campaign is not None:
        verified_in = {
            path_of[pk]: found.campaign_verified for pk, found in kept.items() if pk in path_of
        }
        totals.audience_verified = _audience_in(
            region, filters.audience, verified_in, here.campaign_verified
        )
    people_by_points = {p: n for p, n in here.by_points.items() if n}
    by_child: dict[str | None, UnitRow] = {}
    inside = ScopePeople()
    for pk, path, _name in children:
        by_child[path] = kept[pk].unit_row()
        inside.plus(kept[pk])
    if table_parent is not None:
        direct = kept[table_parent[0]].minus(inside)
        if direct.staff:
            by_child[""] = direct.unit_row()
        inside = kept[table_parent[0]]
    unitless = 0
    if unit is None:
        rest = here.minus(inside)
        unitless = rest.staff
        if unitless:
            by_child[None] = rest.unit_row()

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
    # Translated once a request, not once a cell.
    labels = {value: str(label) for value, label in Platform.choices}
    logged_platforms: dict[int, set[str]] = defaultdict(set)
    for campaign_id, platform in per_campaign_platform:
        logged_platforms[campaign_id].add(platform)
    campaign_rows = []
    for item in shown:
        audience = _audience_in(region, audiences.get(item.pk, []), subtree_people, totals.people)
        shared, verified_staff = staff_stats.get(item.pk, (0, 0))
        platforms = sorted(set(official.get(item.pk, [])) | logged_platforms[item.pk])
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
        scope_unit_ids=[pk for pk, *_ in units] if unit is not None else None,
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
        parent, _sep, _name = unit.path.rpartition(UNIT_SEPARATOR)
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
        direct.label = _("%(unit)s (directly)") % {"unit": parent[2]}
        rows.append(direct)
    if unitless:
        row = by_child[None]
        row.label = _("(no unit)")
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
    paths = {pk: path for pk, path, _depth in children}
    rest_people, rest_verified = scope_audience, scope_verified
    for row in unit_rows:
        if row.unit_id is None:
            continue
        path = paths[row.unit_id]
        row.people = _audience_in(
            path, filters.audience, subtree_people, subtree_people.get(path, 0)
        )
        _people, row.participants = stats.get(row.unit_id, (0, 0))
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
            label = _("older scheme")
        elif high is None:
            label = _("%(low)s+ shares") % {"low": low}
        elif low == high:
            label = ngettext("%(count)s share", "%(count)s shares", low) % {"count": low}
        else:
            label = _("%(low)s%(dash)s%(high)s shares") % {
                "low": low,
                "dash": band_rules.EN_DASH,
                "high": high,
            }
        n = people_by_points.get(points, 0)
        rows.append(BandRow(points, label, n, 100.0 * n / people if people else 0.0))
    return rows


def _breadcrumb(filters: Filters) -> list[dict]:
    """Whole organisation > HQ > Comms: the levels above the scope the viewer may open."""
    crumbs = []
    if filters.viewer.is_hr_admin:
        crumbs.append({"label": _("Whole organisation"), "unit": None})
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
    """How many people a missing list holds, from the kept counts the dashboard read
    (no query)."""
    totals = board.totals
    if kind == NO_SHARES and board.filters.campaign is None:
        return totals.staff - totals.staff_participants
    if kind == NO_ACCOUNT:
        return totals.staff - totals.staff_with_account
    if kind == NO_SHARES:  # the campaign's audience in scope less its verified people
        return totals.people - totals.audience_verified
    return _missing(board.filters, kind).count()


def missing_people(
    filters: Filters, kind: str, *, by_unit: bool = True, unit_ids: list[int] | None = None
) -> QuerySet:
    """Active people in scope who are missing something, as ``(staff_id, full_name, email,
    unit path)`` tuples, ordered by unit and name (``by_unit``, for the CSV) or by staff
    ID (pages on screen: an index walk that stops after one page).

    ``no_shares``: no counted verified share in the KPI year (with a campaign filter:
    people in the campaign's audience without a verified share of it). ``no_account``:
    no registered social account."""
    order = ("unit__path", "full_name", "staff_id") if by_unit else ("staff_id",)
    return _missing(filters, kind, unit_ids).order_by(*order).values_list(*MISSING_FIELDS)


def _missing(filters: Filters, kind: str, unit_ids: list[int] | None = None) -> QuerySet[User]:
    """``unit_ids``: the ids of the scope's units (``Dashboard.scope_unit_ids``), the same
    people as the unit's subtree by path, filtered on the person's row: the page's walk
    in staff-ID order then checks each person without a join (half the cost, at 100,000
    staff, for a 6,500-person unit)."""
    if unit_ids is not None and filters.unit is not None:
        people = User.objects.filter(is_active=True, unit_id__in=unit_ids)
    else:
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
        raise BadFilter(_("kind must be one of %(kinds)s.") % {"kinds": ", ".join(MISSING_KINDS)})
    return people


MISSING_CSV_HEADER = ("staff_id", "full_name", "email", "unit")


def missing_file_stem(filters: Filters, kind: str) -> str:
    parts = ["missing", kind.replace("_", "-"), filters.year_label]
    parts.append(filters.unit.name if filters.unit is not None else "organisation")
    if filters.campaign is not None:
        parts.append(f"campaign-{filters.campaign.pk}")
    return reports.safe_file_stem("-".join(parts))
