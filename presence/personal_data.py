"""presence's part of "My data": the person's follow confirmations and the spot checks
made of them (and of their own accounts), with the audit entries about those."""

from __future__ import annotations

from collections.abc import Iterator

from accounts import personal_data

from .models import FollowConfirmation, SpotCheck


def follows(user) -> Iterator[dict]:
    rows = FollowConfirmation.objects.filter(user=user).select_related("official_account")
    for row in rows.order_by("official_account__platform", "official_account__handle"):
        yield {
            "official_account": {
                "id": row.official_account_id,
                "platform": row.official_account.platform,
                "handle": row.official_account.handle,
                "name": row.official_account.name,
            },
            "following": row.following,
            "confirmed_at": row.confirmed_at,
            "withdrawn_at": row.withdrawn_at,
            "screenshot_attached": bool(row.screenshot),
        }


def spot_checks(user) -> Iterator[dict]:
    rows = SpotCheck.objects.filter(user=user).select_related("official_account", "social_account")
    for row in rows.order_by("month", "pk"):
        yield {
            "kind": row.kind,
            "month": row.month.strftime("%Y-%m"),
            "official_account": row.official_account.handle if row.official_account else None,
            "own_account": (
                f"{row.social_account.platform}:@{row.social_account.handle}"
                if row.social_account
                else None
            ),
            "result": row.result,
            "note": row.note,
            "checked_at": row.checked_at,
        }


def register() -> None:
    personal_data.register("follow_confirmations", follows)
    personal_data.register("spot_checks", spot_checks)
    personal_data.register_subject(
        FollowConfirmation._meta.label_lower,
        lambda user: FollowConfirmation.objects.filter(user=user),
    )
    personal_data.register_subject(
        SpotCheck._meta.label_lower, lambda user: SpotCheck.objects.filter(user=user)
    )
