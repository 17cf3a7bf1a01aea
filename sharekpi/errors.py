"""Error answers for pages: an HTML 400 that shows the message escaped, in the base layout.

Never build an HTML error by concatenating input into ``HttpResponse``: the message
may quote what the person typed (``?year=<script>…``), so it goes through a template.
"""

from __future__ import annotations

from django.shortcuts import render


def bad_request(request, message) -> object:
    """A 400 page that says ``message`` (autoescaped by the template)."""
    return render(request, "400.html", {"message": str(message)}, status=400)


def csrf_failure(request, reason: str = "") -> object:
    """CSRF_FAILURE_VIEW: the base layout, in the person's language, with a way home
    (Django's own page is a bare English one meant for developers)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)


class NoTracebackFor4xx:
    """A logging filter for ``django.request``: a refused request (403, 404) is one
    warning line, not a traceback that reads like a crash."""

    def filter(self, record) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def page_not_found(request, exception=None) -> object:
    """handler404: the API answers JSON (an id in the path that is not a number, a path
    that does not exist), pages get the 404 page in the base layout."""
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views import defaults

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
