"""Small request guards shared by every app."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .errors import bad_request


class RejectControlCharactersMiddleware:
    """A NUL in the query string cannot be stored or looked up (PostgreSQL refuses
    it in any text), and is never meant: answer 400 before a view queries with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, value in request.GET.items()):
            message = _("The address contains a NUL character; remove it and try again.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return bad_request(request, message)
        return self.get_response(request)

    def process_exception(self, request, exception):
        """The same 503 JSON for an API call that loses the database outside DRF."""
        from django.db import InterfaceError, OperationalError

        from .api_errors import RETRY_AFTER_SECONDS, database_unavailable_body

        if request.path.startswith("/api/") and isinstance(
            exception, OperationalError | InterfaceError
        ):
            response = JsonResponse(database_unavailable_body(), status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return None
