"""Read queries for social presence, set-based (a few queries whatever the number of
units or people), scoped by who asks.

Required platforms are inherited down the org tree: the nearest unit at or above a
unit with its own entry decides (an empty list = no requirement; no entry anywhere
above = no requirement). Must-follow official accounts have an audience (units and
everything below them; no units = everyone).

For the compliance report (the other half of presence): ``required_platforms_by_unit``,
``spot_check_counts`` and ``spot_check_failures``; the words are "not confirmed" and
"spot check failed", never "non-follower".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import UNIT_SEPARATOR, OrgUnit, Platform, SocialAccount, User
from campaigns.models import OfficialAccount

from .models import (
    FollowConfirmation,
    FollowRequirement,
    RequiredPlatforms,
    SpotCheck,
    SpotCheckKind,
    SpotCheckResult,
)


def ancestor_paths(path: str) -> list[str]:
    """``A/B/C`` → ``["A", "A/B", "A/B/C"]``."""
    parts = path.split(UNIT_SEPARATOR)
    return [UNIT_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


# --- required platforms -------------------------------------------------------------------


def required_platform_entries() -> QuerySet[RequiredPlatforms]:
    """The units' own entries (not inherited), in tree order."""
    return RequiredPlatforms.objects.select_related("unit").order_by("unit__path")


def _entries_by_path(paths: Iterable[str] | None) -> dict[str, list[str]]:
    entries = RequiredPlatforms.objects.all()
    if paths is not None:
        entries = entries.filter(unit__path__in=list(paths))
    return dict(entries.values_list("unit__path", "platforms"))


def effective_platforms(path: str, entries: dict[str, list[str]]) -> tuple[list[str], str | None]:
    """(platforms, path of the unit that decides) for the unit at ``path``, given
    the entries by path; ``([], None)`` when no unit at or above has an entry."""
    for candidate in reversed(ancestor_paths(path)):
        if candidate in entries:
            return list(entries[candidate]), candidate
    return [], None


def required_platforms_by_unit(units: Iterable[OrgUnit] | None = None) -> dict[int, list[str]]:
    """``{unit id: [platform, ...]}`` for ``units`` (None: every unit), with
    inheritance: two queries however many units (the units, then the entries of
    every unit at or above them)."""
    units = list(OrgUnit.objects.only("pk", "path") if units is None else units)
    paths = None if len(units) > 500 else {p for u in units for p in ancestor_paths(u.path)}
    entries = _entries_by_path(paths)
    return {unit.pk: effective_platforms(unit.path, entries)[0] for unit in units}


def required_platforms_for_unit(unit: OrgUnit | None) -> list[str]:
    if unit is None:
        return []
    return effective_platforms(unit.path, _entries_by_path(ancestor_paths(unit.path)))[0]


def required_platforms_for(user: User) -> list[str]:
    """The platforms ``user`` must have an account on (their unit's, inherited)."""
    return required_platforms_for_unit(user.unit if user.unit_id else None)


def required_platforms_overview() -> list[dict]:
    """Every unit with its own entry (or None) and what applies to it, in tree
    order, for HR's page: ``[{unit, own, platforms, decided_by}]``. Two queries."""
    units = list(OrgUnit.objects.order_by("path"))
    entries = _entries_by_path(None)
    rows = []
    for unit in units:
        platforms, decided_by = effective_platforms(unit.path, entries)
        rows.append(
            {
                "unit": unit,
                "own": entries.get(unit.path),
                "platforms": platforms,
                "decided_by": decided_by,
            }
        )
    return rows


def platform_labels(platforms: Iterable[str]) -> list[str]:
    labels = dict(Platform.choices)
    return [labels.get(p, p) for p in platforms]


# --- must-follow official accounts ----------------------------------------------------------


def follow_audience_q(user: User) -> Q:
    """FollowRequirements whose audience includes ``user``: no units (everyone), or a
    unit at or above theirs. EXISTS on the audience table, so no join multiplies rows."""
    targeted = FollowRequirement.units.through.objects.filter(followrequirement_id=OuterRef("pk"))
    everyone = ~Exists(targeted)
    if user.unit_id is None:
        return everyone
    return everyone | Exists(targeted.filter(orgunit__path__in=ancestor_paths(user.unit.path)))


