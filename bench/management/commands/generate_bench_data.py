"""python manage.py generate_bench_data --staff N --shares M [--seed S] [--year Y]

A realistic organisation for ``make bench``, written straight into PostgreSQL
with COPY (never the ORM row by row): 100,000 staff and 5,000,000 shares take
a few minutes on two cores.

What it builds (the same for the same ``--seed``):

* an org tree four levels deep (Headquarters → divisions → departments →
  sections), one manager per unit, one HR admin, staff spread over the
  sections; everyone shares one precomputed password hash (BENCH_PASSWORD);
* social accounts on the platforms each person uses (facebook for most,
  threads for few), with handles that appear in their share URLs;
* ``--campaigns`` closed campaigns spread over KPI year ``--year`` (default:
  last year), windows of one to four weeks, most for everyone and some for
  one or two divisions or departments, each with an official post on
  facebook and on some of the other platforms; plus OPEN_CAMPAIGNS campaigns
  open today (posts on every platform, no shares yet) for benchmarks that log
  new shares;
* ``--shares`` shares of the year's campaigns: only campaigns in the person's
  audience, only on platforms that both the campaign and the person use, at
  most one per person, campaign and platform, a unique ``normalized_url``
  each, statuses ~80 % verified, 8 % pending, 7 % needs review, 4 % rejected,
  1 % removed, and ~3 % submitted a few days after the window closed.

It writes no verification attempts and nothing of scoring's: KPI scores and
dashboard counts are rebuilt from the shares by scoring's and dashboard's own commands.

The command owns its database: existing people, units, campaigns and shares
are removed first (TRUNCATE … CASCADE, which also empties the tables that
point at them; on a fresh database only the share table is truncated). On
big loads the share table's secondary indexes and
constraints are dropped during the COPY and rebuilt after it, all in the one
transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import OrgUnit, Platform, Role, SocialAccount, User
from bench import presence_data
from campaigns.models import (
    Campaign,
    CampaignPost,
    CampaignStatus,
    OfficialAccount,
    Share,
    ShareSource,
    ShareStatus,
)

BENCH_PASSWORD = "bench-password"
EMAIL_DOMAIN = "bench.example.org"
OPEN_CAMPAIGNS = 4
# From this many shares on, the share table's secondary indexes and
# constraints are dropped for the COPY and rebuilt afterwards (much faster
# than maintaining them row by row).
REBUILD_INDEXES_FROM = 50_000
ROWS_PER_CHUNK = 20_000
NULL = r"\N"  # COPY text format

PLATFORMS: tuple[str, ...] = tuple(Platform.values)  # bit i of a mask = PLATFORMS[i]
# How many staff use each platform (and so may share on it).
PLATFORM_USE = {
    "facebook": 0.92,
    "instagram": 0.55,
    "tiktok": 0.40,
    "x": 0.30,
    "youtube": 0.15,
    "linkedin": 0.25,
    "threads": 0.10,
}
# How often a campaign has an official post on each platform besides facebook.
CAMPAIGN_PLATFORM_ODDS = {
    "instagram": 0.6,
    "tiktok": 0.45,
    "x": 0.5,
    "youtube": 0.3,
    "linkedin": 0.3,
    "threads": 0.2,
}
STATUS_MIX = (
    (ShareStatus.VERIFIED, 80),
    (ShareStatus.PENDING, 8),
    (ShareStatus.NEEDS_REVIEW, 7),
    (ShareStatus.REJECTED, 4),
    (ShareStatus.REMOVED, 1),
)
STATUS_REASONS = {
    ShareStatus.VERIFIED: "",
    ShareStatus.PENDING: "",
    ShareStatus.NEEDS_REVIEW: "Inconclusive: the platform showed a login wall.",
    ShareStatus.REJECTED: "The post's author is not your registered account.",
    ShareStatus.REMOVED: "The post is no longer available (HTTP 404).",
}
SOURCE_MIX = (
    (ShareSource.FORM, 55),
    (ShareSource.SHARE_TARGET, 20),
    (ShareSource.BOOKMARKLET, 15),
    (ShareSource.API, 10),
)
LATE_SHARE_FRACTION = 0.03  # submitted 1 to 10 days after the window closed
INACTIVE_FRACTION = 0.02
# Tracking parameters that people's pasted links carry (dropped by normalisation).
TRACKING_SUFFIX = {
    "facebook": "?mibextid=Nif5oz",
    "instagram": "?igsh=MWQ1ZGUxMzBkMA==",
    "tiktok": "?is_from_webapp=1&sender_device=pc",
    "x": "?s=20",
    "youtube": "&si=Bench",
    "linkedin": "?utm_source=share&utm_medium=member_desktop",
    "threads": "?xmt=Bench",
}

FIRST_NAMES = (
    "Ahmad", "Aisyah", "Amir", "Aminah", "Azlan", "Chong", "Daniel", "Deepa", "Farah", "Faizal",
    "Hafiz", "Hana", "Hui", "Ling", "Ibrahim", "Irfan", "Jasmine", "Kamal", "Kavitha", "Kumar",
    "Lee", "Mei", "Muthu", "Nabila", "Nurul", "Priya", "Rahman", "Rajesh", "Rosli", "Sarah",
    "Siti", "Suresh", "Tan", "Wei", "Yusof", "Zainab", "Zul", "Arif", "Balqis", "Chandra",
    "Dina", "Elena", "Fatimah", "Ganesh", "Haslina", "Iskandar", "Jun", "Kok", "Lakshmi", "Mohd",
    "Nadia", "Omar", "Pooja", "Qistina", "Razak", "Salmah", "Teoh", "Umar", "Vani", "Wong",
    "Xin", "Yasmin", "Zaki",
)  # fmt: skip
LAST_NAMES = (
    "Abdullah", "Ismail", "Hassan", "Othman", "Yusof", "Rahman", "Ibrahim", "Ali", "Ahmad",
    "Osman", "Lim", "Tan", "Ng", "Wong", "Lee", "Chan", "Goh", "Ong", "Teo", "Chua",
    "Subramaniam", "Krishnan", "Raman", "Pillai", "Nair", "Muthusamy", "Singh", "Kaur",
    "Anthony", "Joseph",
)  # fmt: skip
DIVISION_NAMES = (
    "Finance",
    "Operations",
    "Communications",
    "Human Resources",
    "Information Technology",
    "Legal Affairs",
    "Customer Service",
    "Internal Audit",
    "Procurement",
    "Policy and Planning",
    "Research",
    "Corporate Affairs",
    "Enforcement",
    "Investigations",
    "Training Institute",
    "Northern Region",
    "Southern Region",
    "Eastern Region",
    "Central Region",
    "Sabah Office",
    "Sarawak Office",
)
DEPARTMENT_NAMES = (
    "Planning",
    "Digital",
    "Media Relations",
    "Payments",
    "Benefits",
    "Records",
    "Compliance",
    "Contracts",
    "Analytics",
    "Support",
    "Outreach",
    "Claims",
    "Registration",
    "Inspection",
    "Quality",
    "Administration",
    "Branch Network",
    "Projects",
)
CAMPAIGN_TOPICS = (
    "Chief Executive's New Year message",
    "Budget highlights",
    "New online services portal",
    "Contribution deadline reminder",
    "Hari Raya greetings",
    "Chinese New Year greetings",
    "Deepavali greetings",
    "Christmas greetings",
    "National Day celebration",
    "Malaysia Day message",
    "Scam awareness week",
    "Road safety campaign",
    "Flood relief assistance",
    "Employment insurance explained",
    "Customer service week",
    "Annual report released",
    "Mobile app launch",
    "Branch opening",
    "Health screening programme",
    "Retirement planning talk",
    "Anti-corruption pledge",
    "Green office initiative",
    "Youth job fair",
    "Disability benefits update",
)
OFFICIAL_HANDLES = {
    "facebook": "agency.official",
    "instagram": "agency.official",
    "tiktok": "agency.official",
    "x": "agency_official",
    "youtube": "agencyofficial",
    "linkedin": "agency-official",
    "threads": "agency.official",
}


# --- URLs and handles (shared with bench/) -------------------------------------------------


def handle_for(platform: str, first_name: str, user_id: int) -> str:
    """The handle of bench user ``user_id`` on ``platform``: unique per platform,
    valid where the platform restricts characters (X: letters, digits, _)."""
    first = first_name.lower()
    if platform == "x":
        return f"{first[:6]}_{user_id}"
    if platform in ("youtube", "linkedin"):
        return f"{first}{user_id}"
    return f"{first}.{user_id}"


def post_url(platform: str, handle: str, seq: int) -> str:
    """The normalised URL of post number ``seq`` by ``handle`` (what
    campaigns.platforms.parse makes of it). Numbers below 10**9 are bench data;
    benchmarks that log new shares use higher ones."""
    if platform == "facebook":
        return f"https://www.facebook.com/{handle}/posts/{10**15 + seq}"
    if platform == "instagram":
        return f"https://www.instagram.com/p/C{seq:010d}"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{handle}/video/{7 * 10**18 + seq}"
    if platform == "x":
        return f"https://x.com/{handle}/status/{18 * 10**17 + seq}"
    if platform == "youtube":
        return f"https://www.youtube.com/watch?v=Y{seq:010d}"
    if platform == "linkedin":
        return f"https://www.linkedin.com/feed/update/urn:li:activity:{71 * 10**17 + seq}"
    if platform == "threads":
        return f"https://www.threads.com/@{handle}/post/D{seq:010d}"
    raise ValueError(f"unknown platform {platform!r}")


def post_id(platform: str, seq: int) -> str:
    """The ``post_id`` campaigns.platforms.parse finds in :func:`post_url`."""
    return {
        "facebook": lambda: str(10**15 + seq),
        "instagram": lambda: f"C{seq:010d}",
        "tiktok": lambda: str(7 * 10**18 + seq),
        "x": lambda: str(18 * 10**17 + seq),
        "youtube": lambda: f"Y{seq:010d}",
        "linkedin": lambda: str(71 * 10**17 + seq),
        "threads": lambda: f"D{seq:010d}",
    }[platform]()


def profile_url(platform: str, handle: str) -> str:
    return {
        "facebook": f"https://www.facebook.com/{handle}",
        "instagram": f"https://www.instagram.com/{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
        "x": f"https://x.com/{handle}",
        "youtube": f"https://www.youtube.com/@{handle}",
        "linkedin": f"https://www.linkedin.com/in/{handle}",
        "threads": f"https://www.threads.com/@{handle}",
    }[platform]


# --- COPY plumbing ---------------------------------------------------------------------------


def copy_value(value) -> str:
    """A Python value in COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    if any(ch in text for ch in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class ChunkReader:
    """A file-like ``read()`` over an iterator of byte chunks, for copy_expert.
    Generation runs as PostgreSQL asks for data, so Python makes the next chunk
    while the server stores the last one (two cores both busy)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._view = memoryview(b"")
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        while self._pos >= len(self._view):
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._view, self._pos = memoryview(chunk), 0
        end = len(self._view) if size is None or size < 0 else self._pos + size
        data = self._view[self._pos : end].tobytes()
        self._pos += len(data)
        return data

    readline = read


@dataclass
class Table:
    """A model's table and the COPY column list: the columns we fill, then any
    column added to the model since (filled with its default), so new fields
    with defaults do not break the generator."""

    model: type[models.Model]
    columns: list[str]
    extra_columns: list[str] = field(default_factory=list)
    extra_suffix: str = ""  # "\t<default>\t<default>…" appended to every row

    @classmethod
    def of(cls, model: type[models.Model], columns: Sequence[str]) -> Table:
        now = timezone.now()
        known = set(columns)
        extra_columns, extra_values = [], []
        for model_field in model._meta.concrete_fields:
            if model_field.column in known:
                continue
            if model_field.has_default():
                value = model_field.get_default()
            elif getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = now
            elif model_field.null:
                value = None
            elif isinstance(model_field, models.CharField | models.TextField | models.FileField):
                value = ""
            else:
                raise CommandError(
                    f"{model.__name__}.{model_field.name} is new and has no default: "
                    "teach generate_bench_data what to put in it."
                )
            if isinstance(value, models.Model):
                value = value.pk
            extra_columns.append(model_field.column)
            extra_values.append(copy_value(value))
        suffix = "".join("\t" + value for value in extra_values)
        return cls(model, list(columns), extra_columns, suffix)

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def copy(self, cursor, rows: Iterable[str], *, freeze: bool = False) -> int:
        """COPY rows (text format, tab-separated, no trailing newline) in chunks."""
        counter = [0]
        suffix = self.extra_suffix + "\n"

        def chunks() -> Iterator[bytes]:
            batch: list[str] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= ROWS_PER_CHUNK:
                    counter[0] += len(batch)
                    yield (suffix.join(batch) + suffix).encode()
                    batch = []
            if batch:
                counter[0] += len(batch)
                yield (suffix.join(batch) + suffix).encode()

        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns + self.extra_columns)
        options = " (FREEZE)" if freeze else ""
        # The raw psycopg2 cursor: Django's debug wrapper (DJANGO_DEBUG=on) does not
        # pass copy_expert's size argument through.
        raw = getattr(cursor, "cursor", cursor)
        raw.copy_expert(
            f"COPY {connection.ops.quote_name(self.name)} ({columns}) FROM STDIN{options}",
            ChunkReader(chunks()),
            size=1 << 20,
        )
        return counter[0]


def pg_time(epoch: float, _gmtime=time.gmtime, _strftime=time.strftime) -> str:
    return _strftime("%Y-%m-%d %H:%M:%S+00", _gmtime(epoch))


# --- the organisation ------------------------------------------------------------------------


@dataclass
class UnitPlan:
    id: int
    name: str
    parent: UnitPlan | None
    depth: int
    children: list[UnitPlan] = field(default_factory=list)
    manager_id: int = 0

    @property
    def path(self) -> str:
        return self.name if self.parent is None else f"{self.parent.path}/{self.name}"

    def ancestors(self) -> list[UnitPlan]:
        """Itself and every unit above it."""
        chain, unit = [], self
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


@dataclass
class CampaignPlan:
    id: int
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    platform_mask: int
    target_units: list[UnitPlan]
    start_epoch: float = 0.0
    window_seconds: float = 0.0


def _names(base: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """``count`` distinct names, drawn from ``base`` then numbered."""
    picked = rng.sample(list(base), min(count, len(base)))
    for n in range(len(picked), count):
        picked.append(f"{base[n % len(base)]} {n // len(base) + 1}")
    return picked


def build_units(staff: int, rng: random.Random) -> list[UnitPlan]:
    """Headquarters → divisions → departments → sections, about 40 people a section."""
    branching = max(2, round(max(1, staff // 40) ** (1 / 3)))
    root = UnitPlan(1, "Headquarters", None, 0)
    units = [root]

    def add_children(parent: UnitPlan, names: Sequence[str]) -> None:
        for name in names:
            child = UnitPlan(len(units) + 1, name, parent, parent.depth + 1)
            parent.children.append(child)
            units.append(child)

    def fan_out() -> int:
        spread = max(0, branching // 3)
        return rng.randint(max(2, branching - spread), branching + spread)

    add_children(root, _names(DIVISION_NAMES, fan_out(), rng))
    for division in list(root.children):
        add_children(division, _names(DEPARTMENT_NAMES, fan_out(), rng))
        for department in division.children:
            count = fan_out()
            add_children(department, [f"Section {chr(65 + n)}" for n in range(min(count, 26))])
    return units


# --- the command -------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Fill this (bench-only) PostgreSQL database with a realistic organisation, "
        "campaigns and shares, by COPY. Replaces whatever people, units, campaigns and "
        "shares it already holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, required=True, help="People (at least 50).")
        parser.add_argument("--shares", type=int, required=True, help="Shares in the KPI year.")
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same data.")
        parser.add_argument(
            "--year", type=int, default=None, help="KPI year of the shares (default: last year)."
        )
        parser.add_argument("--campaigns", type=int, default=100, help="Campaigns in the year.")
        parser.add_argument(
            "--presence",
            action="store_true",
            help="Also social presence: proofs, required platforms, must-follow accounts, "
            "follow confirmations, spot checks, follower snapshots and a follow drive "
            "(bench/presence_data.py).",
        )

    def handle(self, *args, staff, shares, seed, year, campaigns, presence=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_bench_data writes with PostgreSQL's COPY and needs a PostgreSQL "
                f"database (this one is {connection.vendor}); set DATABASE_URL=postgres://…"
            )
        today = timezone.localdate()
        year = year or today.year - 1
        if year >= today.year:
            raise CommandError(f"--year must be a past year (before {today.year}).")
        if staff < 50:
            raise CommandError("--staff must be at least 50.")
        if shares < 0 or campaigns < 1:
            raise CommandError("--shares must be ≥ 0 and --campaigns ≥ 1.")
        self.verbosity = options.get("verbosity", 1)
        self.rng = random.Random(seed)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.year = year
        self.today = today
        self.presence = presence
        self.presence_counts: dict[str, int] = {}
        started = time.monotonic()

        self.plan_org(staff)
        self.plan_campaigns(campaigns)
        self.plan_shares(shares)
        self.say(f"planned in {time.monotonic() - started:.1f}s")

        outermost = not connection.in_atomic_block
        with transaction.atomic():
            self.write_all(freeze=outermost)
        self.analyze(vacuum=outermost)
        self.say(
            f"{staff} staff, {len(self.units)} units, {len(self.campaigns)} campaigns, "
            f"{shares} shares"
            + "".join(f", {n} {kind}" for kind, n in self.presence_counts.items())
            + f" in {time.monotonic() - started:.1f}s (year {year}, seed {seed}); "
            f"password of every user: {BENCH_PASSWORD}",
            always=True,
        )

    def say(self, message: str, *, always: bool = False) -> None:
        if always or self.verbosity >= 2:
            self.stdout.write(message)

    # -- planning (in memory, no database) ------------------------------------------------

    def plan_org(self, staff: int) -> None:
        rng = self.rng
        self.units = build_units(staff, rng)
        leaves = [u for u in self.units if not u.children]
        # ids: 1 = HR admin, then one manager per unit, then staff.
        user_unit = [0] * (staff + 1)  # index = user id
        user_manager = [0] * (staff + 1)
        user_role = [Role.STAFF] * (staff + 1)
        user_role[1] = Role.HR_ADMIN
        user_unit[1] = self.units[0].id
        next_id = 2
        for unit in self.units:
            if next_id > staff:
                break
            unit.manager_id = next_id
            user_unit[next_id] = unit.id
            user_role[next_id] = Role.MANAGER
            next_id += 1
        for unit in self.units:
            if not unit.manager_id:  # fewer people than units: borrow the parent's manager
                unit.manager_id = unit.parent.manager_id
        for unit in self.units:
            if unit.parent is not None and unit.manager_id != unit.parent.manager_id:
                user_manager[unit.manager_id] = unit.parent.manager_id
        user_manager[1] = self.units[0].manager_id
        weights = list(accumulate(rng.uniform(0.5, 1.5) for _ in leaves))
        for user_id in range(next_id, staff + 1):
            unit = leaves[bisect_right(weights, rng.random() * weights[-1])]
            user_unit[user_id] = unit.id
            user_manager[user_id] = unit.manager_id
        self.staff = staff
        self.user_unit, self.user_manager, self.user_role = user_unit, user_manager, user_role
        self.user_first = [rng.randrange(len(FIRST_NAMES)) for _ in range(staff + 1)]
        self.user_last = [rng.randrange(len(LAST_NAMES)) for _ in range(staff + 1)]
        use = [PLATFORM_USE[p] for p in PLATFORMS]
        self.user_mask = bytearray(
            sum(1 << i for i, odds in enumerate(use) if rng.random() < odds)
            for _ in range(staff + 1)
        )
        self.unit_by_id = {u.id: u for u in self.units}

    def plan_campaigns(self, count: int) -> None:
        rng, year = self.rng, self.year
        first_day = datetime.date(year, 1, 1)
        days = (datetime.date(year, 12, 31) - first_day).days
        targetable = [u for u in self.units if u.depth in (1, 2)]
        campaigns = []
        for n in range(count):
            start = first_day + datetime.timedelta(
                days=min(days, int(n * days / count + rng.uniform(0, days / count)))
            )
            end = min(
                start + datetime.timedelta(days=rng.randint(7, 28) - 1),
                datetime.date(year, 12, 31),
            )
            mask = 1 << PLATFORMS.index("facebook")
            for platform, odds in CAMPAIGN_PLATFORM_ODDS.items():
                if rng.random() < odds:
                    mask |= 1 << PLATFORMS.index(platform)
            targets = rng.sample(targetable, rng.randint(1, 2)) if rng.random() < 0.3 else []
            topic = CAMPAIGN_TOPICS[n % len(CAMPAIGN_TOPICS)]
            title = f"{topic} ({start:%B} {year})"
            campaigns.append(
                CampaignPlan(n + 1, title, start, end, CampaignStatus.CLOSED, mask, targets)
            )
        all_platforms = (1 << len(PLATFORMS)) - 1
        for n in range(OPEN_CAMPAIGNS):
            start = self.today - datetime.timedelta(days=7 + n)
            end = self.today + datetime.timedelta(days=14 + n)
            targets = [rng.choice(targetable)] if n == OPEN_CAMPAIGNS - 1 else []
            campaigns.append(
                CampaignPlan(
                    count + n + 1,
                    f"Open now: {CAMPAIGN_TOPICS[n]} ({n + 1})",
                    start,
                    end,
                    CampaignStatus.ACTIVE,
                    all_platforms,
                    targets,
                )
            )
        for campaign in campaigns:
            start = datetime.datetime.combine(campaign.starts_on, datetime.time(), self.zone)
            end = datetime.datetime.combine(
                campaign.ends_on + datetime.timedelta(days=1), datetime.time(), self.zone
            )
            campaign.start_epoch = start.timestamp()
            campaign.window_seconds = (end - start).total_seconds()
        self.campaigns = campaigns
        self.year_campaigns = campaigns[:count]

    def plan_shares(self, total: int) -> None:
        """Who shares which campaign on which platform: per person, a number of
        shares (most about the average, some none, some many), then that many
        distinct (campaign, platform) pairs from what is open to them."""
        rng = self.rng
        year_campaigns = self.year_campaigns
        combo_cache: dict[tuple[int, int], list[int]] = {}
        eligible_cache: dict[int, tuple[int, ...]] = {}
        platform_bits = [[i for i in range(len(PLATFORMS)) if mask >> i & 1] for mask in range(128)]

        def eligible(unit_id: int) -> tuple[int, ...]:
            if unit_id not in eligible_cache:
                above = {u.id for u in self.unit_by_id[unit_id].ancestors()}
                eligible_cache[unit_id] = tuple(
                    index
                    for index, c in enumerate(year_campaigns)
                    if not c.target_units or any(t.id in above for t in c.target_units)
                )
            return eligible_cache[unit_id]

        def combos(user_id: int) -> list[int]:
            """(campaign index << 3 | platform index) pairs open to the person."""
            campaigns = eligible(self.user_unit[user_id])
            key = (id(campaigns), self.user_mask[user_id])
            if key not in combo_cache:
                mask = self.user_mask[user_id]
                combo_cache[key] = [
                    index << 3 | bit
                    for index in campaigns
                    for bit in platform_bits[year_campaigns[index].platform_mask & mask]
                ]
            return combo_cache[key]

        users = range(1, self.staff + 1)
        capacity = [0] + [len(combos(u)) for u in users]
        if sum(capacity) < total:
            raise CommandError(
                f"{total} shares do not fit: {self.staff} staff have only {sum(capacity)} "
                "(campaign, platform) pairs open to them. Give more --staff or --campaigns."
            )
        weights = [0.0] + [
            0.0 if rng.random() < 0.06 else rng.lognormvariate(0, 0.7) for _ in users
        ]
        scale = total / sum(weights)
        wanted = [min(capacity[u], int(weights[u] * scale)) for u in range(self.staff + 1)]
        missing = total - sum(wanted)
        order = list(users)
        while missing > 0:
            rng.shuffle(order)
            room = [u for u in order if wanted[u] < capacity[u]]
            step = max(1, math.ceil(missing / len(room)))
            for u in room:
                extra = min(step, capacity[u] - wanted[u], missing)
                wanted[u] += extra
                missing -= extra
                if missing == 0:
                    break

        self.bucket_staff = [[] for _ in year_campaigns]
        self.bucket_platform = [bytearray() for _ in year_campaigns]
        for u in users:
            if wanted[u]:
                for combo in rng.sample(combos(u), wanted[u]):
                    self.bucket_staff[combo >> 3].append(u)
                    self.bucket_platform[combo >> 3].append(combo & 7)
        self.total_shares = total

    # -- writing -------------------------------------------------------------------------------

    def write_all(self, *, freeze: bool) -> None:
        with connection.cursor() as cursor:
            self.clear(cursor)
            # Before any row is written: ALTER TABLE refuses tables with pending
            # (deferred) foreign-key checks, and the share table's FKs touch users
            # and campaigns too.
            rebuild = self.total_shares >= REBUILD_INDEXES_FROM
            saved = self.drop_share_indexes(cursor) if rebuild else None
            step = time.monotonic()
            self.write_org(cursor)
            self.write_campaigns(cursor)
            self.say(f"org and campaigns written in {time.monotonic() - step:.1f}s")
            step = time.monotonic()
            self.write_shares(cursor, freeze=freeze)
            self.say(f"{self.total_shares} shares copied in {time.monotonic() - step:.1f}s")
            if saved is not None:
                step = time.monotonic()
                self.restore_share_indexes(cursor, saved)
                self.say(f"share indexes rebuilt in {time.monotonic() - step:.1f}s")
            if self.presence:
                step = time.monotonic()
                self.presence_counts = presence_data.write(
                    self, cursor, table_of=Table.of, pg_time=pg_time, platforms=PLATFORMS
                )
                for model in presence_data.PRESENCE_MODELS:
                    self.reset_sequence(cursor, model._meta.db_table)
                self.say(f"presence data written in {time.monotonic() - step:.1f}s")
            for model in (OrgUnit, User, SocialAccount, OfficialAccount, Campaign, CampaignPost):
                self.reset_sequence(cursor, model._meta.db_table)
            self.reset_sequence(cursor, Campaign.units.through._meta.db_table)
            self.reset_sequence(cursor, Share._meta.db_table)

    def clear(self, cursor) -> None:
        """Empty our tables. On a fresh database only the share table is
        truncated (which lets COPY … FREEZE skip a later vacuum), so rows that
        migrations put in other tables (settings, policies) survive."""
        ours = [
            Share,
            CampaignPost,
            Campaign.units.through,
            Campaign,
            OfficialAccount,
            SocialAccount,
            User,
            OrgUnit,
        ]
        tables = [model._meta.db_table for model in ours]
        # TRUNCATE and ALTER TABLE refuse tables with deferred foreign-key checks
        # still pending (earlier writes in an enclosing transaction): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        cursor.execute(
            " UNION ALL ".join(
                f"(SELECT 1 FROM {connection.ops.quote_name(t)} LIMIT 1)" for t in tables
            )
        )
        if cursor.fetchone() is None:
            cursor.execute(f"TRUNCATE {connection.ops.quote_name(Share._meta.db_table)} CASCADE")
            return
        self.say("replacing the previous data (TRUNCATE … CASCADE)", always=True)
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")

    def reset_sequence(self, cursor, table: str) -> None:
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "
            f"MAX(id) IS NOT NULL) FROM {quoted}",
            [quoted],
        )

    def write_org(self, cursor) -> None:
        rng = self.rng
        units = Table.of(OrgUnit, ["id", "name", "parent_id", "path", "depth"])
        units.copy(
            cursor,
            (
                f"{u.id}\t{u.name}\t{u.parent.id if u.parent else NULL}\t{u.path}\t{u.depth}"
                for u in self.units
            ),
        )
        password = make_password(BENCH_PASSWORD)
        joined_from = datetime.datetime(self.year - 12, 1, 1, tzinfo=self.zone).timestamp()
        joined_span = datetime.datetime(self.year, 1, 1, tzinfo=self.zone).timestamp() - joined_from
        users = Table.of(
            User,
            [
                "id", "password", "last_login", "is_superuser", "staff_id", "full_name",
                "email", "unit_id", "manager_id", "role", "is_active", "date_joined",
            ],
        )  # fmt: skip

        def user_rows() -> Iterator[str]:
            for u in range(1, self.staff + 1):
                staff_id = staff_id_for(u)
                first = FIRST_NAMES[self.user_first[u]]
                name = f"{first} {LAST_NAMES[self.user_last[u]]}"
                active = "f" if u > 1 and rng.random() < INACTIVE_FRACTION else "t"
                manager = self.user_manager[u] or r"\N"
                joined = pg_time(joined_from + rng.random() * joined_span)
                yield (
                    f"{u}\t{password}\t\\N\tf\t{staff_id}\t{name}\t"
                    f"{staff_id.lower()}@{EMAIL_DOMAIN}\t{self.user_unit[u]}\t{manager}\t"
                    f"{self.user_role[u]}\t{active}\t{joined}"
                )

        users.copy(cursor, user_rows())
        accounts = Table.of(
            SocialAccount, ["id", "user_id", "platform", "handle", "profile_url", "created_at"]
        )
        created = pg_time(joined_from + joined_span)

        def account_rows() -> Iterator[str]:
            account_id = 0
            for u in range(1, self.staff + 1):
                mask = self.user_mask[u]
                first = FIRST_NAMES[self.user_first[u]]
                for bit, platform in enumerate(PLATFORMS):
                    if mask >> bit & 1:
                        account_id += 1
                        handle = handle_for(platform, first, u)
                        yield (
                            f"{account_id}\t{u}\t{platform}\t{handle}\t"
                            f"{profile_url(platform, handle)}\t{created}"
                        )

        accounts.copy(cursor, account_rows())

    def write_campaigns(self, cursor) -> None:
        created = pg_time(datetime.datetime(self.year, 1, 1, tzinfo=self.zone).timestamp())
        hr = 1
        official = Table.of(
            OfficialAccount,
            ["id", "platform", "handle", "name", "profile_url", "created_by_id", "created_at",
             "updated_at"],
        )  # fmt: skip
        official.copy(
            cursor,
            (
                f"{n}\t{p}\t{OFFICIAL_HANDLES[p]}\tChief Executive\t"
                f"{profile_url(p, OFFICIAL_HANDLES[p])}\t{hr}\t{created}\t{created}"
                for n, p in enumerate(PLATFORMS, 1)
            ),
        )
        table = Table.of(
            Campaign,
            ["id", "title", "description", "starts_on", "ends_on", "status", "created_by_id",
             "created_at", "updated_at"],
        )  # fmt: skip
        table.copy(
            cursor,
            (
                f"{c.id}\t{c.title}\tPlease share the official post on your own accounts.\t"
                f"{c.starts_on}\t{c.ends_on}\t{c.status}\t{hr}\t"
                f"{pg_time(c.start_epoch - 3 * 86400)}\t{pg_time(c.start_epoch - 86400)}"
                for c in self.campaigns
            ),
        )
        through = Campaign.units.through
        audience = Table.of(through, ["id", "campaign_id", "orgunit_id"])
        audience.copy(
            cursor,
            (
                f"{n}\t{campaign_id}\t{unit_id}"
                for n, (campaign_id, unit_id) in enumerate(
                    ((c.id, t.id) for c in self.campaigns for t in c.target_units), 1
                )
            ),
        )
        posts = Table.of(
            CampaignPost,
            ["id", "campaign_id", "url", "normalized_url", "platform", "official_account_id",
             "created_at"],
        )  # fmt: skip

        def post_rows() -> Iterator[str]:
            post_number = 0
            for c in self.campaigns:
                for bit, platform in enumerate(PLATFORMS):
                    if c.platform_mask >> bit & 1:
                        post_number += 1
                        # Official posts are numbered from 2*10**9, apart from shares.
                        url = post_url(platform, OFFICIAL_HANDLES[platform], 2 * 10**9 + c.id)
                        yield (
                            f"{post_number}\t{c.id}\t{url}\t{url}\t{platform}\t{bit + 1}\t"
                            f"{pg_time(c.start_epoch - 86400)}"
                        )

        posts.copy(cursor, post_rows())

    def share_rows(self) -> Iterator[str]:
        """One text-format row per share, campaign after campaign (so the table's
        physical order follows time, as a real append-only table's would)."""
        rng = self.rng
        statuses = [s for s, _ in STATUS_MIX]
        status_cum = list(accumulate(w for _, w in STATUS_MIX))
        sources = [s for s, _ in SOURCE_MIX]
        source_cum = list(accumulate(w for _, w in SOURCE_MIX))
        reasons = {s: STATUS_REASONS[s] for s in statuses}
        handle_makers = [lambda first, u, p=p: handle_for(p, first, u) for p in PLATFORMS]
        url_makers = [lambda handle, seq, p=p: post_url(p, handle, seq) for p in PLATFORMS]
        id_makers = [lambda seq, p=p: post_id(p, seq) for p in PLATFORMS]
        suffixes = [TRACKING_SUFFIX[p] for p in PLATFORMS]
        checked_statuses = {
            ShareStatus.VERIFIED,
            ShareStatus.NEEDS_REVIEW,
            ShareStatus.REJECTED,
            ShareStatus.REMOVED,
        }
        verified_statuses = {ShareStatus.VERIFIED, ShareStatus.REMOVED}
        handle_platforms = {PLATFORMS.index(p) for p in ("facebook", "tiktok", "x", "threads")}
        user_first = self.user_first
        random_ = rng.random
        share_id = 0
        for index, campaign in enumerate(self.year_campaigns):
            staff = self.bucket_staff[index]
            platforms_ = self.bucket_platform[index]
            n = len(staff)
            if not n:
                continue
            status_list = rng.choices(statuses, cum_weights=status_cum, k=n)
            source_list = rng.choices(sources, cum_weights=source_cum, k=n)
            start, window = campaign.start_epoch, campaign.window_seconds
            late_from = start + window
            for j in range(n):
                share_id += 1
                u = staff[j]
                p = platforms_[j]
                status = status_list[j]
                handle = handle_makers[p](FIRST_NAMES[user_first[u]], u)
                normalized = url_makers[p](handle, share_id)
                url = normalized + suffixes[p] if random_() < 0.2 else normalized
                author = handle if p in handle_platforms else ""
                if random_() < LATE_SHARE_FRACTION:
                    submitted_epoch = late_from + random_() * 10 * 86400
                else:
                    # Most people share in the first days of the window.
                    submitted_epoch = start + random_() ** 2 * window
                submitted = pg_time(submitted_epoch)
                if status in checked_statuses:
                    checked = pg_time(submitted_epoch + 30 + random_() * 600)
                    verified = checked if status in verified_statuses else r"\N"
                    updated = checked
                else:
                    checked = verified = r"\N"
                    updated = submitted
                yield (
                    f"{share_id}\t{u}\t{campaign.id}\t{url}\t{normalized}\t\t"
                    f"{PLATFORMS[p]}\t{id_makers[p](share_id)}\t{author}\t{status}\t"
                    f"{reasons[status]}\t{source_list[j]}\t{submitted}\t{verified}\t{checked}\t"
                    f"\t{submitted}\t{updated}"
                )

    def write_shares(self, cursor, *, freeze: bool) -> None:
        table = Table.of(
            Share,
            ["id", "staff_id", "campaign_id", "url", "normalized_url", "short_url", "platform",
             "post_id", "author_handle", "status", "status_reason", "source", "submitted_at",
             "verified_at", "last_checked_at", "screenshot", "created_at", "updated_at"],
        )  # fmt: skip
        copied = table.copy(cursor, self.share_rows(), freeze=freeze)
        if copied != self.total_shares:
            raise CommandError(f"copied {copied} shares, planned {self.total_shares}")

    # -- share table indexes ------------------------------------------------------------------

    def drop_share_indexes(self, cursor) -> tuple[list[str], list[str]]:
        """Drop the share table's secondary indexes and its unique and foreign-key
        constraints; return the SQL that recreates them."""
        table = Share._meta.db_table
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid), contype
            FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
            ORDER BY contype DESC, conname
            """,
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                              AND c.conrelid = x.indrelid)
            ORDER BY i.relname
            """,
            [table],
        )
        indexes = cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        for name, _definition, _kind in constraints:
            cursor.execute(
                f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        recreate_indexes = [definition for _name, definition in indexes]
        recreate_constraints = [
            f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            for name, definition, _kind in constraints
        ]
        return recreate_indexes, recreate_constraints

    def restore_share_indexes(self, cursor, saved: tuple[list[str], list[str]]) -> None:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        indexes, constraints = saved
        for statement in [*indexes, *constraints]:
            cursor.execute(statement)

    def analyze(self, *, vacuum: bool) -> None:
        """Fresh planner statistics (and, outside a transaction, the visibility map)."""
        step = time.monotonic()
        tables = [
            m._meta.db_table for m in (OrgUnit, User, SocialAccount, Campaign, CampaignPost, Share)
        ] + [Campaign.units.through._meta.db_table]
        if self.presence:
            tables += [m._meta.db_table for m in presence_data.PRESENCE_MODELS]
        command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
        self.say(f"{command} in {time.monotonic() - step:.1f}s")


def staff_id_for(user_id: int) -> str:
    """The staff_id of bench user ``user_id``."""
    return f"B{user_id:07d}"


__all__ = [
    "BENCH_PASSWORD",
    "OPEN_CAMPAIGNS",
    "Command",
    "handle_for",
    "post_id",
    "post_url",
    "staff_id_for",
]
