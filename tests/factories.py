"""Test data for every app's tests.

    make_unit("Headquarters/Communications/Digital")   # the whole chain, get-or-create
    UserFactory()                                      # staff in "Headquarters", password "pw"
    UserFactory(role=Role.MANAGER, unit="Headquarters/Communications")
    UserFactory(password=None)                         # unusable password
    HrAdminFactory(), ManagerFactory(unit=...), SocialAccountFactory(user=...)

    make_campaign()                       # active, yesterday..+30 days, everyone, one Facebook post
    make_campaign("Comms week", units=("HQ/Comms",), posts=(FB_POST, X_POST))
    make_campaign("Last month", starts_on=days_from_today(-40), ends_on=days_from_today(-10))
    make_share(alice, campaign, "https://x.com/alice/status/1", status=ShareStatus.VERIFIED)

``unit`` (and ``units``) accept an OrgUnit or a path string. Passwords are
hashed once per distinct password and reused, so creating many users stays
fast. Campaign posts and shares get their platform and normalised URL from
campaigns.platforms.parse, as the services would; ``days_from_today`` counts
from the organisation's local date (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cache

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import UNIT_SEPARATOR, OrgUnit, Platform, Role, SocialAccount, User
from campaigns import platforms
from campaigns.models import Campaign, CampaignPost, CampaignStatus, Share

DEFAULT_PASSWORD = "pw"
DEFAULT_UNIT = "Headquarters"
DEFAULT_CAMPAIGN_POST = "https://www.facebook.com/agency/posts/1001"


def make_unit(path: str) -> OrgUnit:
    """The unit at ``path``, creating it and every missing unit above it."""
    parent = None
    for name in (segment.strip() for segment in path.split(UNIT_SEPARATOR)):
        full_path = f"{parent.path}{UNIT_SEPARATOR}{name}" if parent else name
        parent, _ = OrgUnit.objects.get_or_create(
            path=full_path,
            defaults={"name": name, "parent": parent, "depth": parent.depth + 1 if parent else 0},
        )
    if parent is None:
        raise ValueError("make_unit needs a non-empty path")
    return parent


@cache
def _hashed(password: str, hashers: tuple[str, ...]) -> str:
    return make_password(password)


def hashed_password(password: str | None) -> str:
    """A password hash, computed once per password (and hasher setting)."""
    if password is None:
        return make_password(None)
    return _hashed(password, tuple(settings.PASSWORD_HASHERS))


class OrgUnitFactory(DjangoModelFactory):
    """``OrgUnitFactory()`` makes a top-level unit; ``OrgUnitFactory(parent=unit)``
    a child. For a whole path use ``make_unit``."""

    class Meta:
        model = OrgUnit
        django_get_or_create = ("path",)

    name = factory.Sequence(lambda n: f"Unit {n}")
    parent = None
    path = factory.LazyAttribute(
        lambda o: f"{o.parent.path}{UNIT_SEPARATOR}{o.name}" if o.parent else o.name
    )
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    staff_id = factory.Sequence(lambda n: f"T{n:05d}")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.staff_id.lower()}@example.com")
    unit = DEFAULT_UNIT
    manager = None
    role = Role.STAFF
    is_active = True
    password = DEFAULT_PASSWORD

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("unit"), str):
            kwargs["unit"] = make_unit(kwargs["unit"])
        kwargs["password"] = hashed_password(kwargs.get("password"))
        return kwargs


class StaffFactory(UserFactory):
    role = Role.STAFF


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class HrAdminFactory(UserFactory):
    role = Role.HR_ADMIN


class SocialAccountFactory(DjangoModelFactory):
    class Meta:
        model = SocialAccount

    user = factory.SubFactory(UserFactory)
    platform = Platform.FACEBOOK
    handle = factory.Sequence(lambda n: f"handle{n}")
    profile_url = factory.LazyAttribute(lambda o: f"https://www.facebook.com/{o.handle}")


def days_from_today(days: int) -> datetime.date:
    """The organisation's local date ``days`` from today (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=days)


def make_campaign(
    title: str = "Budget day",
    *,
    posts: Iterable[str] = (DEFAULT_CAMPAIGN_POST,),
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    status: str = CampaignStatus.ACTIVE,
    units: Iterable[OrgUnit | str] = (),
    **fields,
) -> Campaign:
    """A campaign open from yesterday to 30 days on (unless given), for ``units``
    (none: everyone), with an official post for each URL in ``posts``. Other
    Campaign fields (description, created_by, ...) pass through."""
    campaign = Campaign.objects.create(
        title=title,
        status=status,
        starts_on=days_from_today(-1) if starts_on is None else starts_on,
        ends_on=days_from_today(30) if ends_on is None else ends_on,
        **fields,
    )
    if units:
        campaign.units.set([make_unit(u) if isinstance(u, str) else u for u in units])
    for url in posts:
        parsed = platforms.parse(url)
        CampaignPost.objects.create(
            campaign=campaign, url=url, **CampaignPost.parsed_fields(parsed)
        )
    return campaign


def make_share(staff: User, campaign: Campaign, url: str, **fields) -> Share:
    """A share of ``url`` arranged directly, as if logged earlier (no service
    rules, no verification queued, no share_status_changed signal).

    platform, normalized_url, short_url, post_id and author_handle come from
    platforms.parse unless given; any other Share field (status, submitted_at,
    source, ...) may be set too."""
    parsed = platforms.parse(url)
    derived = {
        "normalized_url": parsed.normalized_url,
        "short_url": parsed.normalized_url if parsed.kind == platforms.SHORT_LINK else "",
        "platform": parsed.platform,
        "post_id": parsed.post_id or "",
        "author_handle": parsed.author_handle or "",
    }
    return Share.objects.create(staff=staff, campaign=campaign, url=url, **{**derived, **fields})
