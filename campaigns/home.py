"""campaigns' panels on the home page (accounts.hooks): the campaigns this person has
not shared yet, each with its button, and their shares waiting or needing action."""

from __future__ import annotations

from accounts import hooks

from . import selectors
from .models import ShareStatus

# At most this many of each list on the home page; the full lists are a click away.
HOME_LIMIT = 5

WAITING = (ShareStatus.PENDING, ShareStatus.NEEDS_REVIEW)
NEEDS_ACTION = (ShareStatus.REJECTED, ShareStatus.REMOVED)


def to_share_section(request):
    campaigns = list(selectors.active_campaigns_for(request.user).filter(shared_by_me=False))
    return {
        "template": "campaigns/_home_to_share.html",
        "campaigns": campaigns[:HOME_LIMIT],
        "more": max(len(campaigns) - HOME_LIMIT, 0),
    }


def my_shares_section(request):
    shares = list(
        selectors.own_shares(request.user).filter(status__in=WAITING + NEEDS_ACTION)[
            : HOME_LIMIT + 1
        ]
    )
    if not shares:
        return None
    from .views import my_share_url  # the page and row of a share in My shares

    for share in shares[:HOME_LIMIT]:
        share.my_url = my_share_url(share)
    return {
        "template": "campaigns/_home_my_shares.html",
        "shares": shares[:HOME_LIMIT],
        "more": len(shares) > HOME_LIMIT,
        "needs_action": NEEDS_ACTION,
    }


def register() -> None:
    hooks.add_panel(hooks.HOME, to_share_section)
    hooks.add_panel(hooks.HOME, my_shares_section)
