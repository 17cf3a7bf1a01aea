"""Log in with staff ID or email."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User


class StaffIdOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get(User.USERNAME_FIELD) or "").strip()
        if not login or password is None:
            return None
        user = User.objects.filter(Q(staff_id=login) | Q(email=login.lower())).first()
        if user is None:
            # Spend the same time hashing as for a real user, so timing does
            # not tell which staff IDs exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS. A call without a request
    (a shell, a management command, the test client's ``login``) is not a log-in
    attempt from anyone's address, so it is not throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        credentials = {"username": username, "password": password}
        if AxesProxyHandler.is_allowed(request, credentials):
            return None
        request.axes_locked_out = True  # AxesMiddleware answers with the lock-out page
        raise AxesBackendPermissionDenied("locked out")  # stops django.contrib.auth here
