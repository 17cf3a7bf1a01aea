"""The compliance report: per unit, how many people, how many have an account on
each platform required of them (and how many proved it), how many confirmed
following each must-follow account, and what HR's spot checks found; and the lists
of who has no account / has not confirmed.

Set-based, whatever the size: the org tree and the settings are read once (a few
thousand rows at most), the people, accounts, confirmations and spot checks are
counted with one GROUP BY per unit each, and the per-unit numbers are rolled up
the tree in Python. No query per unit, per person or per row.

The rules, read straight from presence.models (presence.services owns the writes):

- required platforms are inherited down the tree: the nearest unit at or above a
  person's unit with a RequiredPlatforms row decides (an empty list = none);
- a must-follow account's audience is its FollowRequirement's units and every unit
  below them; no units = everyone.

Words: nobody is a "non-follower" — people are "not confirmed", and a spot check
that did not find the follow is a "spot check failed".
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Platform, ProofStatus, Role, SocialAccount, User
from campaigns.models import OfficialAccount

from . import selectors
from .models import (
    FollowConfirmation,
    FollowRequirement,
    SpotCheck,
    SpotCheckKind,
    SpotCheckResult,
)

MISSING_KINDS = ("no_account", "not_confirmed")
MISSING_CSV_HEADER = ("staff_id", "full_name", "unit")
MISSING_PAGE_SIZE = 50
PLATFORM_ORDER = {p: i for i, p in enumerate(Platform.values)}


class ReportError(ValueError):
    """A filter that is not valid; the message says which and why."""


class OutOfScope(ReportError):
    """A unit the asker may not see (404, not 400)."""


# --- the tree and the rules, read once --------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    id: int
    path: str
    name: str
    parent_id: int | None


@dataclass
class Tree:
    units: dict[int, Unit]
    required: dict[int, frozenset[str]]  # unit → platforms required of its people
    accounts: list[OfficialAccount]  # must-follow, in a stable order
    audience: dict[int, set[int]]  # official account id → units in its audience
    facts: Facts | None = None  # filled by cached_tree
    # unit → the sums of its whole subtree (see Sums); filled by cached_tree
    subtotals: dict[int, Sums] = field(default_factory=dict)

    def children_of(self, unit_id: int | None) -> list[Unit]:
        return sorted(
            (u for u in self.units.values() if u.parent_id == unit_id), key=lambda u: u.path
        )

    def in_subtree(self, unit_id: int, top: Unit | None) -> bool:
        if top is None:
            return True
        path = self.units[unit_id].path
        return path == top.path or path.startswith(top.path + "/")


def load_tree() -> Tree:
    """The org tree, every unit's required platforms and every must-follow account's
    audience: three small queries (units, rules, audiences)."""
    units = {
        pk: Unit(pk, path, name, parent)
        for pk, path, name, parent in OrgUnit.objects.order_by("path").values_list(
            "pk", "path", "name", "parent_id"
        )
    }
    # The inheritance rule lives once, in selectors (the nearest unit with an entry).
    by_unit = selectors.required_platforms_by_unit()
    required = {
        pk: frozenset(p for p in by_unit.get(pk, []) if p in PLATFORM_ORDER) for pk in units
    }
    requirements = list(
        FollowRequirement.objects.filter(must_follow=True)
        .select_related("official_account")
        .prefetch_related("units")
        .order_by("official_account__platform", "official_account__handle")
    )
    accounts = [r.official_account for r in requirements]
    audience: dict[int, set[int]] = {}
    for requirement in requirements:
        chosen = {u.pk for u in requirement.units.all()}
        if not chosen:
            audience[requirement.official_account_id] = set(units)
            continue
        inside: set[int] = set()
        for unit in units.values():
            if unit.id in chosen or unit.parent_id in inside:
                inside.add(unit.id)
        audience[requirement.official_account_id] = inside
    return Tree(units=units, required=required, accounts=accounts, audience=audience)


@dataclass
class Facts:
    """Per-unit counts for the whole organisation, each from one GROUP BY (by the
    person's unit): active people; accounts and proven ones per platform; spot
    checks failed per platform (own accounts); standing confirmations per
    must-follow account; people spot-checked and failed per account."""

    people: dict[int, int]
    accounts: dict[tuple[int, str], tuple[int, int]]
    account_failures: dict[tuple[int, str], int]
    confirmed: dict[tuple[int, int], int]
    checked: dict[tuple[int, int], tuple[int, int]]
    counted_at: datetime.datetime


def load_facts(account_ids: list[int]) -> Facts:
    active = Q(user__is_active=True, user__unit__isnull=False)
    people = dict(
        User.objects.filter(is_active=True, unit__isnull=False)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    accounts = {
        (unit_id, platform): (n, proven)
        for unit_id, platform, n, proven in SocialAccount.objects.filter(active)
        .values("user__unit_id", "platform")
        .annotate(n=Count("id"), proven=Count("id", filter=Q(proof_status=ProofStatus.PROVEN)))
        .values_list("user__unit_id", "platform", "n", "proven")
    }
    account_failures = {
        (unit_id, platform): n
        for unit_id, platform, n in SpotCheck.objects.filter(
            active, kind=SpotCheckKind.ACCOUNT, result=SpotCheckResult.NOT_FOUND
        )
        .values("user__unit_id", "social_account__platform")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("user__unit_id", "social_account__platform", "n")
    }
    confirmed: dict[tuple[int, int], int] = {}
    checked: dict[tuple[int, int], tuple[int, int]] = {}
    if account_ids:
        confirmed = {
            (unit_id, account_id): n
            for unit_id, account_id, n in FollowConfirmation.objects.filter(
                active, following=True, official_account_id__in=account_ids
            )
            .values("user__unit_id", "official_account_id")
            .annotate(n=Count("id"))
            .values_list("user__unit_id", "official_account_id", "n")
        }
        checked = {
            (unit_id, account_id): (n, failed)
            for unit_id, account_id, n, failed in SpotCheck.objects.filter(
                active, kind=SpotCheckKind.FOLLOW, official_account_id__in=account_ids
            )
            .exclude(result=SpotCheckResult.PENDING)
            .values("user__unit_id", "official_account_id")
            .annotate(
                n=Count("user_id", distinct=True),
                failed=Count("user_id", filter=Q(result=SpotCheckResult.NOT_FOUND), distinct=True),
            )
            .values_list("user__unit_id", "official_account_id", "n", "failed")
        }
    return Facts(people, accounts, account_failures, confirmed, checked, timezone.now())


@dataclass
class Sums:
    """One unit's subtree, summed: people; per platform [required of, with an account,
    proven, spot checks failed]; per must-follow account [asked, confirmed, spot
    checked, spot checks failed]. Only where the rule applies (a platform not required
    of a unit's people adds nothing for them, nor an account outside the audience)."""

    people: int = 0
    platforms: dict[str, list[int]] = field(default_factory=dict)
    follows: dict[int, list[int]] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        self.people += other.people
        for mine, theirs in ((self.platforms, other.platforms), (self.follows, other.follows)):
            for key, numbers in theirs.items():
                into = mine.setdefault(key, [0, 0, 0, 0])
                for i, n in enumerate(numbers):
                    into[i] += n


def subtree_sums(tree: Tree, facts: Facts) -> dict[int, Sums]:
    """Every unit's own numbers, then rolled up the tree deepest first, so each unit
    holds its whole subtree: the report reads a row in one look-up whatever the size
    of the organisation (the cached counts are summed once, not per request)."""
    sums: dict[int, Sums] = {}
    for unit in tree.units.values():
        own = sums[unit.id] = Sums()
        n = facts.people.get(unit.id, 0)
        if not n:
            continue
        own.people = n
        for platform in tree.required[unit.id]:
            have, proven = facts.accounts.get((unit.id, platform), (0, 0))
            failed = facts.account_failures.get((unit.id, platform), 0)
            own.platforms[platform] = [n, have, proven, failed]
        for account in tree.accounts:
            if unit.id in tree.audience[account.pk]:
                spot, failed = facts.checked.get((unit.id, account.pk), (0, 0))
                confirmed = facts.confirmed.get((unit.id, account.pk), 0)
                own.follows[account.pk] = [n, confirmed, spot, failed]
    for unit in sorted(tree.units.values(), key=lambda u: u.path.count("/"), reverse=True):
        if unit.parent_id is not None and unit.parent_id in sums:
            sums[unit.parent_id].add(sums[unit.id])
    return sums


CACHE_KEY = "presence:report:v2"
GENERATION_KEY = "presence:report:generation"
STAMP_KEY = "presence:report:stamp"


def cache_seconds() -> int:
    return int(getattr(settings, "SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS", 60))


def cached_tree() -> Tree:
    """The tree, the rules and the whole organisation's per-unit facts, kept in the
    cache for SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS (0: never cached) and dropped at
    once when a person, unit, account, confirmation, spot check or rule is saved or
    deleted (``forget``, connected in presence.apps). Every reader then shares one
    computation; the report says when it was counted."""
    seconds = cache_seconds()
    if seconds <= 0:
        return _count_afresh()
    global _in_process
    shared = cache.get_many([GENERATION_KEY, STAMP_KEY])
    generation, stamp = shared.get(GENERATION_KEY, 0), shared.get(STAMP_KEY)
    held = _in_process
    if held is not None and stamp is not None and held[:2] == (generation, stamp):
        return held[2]  # this process already holds the current counts: no unpickling
    found = cache.get(CACHE_KEY)
    if found is not None and found[0] == generation and found[1] == stamp:
        tree = found[2]
    else:
        tree, stamp = _count_afresh(), secrets.token_hex(8)
        cache.set_many({CACHE_KEY: (generation, stamp, tree), STAMP_KEY: stamp}, seconds)
    _in_process = (generation, stamp, tree)
    return tree


# (generation, stamp, tree) of the last counts this process read. The shared copy is
# some hundreds of kilobytes to unpickle at 2,500 units; the small stamp says whether
# the copy held here is still the shared one (it goes when the shared copy expires).
_in_process: tuple[int, str, Tree] | None = None


def _count_afresh() -> Tree:
    tree = load_tree()
    tree.facts = load_facts([a.pk for a in tree.accounts])
    tree.subtotals = subtree_sums(tree, tree.facts)
    return tree


def forget(**_kwargs) -> None:
    """Signal receiver: the cached report is out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


# --- the report -------------------------------------------------------------------------------


@dataclass
class PlatformCell:
    platform: str
    required: int = 0  # people of whom it is required
    with_account: int = 0
    proven: int = 0
    spot_check_failed: int = 0

    @property
    def label(self) -> str:
        return Platform(self.platform).label

    @property
    def with_account_percent(self) -> float | None:
        return 100.0 * self.with_account / self.required if self.required else None

    @property
    def proven_percent(self) -> float | None:
        return 100.0 * self.proven / self.required if self.required else None


@dataclass
class FollowCell:
    official_account: OfficialAccount
    asked: int = 0  # people in its audience
    confirmed: int = 0
    spot_checked: int = 0
    spot_check_failed: int = 0

    @property
    def confirmed_percent(self) -> float | None:
        return 100.0 * self.confirmed / self.asked if self.asked else None


@dataclass
class Row:
    unit: Unit | None  # None: the whole organisation
    people: int = 0
    platforms: dict[str, PlatformCell] = field(default_factory=dict)
    follows: dict[int, FollowCell] = field(default_factory=dict)
    has_children: bool = False

    @property
    def platform_cells(self) -> list[PlatformCell]:
        return list(self.platforms.values())

    @property
    def follow_cells(self) -> list[FollowCell]:
        return list(self.follows.values())


@dataclass
class Report:
    top: Unit | None  # the unit drilled into; None: the whole organisation (HR)
    total: Row
    rows: list[Row]
    platforms: list[str]
    accounts: list[OfficialAccount]
    breadcrumb: list[Unit]
    platform_filter: str = ""
    counted_at: datetime.datetime | None = None


def _scope_unit(viewer: User, unit_param: str | int | None) -> OrgUnit | None:
    """The unit to report on: the one asked for (inside what the viewer may see), else
    the viewer's own for a manager, None (everyone) for HR."""
    if unit_param in (None, ""):
        if viewer.is_hr_admin:
            return None
        if viewer.role == Role.MANAGER and viewer.unit_id is not None:
            return viewer.unit
        raise OutOfScope(_("Only managers and HR admins see the compliance report."))
    text = str(unit_param).strip()
    if "\x00" in text:
        raise OutOfScope(_("There is no unit %(unit)s.") % {"unit": text.replace("\x00", "")})
    try:
        unit = (
            OrgUnit.objects.get(pk=int(text))
            if text.isascii() and text.isdigit() and len(text) < 19
            else OrgUnit.objects.get(path=text)
        )
    except OrgUnit.DoesNotExist:
        raise OutOfScope(_("There is no unit %(unit)s.") % {"unit": text}) from None
    if viewer.is_hr_admin:
        return unit
    own = viewer.unit if viewer.role == Role.MANAGER else None
    if own is None or not (unit.path == own.path or unit.path.startswith(own.subtree_prefix)):
        raise OutOfScope(_("The unit %(unit)s is outside what you may see.") % {"unit": text})
    return unit


def _platform_filter(value: str | None) -> str:
    value = (value or "").strip().lower()
    if value and value not in PLATFORM_ORDER:
        raise ReportError(
            _("platform must be one of %(choices)s.") % {"choices": ", ".join(Platform.values)}
        )
    return value


def build(viewer: User, *, unit=None, platform: str | None = None) -> Report:
    """The report for ``viewer`` at ``unit`` (id or path; default: everyone for HR, the
    manager's own unit). Rows: the unit itself (total) and each unit just below it.
    At most nine queries (the tree, the rules, the facts), none per unit; none at all
    while the cached counts are current."""
    top_unit = _scope_unit(viewer, unit)
    platform_filter = _platform_filter(platform)
    tree = cached_tree()
    top = tree.units[top_unit.pk] if top_unit is not None else None

    in_scope = [u for u in tree.units.values() if tree.in_subtree(u.id, top)]
    shown_platforms = sorted(
        {p for u in in_scope for p in tree.required[u.id]}, key=PLATFORM_ORDER.__getitem__
    )
    if platform_filter:
        shown_platforms = [p for p in shown_platforms if p == platform_filter] or [platform_filter]
    scope_ids = {u.id for u in in_scope}
    shown_accounts = [a for a in tree.accounts if tree.audience[a.pk] & scope_ids]
    with_children = {u.parent_id for u in tree.units.values()}

    def row_of(unit: Unit | None, sums: Iterable[Sums]) -> Row:
        summed = Sums()
        for part in sums:
            summed.add(part)
        row = Row(unit=unit, people=summed.people)
        for platform_ in shown_platforms:
            numbers = summed.platforms.get(platform_, (0, 0, 0, 0))
            row.platforms[platform_] = PlatformCell(platform_, *numbers)
        for account in shown_accounts:
            numbers = summed.follows.get(account.pk, (0, 0, 0, 0))
            row.follows[account.pk] = FollowCell(account, *numbers)
        row.has_children = unit is not None and unit.id in with_children
        return row

    roots = tree.children_of(None)
    total = row_of(top, [tree.subtotals[top.id]] if top else [tree.subtotals[u.id] for u in roots])
    total.has_children = False
    children = tree.children_of(top.id if top else None)
    if top is None and len(children) == 1:  # one head office: show the units below it
        children = tree.children_of(children[0].id) or children
    rows = [row_of(child, [tree.subtotals[child.id]]) for child in children]

    breadcrumb: list[Unit] = []
    node = top
    while node is not None:
        breadcrumb.insert(0, node)
        node = tree.units.get(node.parent_id) if node.parent_id else None
    if not viewer.is_hr_admin and viewer.unit_id in tree.units:
        own_depth = tree.units[viewer.unit_id].path.count("/")
        breadcrumb = [u for u in breadcrumb if u.path.count("/") >= own_depth]
    return Report(
        top=top,
        total=total,
        rows=rows,
        platforms=shown_platforms,
        accounts=shown_accounts,
        breadcrumb=breadcrumb,
        platform_filter=platform_filter,
        counted_at=tree.facts.counted_at,
    )


# --- who is missing ---------------------------------------------------------------------------


@dataclass
class MissingFilters:
    kind: str
    top: OrgUnit | None
    platform: str = ""
    official_account: OfficialAccount | None = None

    def query(self) -> dict[str, str]:
        params = {"kind": self.kind}
        if self.top is not None:
            params["unit"] = str(self.top.pk)
        if self.platform:
            params["platform"] = self.platform
        if self.official_account is not None:
            params["official_account"] = str(self.official_account.pk)
        return params

    @property
    def file_stem(self) -> str:
        what = self.platform or (
            f"{self.official_account.platform}-{self.official_account.handle}"
            if self.official_account
            else "all"
        )
        where = self.top.path.replace("/", "_").replace(" ", "-") if self.top else "all-units"
        return f"presence-{self.kind}-{what}-{where}"


def parse_missing(viewer: User, params) -> MissingFilters:
    kind = (params.get("kind") or "").strip()
    if kind not in MISSING_KINDS:
        raise ReportError(_("kind must be no_account or not_confirmed."))
    top = _scope_unit(viewer, params.get("unit"))
    platform = _platform_filter(params.get("platform"))
    account = None
    raw = (params.get("official_account") or "").strip()
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
            raise ReportError(_("official_account must be the id of an official account."))
        account = OfficialAccount.objects.filter(
            pk=int(raw), follow_requirement__must_follow=True
        ).first()
        if account is None:
            raise ReportError(
                _("official_account %(id)s is not an account people must follow.") % {"id": raw}
            )
    return MissingFilters(kind=kind, top=top, platform=platform, official_account=account)


def missing_people(filters: MissingFilters, tree: Tree | None = None) -> QuerySet[User]:
    """Active people in scope who have no account on a platform required of them
    (``no_account``) or who have not confirmed following a must-follow account in
    whose audience they are (``not_confirmed``); ``platform`` / ``official_account``
    narrow it to one. One query, ordered by unit and name."""
    tree = tree or cached_tree()
    top = tree.units[filters.top.pk] if filters.top is not None else None
    scope = {u.id for u in tree.units.values() if tree.in_subtree(u.id, top)}
    condition = Q(pk__in=[])
    if filters.kind == "no_account":
        platforms = [filters.platform] if filters.platform else list(Platform.values)
        for platform in platforms:
            units = [u for u in scope if platform in tree.required[u]]
            if not units:
                continue
            has = SocialAccount.objects.filter(user_id=OuterRef("pk"), platform=platform)
            condition |= Q(unit_id__in=units) & ~Exists(has)
    else:
        accounts = (
            [filters.official_account] if filters.official_account is not None else tree.accounts
        )
        for account in accounts:
            units = [u for u in scope if u in tree.audience.get(account.pk, ())]
            if not units:
                continue
            follows = FollowConfirmation.objects.filter(
                user_id=OuterRef("pk"), official_account_id=account.pk, following=True
            )
            condition |= Q(unit_id__in=units) & ~Exists(follows)
    return (
        User.objects.filter(is_active=True)
        .filter(condition)
        .order_by("unit__path", "full_name", "staff_id")
    )


def missing_rows(filters: MissingFilters):
    """(staff_id, full_name, unit path) rows, streamed from the database."""
    return missing_people(filters).values_list("staff_id", "full_name", "unit__path")
