"""Read queries about people, always scoped to who is asking.

``users_visible_to`` is the one place that decides who sees whom; every
feature (shares, reports, dashboard, API) builds on it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import OrgUnit, Role, User


def unit_scope_q(unit: OrgUnit, *, field: str = "unit") -> Q:
    """A filter for rows whose ``field`` (an OrgUnit FK) lies at or below ``unit``."""
    return Q(**{f"{field}__path": unit.path}) | Q(
        **{f"{field}__path__startswith": unit.subtree_prefix}
    )


def users_visible_to(user: User) -> QuerySet[User]:
    """Staff see themselves; managers their unit and every unit below; HR everyone."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_hr_admin:
        return User.objects.all()
    if user.role == Role.MANAGER and user.unit_id is not None:
        return User.objects.filter(unit_scope_q(user.unit) | Q(pk=user.pk))
    return User.objects.filter(pk=user.pk)


def units_visible_to(user: User) -> QuerySet[OrgUnit]:
    """The org units whose people ``user`` may see as a group (reports, dashboard)."""
    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    if user.is_hr_admin:
        return OrgUnit.objects.all()
    if user.role == Role.MANAGER and user.unit_id is not None:
        return OrgUnit.objects.subtree(user.unit)
    return OrgUnit.objects.none()


def can_see_user(viewer: User, other: User) -> bool:
    return users_visible_to(viewer).filter(pk=other.pk).exists()


def staff_in_unit(unit: OrgUnit, *, active_only: bool = True) -> QuerySet[User]:
    """Everyone at or below ``unit``: one indexed query, however deep the tree."""
    people = User.objects.filter(unit_scope_q(unit))
    return people.filter(is_active=True) if active_only else people
