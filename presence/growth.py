"""Follower growth: dated follower snapshots of the official accounts and follow
drives, which compare the growth a drive should bring (people in its audience who
confirmed following since the start) with the growth the snapshots show.

Writes (snapshots, drives) run in one transaction each and are audited; reads are
set-based: a drive's numbers are a handful of queries however large its audience.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import OrgUnit, User
from accounts.selectors import unit_scope_q
from campaigns.models import OfficialAccount

from .models import FollowConfirmation, FollowDrive, FollowerSnapshot, SnapshotSource


class GrowthError(Exception):
    """Bad input for a snapshot or a drive; ``field`` names what to fix."""

    def __init__(self, message: str, *, field: str = "non_field_errors") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DuplicateSnapshot(GrowthError):
    """The account already has a snapshot for that day."""


# --- snapshots --------------------------------------------------------------------------------


def validate_snapshot(*, taken_on: datetime.date, followers: int) -> None:
    if followers is None or int(followers) < 0:
        raise GrowthError(_("A follower count cannot be negative."), field="followers")
    if taken_on > timezone.localdate():
        raise GrowthError(
            _("A snapshot cannot be dated in the future (today is %(today)s).")
            % {"today": timezone.localdate().isoformat()},
            field="taken_on",
        )


@transaction.atomic
def record_snapshot(
    *, official_account: OfficialAccount, taken_on: datetime.date, followers: int, actor: User
) -> FollowerSnapshot:
    """HR enters a follower count: not negative, not in the future, one per account and day."""
    validate_snapshot(taken_on=taken_on, followers=followers)
    if FollowerSnapshot.objects.filter(
        official_account=official_account, taken_on=taken_on
    ).exists():
        raise DuplicateSnapshot(
            _("%(account)s already has a snapshot for %(day)s.")
            % {"account": official_account, "day": taken_on.isoformat()},
            field="taken_on",
        )
    try:
        with transaction.atomic():
            snapshot = FollowerSnapshot.objects.create(
                official_account=official_account,
                taken_on=taken_on,
                followers=int(followers),
                source=SnapshotSource.MANUAL,
                entered_by=actor,
            )
    except IntegrityError as exc:  # the same day entered twice at once
        raise DuplicateSnapshot(
            _("%(account)s already has a snapshot for %(day)s.")
            % {"account": official_account, "day": taken_on.isoformat()},
            field="taken_on",
        ) from exc
    audit.record(
        actor=actor,
        action="follower_snapshot.recorded",
        obj=snapshot,
        after={
            "official_account": official_account.pk,
            "taken_on": taken_on.isoformat(),
            "followers": snapshot.followers,
            "source": snapshot.source,
        },
    )
    return snapshot


@transaction.atomic
def record_api_snapshot(
    *, official_account: OfficialAccount, followers: int, taken_on: datetime.date | None = None
) -> FollowerSnapshot | None:
    """Today's count from the platform's API. A count HR entered for the day wins
    (None is returned); an earlier API count of the same day is replaced."""
    taken_on = taken_on or timezone.localdate()
    validate_snapshot(taken_on=taken_on, followers=followers)
    existing = (
        FollowerSnapshot.objects.select_for_update()
        .filter(official_account=official_account, taken_on=taken_on)
        .first()
    )
    if existing is not None:
        if existing.source == SnapshotSource.MANUAL:
            return None
        existing.followers = int(followers)
        existing.save(update_fields=["followers"])
        return existing
    return FollowerSnapshot.objects.create(
        official_account=official_account,
        taken_on=taken_on,
        followers=int(followers),
        source=SnapshotSource.API,
    )


def snapshots_of(official_account: OfficialAccount) -> QuerySet[FollowerSnapshot]:
    return FollowerSnapshot.objects.filter(official_account=official_account).order_by("taken_on")


# --- follow drives ----------------------------------------------------------------------------


@transaction.atomic
def create_drive(
    *,
    official_account: OfficialAccount,
    starts_on: datetime.date,
    units: list[OrgUnit] | QuerySet[OrgUnit],
    actor: User,
    name: str = "",
    people_asked: int | None = None,
) -> FollowDrive:
    if people_asked is not None and people_asked < 0:
        raise GrowthError(_("The number of people asked cannot be negative."), field="people_asked")
    drive = FollowDrive.objects.create(
        official_account=official_account,
        starts_on=starts_on,
        name=name.strip(),
        people_asked=people_asked,
        created_by=actor,
    )
    units = list(units)
    drive.units.set(units)
    audit.record(
        actor=actor,
        action="follow_drive.created",
        obj=drive,
        after={
            "official_account": official_account.pk,
            "starts_on": starts_on.isoformat(),
            "units": sorted(u.pk for u in units),
            "name": drive.name,
            "people_asked": people_asked,
        },
    )
    return drive


def audience_q(units: list[OrgUnit], *, person: str = "") -> Q:
    """Active people at or below any of ``units`` (none = everyone). ``person`` is the
    path to the person from the queried model (``"user__"`` for confirmations)."""
    q = Q(**{f"{person}is_active": True})
    if not units:
        return q
    scope = Q()
    for unit in units:
        scope |= unit_scope_q(unit, field=f"{person}unit")
    return q & scope


def drive_start(drive: FollowDrive) -> datetime.datetime:
    """Midnight of the start day in the organisation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(drive.starts_on, datetime.time()))


