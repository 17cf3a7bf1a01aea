"""The bookmarklet: a bookmark whose address is a line of JavaScript that opens
the prefilled share form in a small window, for the page the person is on.

It only opens the form; nothing is submitted until the person presses Submit
(a normal POST with a CSRF token, under their own session).
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.urls import reverse

from .models import ShareSource

# What an origin built from a validated Host header looks like. Anything else
# (quotes, percent signs, spaces) would change the meaning of the script.
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](?::\d{1,5})?"
)

WINDOW_NAME = "sharekpi"
WINDOW_FEATURES = "width=480,height=640"


def site_origin(request: HttpRequest) -> str:
    """``scheme://host[:port]`` of this site, as the person's browser reaches it.

    ``build_absolute_uri`` uses ``get_host()``, which Django checks against
    ALLOWED_HOSTS; the pattern check is a second guard before the origin goes
    into a script."""
    origin = request.build_absolute_uri("/").rstrip("/")
    if not _ORIGIN.fullmatch(origin):
        raise ValueError(f"Unexpected site origin for the bookmarklet: {origin!r}")
    return origin


def bookmarklet_js(origin: str) -> str:
    """The ``javascript:`` address of the bookmarklet for a site at ``origin``.

    ``encodeURIComponent`` carries the page address whole (``&``, ``#``, ``%``,
    non-ASCII) inside the ``url`` parameter. The result is plain text: templates
    autoescape it into the ``href`` attribute, which the browser decodes back.
    """
    if not _ORIGIN.fullmatch(origin):
        raise ValueError(f"Not an origin: {origin!r}")
    form_url = f"{origin}{reverse('campaigns:share_create')}?source={ShareSource.BOOKMARKLET}&url="
    return (
        "javascript:(function(){window.open("
        f"'{form_url}'+encodeURIComponent(location.href),"
        f"'{WINDOW_NAME}','{WINDOW_FEATURES}');"
        "})();"
    )