def must_follow_requirements_for(user: User) -> QuerySet[FollowRequirement]:
    return FollowRequirement.objects.filter(must_follow=True).filter(follow_audience_q(user))


def must_follow_for(user: User) -> QuerySet[OfficialAccount]:
    """The official accounts ``user`` is asked to follow, by platform and name."""
    asked = must_follow_requirements_for(user).values("official_account_id")
    return OfficialAccount.objects.filter(pk__in=asked).order_by("platform", "name", "pk")


def is_asked_to_follow(user: User, official_account: OfficialAccount) -> bool:
    return must_follow_requirements_for(user).filter(official_account=official_account).exists()


def official_accounts_for_hr() -> QuerySet[OfficialAccount]:
    """Every official account with its follow requirement and audience, and how many
    people confirm following it now."""
    following = Count("follow_confirmations", filter=Q(follow_confirmations__following=True))
    return (
        OfficialAccount.objects.select_related("follow_requirement")
        .prefetch_related("follow_requirement__units")
        .annotate(confirmed_count=following)
        .order_by("platform", "name", "pk")
    )


def official_accounts_visible_to(user: User) -> QuerySet[OfficialAccount]:
    """HR and managers: every official account; staff: those they are asked to follow."""
    if user.is_hr_admin or user.is_manager:
        accounts = OfficialAccount.objects.all()
    else:
        accounts = must_follow_for(user)
    return (
        accounts.select_related("follow_requirement")
        .prefetch_related("follow_requirement__units")
        .order_by("platform", "name", "pk")
    )


def confirmations_of(user: User, official_accounts=None) -> dict[int, FollowConfirmation]:
    """``{official account id: confirmation}`` of ``user``: one query."""
    rows = FollowConfirmation.objects.filter(user=user)
    if official_accounts is not None:
        rows = rows.filter(official_account__in=official_accounts)
    return {row.official_account_id: row for row in rows}


def latest_marked_follow_checks() -> QuerySet[SpotCheck]:
    """Per person and official account, the most recent follow spot check HR marked."""
    later = (
        SpotCheck.objects.filter(
            kind=SpotCheckKind.FOLLOW,
            user=OuterRef("user"),
            official_account=OuterRef("official_account"),
        )
        .exclude(result=SpotCheckResult.PENDING)
        .filter(
            Q(checked_at__gt=OuterRef("checked_at"))
            | Q(checked_at=OuterRef("checked_at"), pk__gt=OuterRef("pk"))
        )
    )
    return (
        SpotCheck.objects.filter(kind=SpotCheckKind.FOLLOW)
        .exclude(result=SpotCheckResult.PENDING)
        .filter(~Exists(later))
    )


# A failure stands until the person confirms again after it (they followed since).
FAILED_Q = Q(result=SpotCheckResult.NOT_FOUND, confirmation__confirmed_at__lte=F("checked_at"))


def failed_follow_checks_of(user: User) -> dict[int, SpotCheck]:
    """``{official account id: spot check}`` where ``user``'s follow spot check failed
    and they have not confirmed again since."""
    rows = latest_marked_follow_checks().filter(FAILED_Q, user=user)
    return {row.official_account_id: row for row in rows}


def my_presence(user: User) -> dict:
    """What ``user`` is asked to have and follow, and where they stand: four queries.

    ``{"required": [{platform, label, account}], "follows": [{official_account,
    confirmation, following, spot_check_failed}]}``.
    """
    required = required_platforms_for(user)
    accounts = {a.platform: a for a in account_selectors.accounts_of(user)}
    labels = dict(Platform.choices)
    follows_asked = list(must_follow_for(user))
    confirmations = confirmations_of(user, follows_asked)
    failed = failed_follow_checks_of(user) if confirmations else {}
    return {
        "required": [
            {"platform": p, "label": labels.get(p, p), "account": accounts.get(p)} for p in required
        ],
        "follows": [
            {
                "official_account": account,
                "confirmation": confirmations.get(account.pk),
                "following": bool(
                    confirmations.get(account.pk) and confirmations[account.pk].following
                ),
                "spot_check_failed": account.pk in failed,
            }
            for account in follows_asked
        ],
    }


