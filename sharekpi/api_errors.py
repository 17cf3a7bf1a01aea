"""DRF exception handler: while the database is unreachable the API answers
503 JSON with Retry-After (clients retry), never an HTML 500."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

RETRY_AFTER_SECONDS = 5


def database_unavailable_body() -> dict:
    return {"detail": _("The database is unavailable for a moment; retry shortly.")}


def exception_handler(exc, context):
    if isinstance(exc, OperationalError | InterfaceError):
        return Response(
            database_unavailable_body(),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return drf_exception_handler(exc, context)
