"""Test data for every app's tests.

    make_unit("Headquarters/Communications/Digital")   # the whole chain, get-or-create
    UserFactory()                                      # staff in "Headquarters", password "pw"
    UserFactory(role=Role.MANAGER, unit="Headquarters/Communications")
    UserFactory(password=None)                         # unusable password
    HrAdminFactory(), ManagerFactory(unit=...), SocialAccountFactory(user=...)

``unit`` accepts an OrgUnit or a path string. Passwords are hashed once per
distinct password and reused, so creating many users stays fast.
"""

from __future__ import annotations

from functools import cache

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from accounts.models import UNIT_SEPARATOR, OrgUnit, Platform, Role, SocialAccount, User

DEFAULT_PASSWORD = "pw"
DEFAULT_UNIT = "Headquarters"


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
