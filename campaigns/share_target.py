"""The phone share target: what a phone hands to ``/shares/new/`` when a person
shares their post to ShareKPI, and where the post's link is in it.

The web app manifest (``/manifest.webmanifest``) asks the phone to open
``/shares/new/?title=…&text=…&url=…``. Which of the three carries the link
depends on the app that shares: Chrome fills ``url``; most Android apps
(Facebook, Instagram, TikTok, X) put the link in ``text``, often with words
around it ("Check out my post! https://…"); a few put it in ``title``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import platforms

# The three parameters the manifest names, in the order the link is looked for.
PARAMS = ("url", "text", "title")

# An address with a scheme, or a bare platform-looking host ("www.tiktok.com/…",
# "fb.watch/…"): up to the next whitespace or a character that never ends a link
# in running text (quotes and angle brackets).
_CANDIDATE = re.compile(
    r"""(?:https?://|(?<![\w@.])(?:[a-z0-9-]+\.)+[a-z]{2,}/)[^\s<>"'\u201c\u201d\u2018\u2019«»]+""",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than the link ("…/posts/1." "(https://…)").
_TRAILING = ".,;:!?)]}…"


@dataclass(frozen=True)
class SharedLink:
    """The link found in what the phone shared, and whether it is a platform's post."""

    url: str  # "" when no link was found at all
    is_platform_post: bool
    reason: str  # why the link cannot be logged, in plain words ("" when it can)


def is_share_target_request(query) -> bool:
    """A request the share target opened: the phone sends ``text`` and/or ``title``
    (the manifest cannot add a parameter of its own: a share replaces the action's
    query). ``url`` alone is also what ShareKPI's own links send, so it stays a
    "form" share (its link is still found, words around it or not)."""
    return query.get("source") == "share-target" or "text" in query or "title" in query


def candidate_urls(value: str) -> list[str]:
    """Every link-looking piece of ``value``, in order, trailing punctuation cut."""
    found = []
    for match in _CANDIDATE.finditer(value or ""):
        candidate = match.group(0)
        while candidate and candidate[-1] in _TRAILING:
            # Keep a closing bracket that closes one opened inside the link.
            if candidate[-1] == ")" and candidate.count("(") >= candidate.count(")"):
                break
            candidate = candidate[:-1]
        if candidate:
            found.append(candidate[: platforms.MAX_URL_LENGTH])
    return found


def find_shared_link(*, url: str = "", text: str = "", title: str = "") -> SharedLink:
    """The first platform post link in ``url``, then ``text``, then ``title``.

    When none of the links is a platform's post, the first link of any kind, with
    the reason it cannot be logged (so the person sees what arrived and why).
    No link at all: ``url=""``.
    """
    candidates: list[str] = []
    for value in (url, text, title):
        for candidate in candidate_urls(value):
            if candidate not in candidates:
                candidates.append(candidate)
    first_error: str | None = None
    for candidate in candidates:
        try:
            platforms.parse(candidate)
        except platforms.InvalidShareUrl as exc:
            if first_error is None:
                first_error = str(exc)
            continue
        return SharedLink(url=candidate, is_platform_post=True, reason="")
    if candidates:
        return SharedLink(url=candidates[0], is_platform_post=False, reason=first_error or "")
    return SharedLink(url="", is_platform_post=False, reason="")
