"""What presence adds to accounts' pages (through accounts.hooks): on "My accounts"
and the home page, the platforms a person must have an account on and the official
accounts they are asked to follow, with "I follow"."""

from __future__ import annotations

from . import selectors

TEMPLATE = "presence/_my_presence.html"


def my_presence_panel(request):
    user = request.user
    if not user.is_authenticated:
        return None
    presence = selectors.my_presence(user)
    if not presence["required"] and not presence["follows"]:
        return None
    return {
        "template": TEMPLATE,
        "presence": presence,
        "missing": [row for row in presence["required"] if row["account"] is None],
        "not_confirmed": [row for row in presence["follows"] if not row["following"]],
    }


def home_panel(request):
    panel = my_presence_panel(request)
    if panel is None:
        return None
    return panel | {"compact": True}