# --- spot checks ----------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_end_moment(month: datetime.date) -> datetime.datetime:
    """The first moment after ``month`` in the organisation's time zone."""
    return timezone.make_aware(datetime.datetime.combine(next_month(month), datetime.time.min))


def spot_check_pool(month: datetime.date) -> tuple[QuerySet, QuerySet]:
    """What ``month``'s sample is drawn from: follow confirmations standing (following)
    by the month's end on accounts that must be followed, and own accounts registered
    by then that are not proven. Each a queryset of rows (confirmations, accounts)."""
    end = month_end_moment(month)
    must_follow = FollowRequirement.objects.filter(must_follow=True).values("official_account_id")
    confirmations = FollowConfirmation.objects.filter(
        following=True, confirmed_at__lt=end, official_account_id__in=must_follow
    )
    accounts = SocialAccount.objects.filter(created_at__lt=end).exclude(proof_status="proven")
    return confirmations, accounts


def spot_checks_of_month(
    month: datetime.date, *, result: str = "", kind: str = ""
) -> QuerySet[SpotCheck]:
    checks = SpotCheck.objects.filter(month=month_start(month))
    if result:
        checks = checks.filter(result=result)
    if kind:
        checks = checks.filter(kind=kind)
    return checks.select_related(
        "user",
        "user__unit",
        "user__proof_code",
        "official_account",
        "social_account",
        "confirmation",
        "checked_by",
    ).order_by("result", "kind", "user__staff_id", "pk")


def spot_check_month_counts(month: datetime.date) -> dict[str, int]:
    counts = SpotCheck.objects.filter(month=month_start(month)).aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(result=SpotCheckResult.PENDING)),
        confirmed=Count("pk", filter=Q(result=SpotCheckResult.CONFIRMED)),
        not_found=Count("pk", filter=Q(result=SpotCheckResult.NOT_FOUND)),
    )
    return counts


def _people_in(units: Iterable[OrgUnit] | None, field: str = "user__unit") -> Q:
    if units is None:
        return Q()
    scope = Q(pk__in=[])
    for unit in units:
        scope |= account_selectors.unit_scope_q(unit, field=field)
    return scope


def spot_check_failures(
    units: Iterable[OrgUnit] | None = None, *, official_account: OfficialAccount | None = None
) -> QuerySet[SpotCheck]:
    """Follow spot checks that failed and still stand (the latest HR marked for that
    person and account is "not found", and the person has not confirmed again since),
    for people at or below ``units`` (None: everyone). ``.values("user_id")`` gives the
    people."""
    checks = latest_marked_follow_checks().filter(FAILED_Q).filter(_people_in(units))
    if official_account is not None:
        checks = checks.filter(official_account=official_account)
    return checks


def spot_check_counts(
    units: Iterable[OrgUnit] | None = None,
) -> dict[tuple[int | None, int], dict[str, int]]:
    """``{(person's own unit id, official account id): {"spot_checked": n,
    "spot_check_failed": n}}`` for people at or below ``units`` (None: everyone), one
    grouped query. ``spot_checked``: people whose follow confirmation HR has marked
    (latest mark); ``spot_check_failed``: of them, those whose latest mark is "not found"
    and who have not confirmed again since. The report adds the rows up per subtree."""
    rows = (
        latest_marked_follow_checks()
        .filter(_people_in(units))
        .order_by()
        .values("user__unit_id", "official_account_id")
        .annotate(spot_checked=Count("pk"), spot_check_failed=Count("pk", filter=FAILED_Q))
    )
    return {
        (row["user__unit_id"], row["official_account_id"]): {
            "spot_checked": row["spot_checked"],
            "spot_check_failed": row["spot_check_failed"],
        }
        for row in rows
    }