@dataclass
class DrivePoint:
    day: datetime.date
    observed: int | None  # the snapshot of that day
    expected: int | None  # baseline + confirmations up to that day
    confirmed: int  # confirmations since the start, up to that day

    @property
    def gap(self) -> int | None:
        if self.observed is None or self.expected is None:
            return None
        return self.observed - self.expected


@dataclass
class DriveProgress:
    drive: FollowDrive
    audience_people: int
    confirmed_since_start: int
    baseline: FollowerSnapshot | None
    latest: FollowerSnapshot | None
    points: list[DrivePoint] = field(default_factory=list)
    snapshots: list[FollowerSnapshot] = field(default_factory=list)

    @property
    def people_asked(self) -> int:
        """The memo's number when HR gave it, else the audience's people in ShareKPI."""
        return (
            self.drive.people_asked if self.drive.people_asked is not None else self.audience_people
        )

    @property
    def observed_growth(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest.followers - self.baseline.followers

    @property
    def expected_growth(self) -> int:
        return self.confirmed_since_start

    @property
    def target(self) -> int | None:
        """Baseline + everyone asked: what "everyone follows" would read."""
        return None if self.baseline is None else self.baseline.followers + self.people_asked

    @property
    def observed_share_of_asked(self) -> float | None:
        growth = self.observed_growth
        if growth is None or not self.people_asked:
            return None
        return 100.0 * growth / self.people_asked


def drive_progress(drive: FollowDrive) -> DriveProgress:
    """Expected against observed for one drive: four queries.

    Baseline: the last snapshot on or before the start day (else the first one after
    it). Expected on a day: baseline + people of the audience whose confirmation
    ("I follow", still standing) is dated from the start up to that day.
    """
    units = list(drive.units.all())
    people = User.objects.filter(audience_q(units))
    audience_people = people.count()
    start = drive_start(drive)
    confirmations = FollowConfirmation.objects.filter(
        official_account_id=drive.official_account_id,
        following=True,
        confirmed_at__gte=start,
    ).filter(audience_q(units, person="user__"))
    per_day = dict(
        confirmations.annotate(day=TruncDate("confirmed_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    confirmed_total = sum(per_day.values())
    snapshots = list(snapshots_of(drive.official_account))
    before = [s for s in snapshots if s.taken_on <= drive.starts_on]
    after = [s for s in snapshots if s.taken_on > drive.starts_on]
    baseline = before[-1] if before else (after[0] if after else None)
    shown = ([baseline] if baseline is not None and before else []) + after
    points: list[DrivePoint] = []
    if shown:
        days = sorted(per_day)
        running, index = 0, 0
        for snapshot in shown:
            while index < len(days) and days[index] <= snapshot.taken_on:
                running += per_day[days[index]]
                index += 1
            points.append(
                DrivePoint(
                    day=snapshot.taken_on,
                    observed=snapshot.followers,
                    expected=baseline.followers + running,
                    confirmed=running,
                )
            )
    return DriveProgress(
        drive=drive,
        audience_people=audience_people,
        confirmed_since_start=confirmed_total,
        baseline=baseline,
        latest=snapshots[-1] if snapshots else None,
        points=points,
        snapshots=snapshots,
    )


def drives_with_units() -> QuerySet[FollowDrive]:
    return FollowDrive.objects.select_related("official_account").prefetch_related("units")
