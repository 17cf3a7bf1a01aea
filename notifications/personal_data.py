"""notifications' part of "my data" (accounts.personal_data): the kinds the person
turned off, and the e-mails sent to them (kind, key, when)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import NotificationKind, NotificationOptOut, NotificationSent


def notifications(user) -> dict:
    off = set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {
        "turned_off": sorted(off),
        "enabled": sorted(k for k in NotificationKind.values if k not in off),
        "sent": list(_sent(user)),
    }


def _sent(user) -> Iterable[dict]:
    for kind, key, sent_at in (
        NotificationSent.objects.filter(user=user)
        .order_by("sent_at", "pk")
        .values_list("kind", "key", "sent_at")
    ):
        yield {"kind": kind, "key": key, "sent_at": sent_at}


def register() -> None:
    from accounts import personal_data

    personal_data.register("notifications", notifications, many=False)
