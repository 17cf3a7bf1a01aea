"""Log in with staff ID or email."""

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
