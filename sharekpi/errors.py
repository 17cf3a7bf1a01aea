"""Error answers for pages: an HTML 400 that shows the message escaped, in the base layout.

Never build an HTML error by concatenating input into ``HttpResponse``: the message
may quote what the person typed (``?year=<script>…``), so it goes through a template.
"""

from __future__ import annotations

from django.shortcuts import render


def bad_request(request, message) -> object:
    """A 400 page that says ``message`` (autoescaped by the template)."""
    return render(request, "400.html", {"message": str(message)}, status=400)
