"""API token authentication that loads the user's unit with the token (every API call
needs it for the visibility rules): one query instead of two."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


def token_expired(token) -> bool:
    """A token is good for SHAREKPI_API_TOKEN_DAYS days after it was issued."""
    age = timezone.now() - token.created
    return age > datetime.timedelta(days=settings.SHAREKPI_API_TOKEN_DAYS)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__unit").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("Token expired; ask for a new one at /api/v1/auth/token/.")
            )
        return (token.user, token)
