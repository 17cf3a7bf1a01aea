"""Who may read the audit log: HR admins (and superusers), nobody else.

audit imports no other app, so it asks the user object itself: the project's
User has ``is_hr_admin`` (true for superusers too). A user model without it
reads as "not HR".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def is_hr_admin(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and getattr(user, "is_hr_admin", False)
    )


def hr_admin_required(view: Callable) -> Callable:
    """A view decorator: anonymous → the login page, logged in without HR → 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_hr_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class IsHrAdmin(BasePermission):
    """HR admins (and superusers) only; DRF answers 401 to anonymous callers."""

    message = _("Only HR admins may read the audit log.")

    def has_permission(self, request, view) -> bool:
        return is_hr_admin(request.user)
