"""The organisation's official accounts are nobody's own account: accounts asks through
its hooks (it may not import campaigns) before it registers a handle."""

from __future__ import annotations

from django.db.models.functions import Lower

from accounts import hooks

from .models import OfficialAccount


def official_pairs(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (platform, lower-case handle) pairs are official accounts: one query."""
    found = (
        OfficialAccount.objects.annotate(handle_lower=Lower("handle"))
        .filter(
            platform__in={platform for platform, _h in pairs},
            handle_lower__in={handle for _p, handle in pairs},
        )
        .values_list("platform", "handle_lower")
    )
    return set(found) & pairs


def register() -> None:
    hooks.add_reserved_handles(official_pairs)
