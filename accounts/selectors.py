"""Read queries about people, always scoped to who is asking.

``users_visible_to`` is the one place that decides who sees whom; every
feature (shares, reports, dashboard, API) builds on it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import UNIT_SEPARATOR, OrgUnit, Role, SocialAccount, SocialAccountChange, User


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


# --- own social accounts --------------------------------------------------------------------


def accounts_of(user: User) -> QuerySet[SocialAccount]:
    """A person's current accounts, one per platform at most."""
    return SocialAccount.objects.filter(user=user).order_by("platform")


def account_history_of(user: User) -> QuerySet[SocialAccountChange]:
    return SocialAccountChange.objects.filter(user=user).order_by("-at", "-pk")


def accounts_awaiting_spot_check(viewer: User | None = None) -> QuerySet[SocialAccount]:
    """Ownership proofs waiting for HR: a screenshot attached where the check could
    not tell (``proof_needs_check=True``, ``proof_status="unproven"``), oldest
    first. ``viewer`` scopes it to the people they may see (None: everyone)."""
    accounts = SocialAccount.objects.filter(proof_needs_check=True)
    if viewer is not None:
        accounts = accounts.filter(user__in=users_visible_to(viewer))
    return accounts.select_related("user", "user__unit").order_by("proof_requested_at", "pk")


def _when(value) -> str | None:
    return value.isoformat() if value else None


def personal_data_accounts(user: User) -> list[dict]:
    """Everything held about ``user``'s own accounts, JSON-serialisable (for "my data").

    One item per platform the person has or had an account on:
    ``{"platform", "current": {...account and its proof...} | None, "history": [...]}``,
    the history oldest first. Two queries.
    """
    items: dict[str, dict] = {}
    for account in accounts_of(user):
        items[account.platform] = {
            "platform": account.platform,
            "current": {
                "id": account.pk,
                "handle": account.handle,
                "profile_url": account.profile_url,
                "registered_at": _when(account.created_at),
                "proof_status": account.proof_status,
                "proof_reason": account.proof_reason,
                "proof_message": account.proof_message,
                "proof_checked_at": _when(account.proof_checked_at),
                "proof_requested_at": _when(account.proof_requested_at),
                "proof_screenshot_attached": bool(account.proof_screenshot),
                "proof_awaiting_spot_check": account.proof_needs_check,
            },
            "history": [],
        }
    for change in SocialAccountChange.objects.filter(user=user).order_by("at", "pk"):
        item = items.setdefault(
            change.platform, {"platform": change.platform, "current": None, "history": []}
        )
        item["history"].append(
            {
                "at": _when(change.at),
                "change": change.change,
                "handle": change.handle,
                "profile_url": change.profile_url,
                "old_handle": change.old_handle,
                "old_proof_status": change.old_proof_status,
                "via": change.via,
            }
        )
    return sorted(items.values(), key=lambda item: item["platform"])


# --- the org tree ----------------------------------------------------------------------------


class UnknownUnit(ValueError):
    """``?under=`` named no unit."""


def find_unit(value: str | int) -> OrgUnit | None:
    """A unit by id (digits) or by path (``Headquarters/Communications``), or None."""
    text = str(value).strip().strip(UNIT_SEPARATOR)
    if not text or "\x00" in text or len(text) > 1000:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 18:
        unit = OrgUnit.objects.filter(pk=int(text)).first()
        if unit is not None:
            return unit
    return OrgUnit.objects.filter(path=text).first()


def org_tree(*, under: str | None = None) -> QuerySet[OrgUnit]:
    """The org tree in path order (everyone may read it: API clients name audiences by
    id); ``under`` (an id or a path) narrows it to that unit and the units below it.
    UnknownUnit when ``under`` names no unit."""
    units = OrgUnit.objects.all()
    if under not in (None, ""):
        unit = find_unit(under)
        if unit is None:
            raise UnknownUnit(under)
        units = OrgUnit.objects.subtree(unit)
    return units.order_by("path")
