"""API token authentication that loads the user's unit with the token (every API call
needs it for the visibility rules): one query instead of two, and none at all while
the token is in the cache.

The cache (``SHAREKPI_API_TOKEN_CACHE_SECONDS``, 0 = off; on by default only when
``CACHE_URL`` gives the web processes a shared cache) keeps, per token, the token's
date and the user's and unit's rows for a few seconds. It is emptied for a token when
the token is deleted (log-out ``DELETE auth/token/``, a new password, a deactivation,
the admin) and for a person whenever their row or their unit's is saved or bulk
updated (``forget_users``), after the transaction commits as well as at once. What is
left is a request that read the old row just before a commit and stored it just after:
stale for at most the cache's few seconds, as a request already running is.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import OrgUnit, User

CACHE_PREFIX = "sharekpi:api-token:"
# Not the password hash: it stays in the database (read from there if anything asks).
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields if f.attname != "password"]
_UNIT_FIELDS = [f.attname for f in OrgUnit._meta.concrete_fields]


def token_expires_at(token) -> datetime.datetime:
    """A token is good for SHAREKPI_API_TOKEN_DAYS days after it was issued."""
    return token.created + datetime.timedelta(days=settings.SHAREKPI_API_TOKEN_DAYS)


def token_expired(token) -> bool:
    return timezone.now() > token_expires_at(token)


def cache_seconds() -> int:
    return int(getattr(settings, "SHAREKPI_API_TOKEN_CACHE_SECONDS", 0) or 0)


def cache_key(token_key: str) -> str:
    """The token itself never names a cache entry: its SHA-256 does."""
    return CACHE_PREFIX + hashlib.sha256(token_key.encode()).hexdigest()


def forget_tokens(token_keys) -> None:
    """Drop these tokens' cache entries now and once the transaction commits."""
    keys = [cache_key(k) for k in token_keys]
    if not keys or not cache_seconds():
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def forget_users(user_ids) -> None:
    """Drop the cache entries of these people's tokens (their row or unit changed)."""
    if not cache_seconds():
        return
    from rest_framework.authtoken.models import Token

    ids = list(user_ids)
    for start in range(0, len(ids), 1000):  # a bulk write may name 100,000 people
        chunk = ids[start : start + 1000]
        forget_tokens(Token.objects.filter(user_id__in=chunk).values_list("key", flat=True))


def _cached(token_key: str):
    entry = cache.get(cache_key(token_key))
    if entry is None:
        return None
    from rest_framework.authtoken.models import Token

    created, user_values, unit_values = entry
    user = User.from_db("default", _USER_FIELDS, user_values)
    if unit_values is not None:
        user._state.fields_cache["unit"] = OrgUnit.from_db("default", _UNIT_FIELDS, unit_values)
    elif user.unit_id is None:
        user._state.fields_cache["unit"] = None
    token = Token(key=token_key, user_id=user.pk, created=created)
    token._state.adding = False
    token._state.db = "default"
    token.user = user
    return token


def _remember(token) -> None:
    user = token.user
    unit = user.unit if user.unit_id is not None else None
    entry = (
        token.created,
        [getattr(user, name) for name in _USER_FIELDS],
        None if unit is None else [getattr(unit, name) for name in _UNIT_FIELDS],
    )
    cache.set(cache_key(token.key), entry, cache_seconds())


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        token = _cached(key) if cache_seconds() else None
        if token is None:
            try:
                token = model.objects.select_related("user__unit").get(key=key)
            except model.DoesNotExist:
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
            if cache_seconds() and token.user.is_active and not token_expired(token):
                _remember(token)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            forget_tokens([token.key])
            token.delete()
            raise exceptions.AuthenticationFailed(
                _("Token expired; ask for a new one at /api/v1/auth/token/.")
            )
        return (token.user, token)


# --- signals (connected in accounts.apps) ---------------------------------------------


def token_changed(sender, instance, **kwargs) -> None:
    forget_tokens([instance.key])


def user_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        forget_users([instance.pk])


def unit_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None or not cache_seconds():
        return
    forget_users(
        User.objects.filter(unit__in=OrgUnit.objects.subtree(instance)).values_list("pk", flat=True)
    )
