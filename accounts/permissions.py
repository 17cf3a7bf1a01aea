"""Who may open what, by role: view decorators for HTML pages and DRF
permission classes for the API. Every app uses these instead of checking
roles by hand, so the rules stay in one place.

Pages: anonymous → the login page (with ``?next=``); logged in without the
role → 403. API: DRF answers 401/403 itself when a permission is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Role


def is_hr_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_hr_admin)


def is_manager_or_hr(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_hr_admin or user.role == Role.MANAGER)
    )


def user_passes(test: Callable[[object], bool]) -> Callable:
    """A view decorator: anonymous → login redirect, ``test`` false → 403.

    (Django's own ``user_passes_test`` redirects everyone to the login page,
    which sends a logged-in member of staff round in circles.)
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


hr_admin_required = user_passes(is_hr_admin)
hr_admin_required.__doc__ = "View decorator: HR admins (and superusers) only."

manager_or_hr_required = user_passes(is_manager_or_hr)
manager_or_hr_required.__doc__ = "View decorator: managers, HR admins and superusers only."


class IsHrAdmin(BasePermission):
    """HR admins (and superusers) only."""

    message = _("Only HR admins may do this.")

    def has_permission(self, request, view) -> bool:
        return is_hr_admin(request.user)


class IsManagerOrHr(BasePermission):
    """Managers, HR admins and superusers."""

    message = _("Only managers and HR admins may do this.")

    def has_permission(self, request, view) -> bool:
        return is_manager_or_hr(request.user)


class IsHrAdminOrReadOnly(BasePermission):
    """Anyone logged in may read; only HR admins may write."""

    message = _("Only HR admins may change this.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return is_hr_admin(request.user)
