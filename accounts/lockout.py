"""Login throttling (django-axes): repeated failures for one account or from one
address lock it out for a while, on the login form and on the token endpoint.

Staff log in with a staff ID or an e-mail: both name the same account, so axes
counts failures under one key, the account's staff ID (lower-cased), whichever was
typed. A lock-out writes one audit entry (``login.locked_out``). HR unlocks in the
admin (Axes → Access attempts: delete the row) or with
``manage.py axes_reset_username <staff id>``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

import audit

from .models import User


def canonical_username(request, credentials) -> str:
    """The key failures are counted under: the staff ID of the account the typed
    name (staff ID or e-mail) belongs to, else the typed name itself."""
    if credentials:
        typed = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get("username") if hasattr(data, "get") else None
    typed = str(typed or "").strip()
    if not typed:
        return ""
    staff_id = (
        User.objects.filter(Q(staff_id=typed) | Q(email=typed.lower()))
        .values_list("staff_id", flat=True)
        .first()
    )
    return (staff_id or typed).lower()


def locked_out_message() -> str:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed log-ins for this account or from this address. "
        "Try again in %(minutes)d minutes, or ask HR to unlock it."
    ) % {"minutes": minutes}


def locked_out_response(request, response=None, credentials=None, *args, **kwargs):
    """What a locked-out login sees: a 429 page, or JSON on the API."""
    message = locked_out_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    with transaction.atomic():
        audit.record(
            actor=None,
            action="login.locked_out",
            object_type="accounts.user",
            object_id=username or "",
            after={"username": username or "", "ip_address": ip_address or ""},
        )
