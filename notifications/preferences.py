"""Each person's choice of notification kinds: every kind is on until they turn it off
(on /me/notifications/ or with an e-mail's unsubscribe link)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

import audit

from .models import NotificationKind, NotificationOptOut


def kinds_for(user) -> list[str]:
    """The kinds a person can receive (the team summary is for managers)."""
    kinds = [
        NotificationKind.SHARE_STATUS,
        NotificationKind.APPEAL_DECIDED,
        NotificationKind.WEEKLY_DIGEST,
    ]
    if user.is_manager:
        kinds.append(NotificationKind.TEAM_SUMMARY)
    return kinds


def enabled_kinds(user) -> set[str]:
    off = set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in kinds_for(user) if kind not in off}


def opted_out(user_ids: Iterable[int], kind: str) -> set[int]:
    """Which of these people turned ``kind`` off: one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    return set(
        NotificationOptOut.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def set_kind(*, user, kind: str, enabled: bool, via: str) -> bool:
    """Turn one kind on or off for ``user``; whether anything changed. Audited
    (``notification.turned_on`` / ``notification.turned_off``), ``via`` "preferences"
    or "unsubscribe"."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if enabled:
        changed = NotificationOptOut.objects.filter(user=user, kind=kind).delete()[0] > 0
    else:
        _opt_out, changed = NotificationOptOut.objects.get_or_create(user=user, kind=kind)
    if changed:
        audit.record(
            actor=user,
            action="notification.turned_on" if enabled else "notification.turned_off",
            obj=user,
            before={"kind": kind, "enabled": not enabled},
            after={"kind": kind, "enabled": enabled, "via": via},
        )
    return changed
