"""Follower counts from the platforms' official APIs, where HR configured a key.

- YouTube Data API v3 ``channels.list`` (``part=statistics``, an API key):
  ``statistics.subscriberCount`` of the channel named by id (``UC…``) or handle
  (``forHandle``).
- X API v2 user lookup (``/2/users/by/username/{name}?user.fields=public_metrics``,
  a bearer token): ``public_metrics.followers_count``.

Every call goes through the safe fetch (verification.fetch) with its API host
allowed for that call only (SHAREKPI_FOLLOWER_API_HOSTS), no redirects followed, and
the key never written to a log or an error message. With no key (or a disabled
one) for a platform nothing is fetched for it, and with SHAREKPI_VERIFY_NETWORK off
nothing at all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Platform
from campaigns.models import OfficialAccount
from verification import fetch

from . import growth
from .models import FollowerApiKey

logger = logging.getLogger(__name__)

YOUTUBE_CHANNELS_URL = "https://www.googleapis.com/youtube/v3/channels"
X_USER_URL = "https://api.x.com/2/users/by/username/{username}"
SUPPORTED_PLATFORMS = (Platform.YOUTUBE, Platform.X)
_CHANNEL_ID = re.compile(r"UC[\w-]{22}")
_X_USERNAME = re.compile(r"\w{1,15}")


class FollowerApiError(Exception):
    """The API did not give a count; ``reason`` says why in plain words (no key in it)."""

    def __init__(self, reason: str, *, temporary: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


@dataclass
class FetchOutcome:
    official_account: OfficialAccount
    followers: int | None = None
    error: str = ""
    stored: bool = False


def api_hosts() -> tuple[str, ...]:
    return tuple(getattr(settings, "SHAREKPI_FOLLOWER_API_HOSTS", ()) or ())


def _scrub(text: str, secret: str) -> str:
    return text.replace(secret, "…") if secret else text


def _get(url: str, *, secret: str, headers: dict[str, str] | None = None) -> fetch.FetchResult:
    try:
        return fetch.fetch(
            url,
            follow_redirects=False,
            accept="application/json",
            headers=headers,
            extra_hosts=api_hosts(),
        )
    except fetch.TemporaryFetchError as exc:
        raise FollowerApiError(_scrub(exc.reason, secret), temporary=True) from None
    except fetch.FetchError as exc:
        raise FollowerApiError(_scrub(exc.reason, secret)) from None


def _json(result: fetch.FetchResult) -> dict:
    try:
        body = result.json()
    except ValueError:
        raise FollowerApiError(f"the API answered HTTP {result.status} without JSON") from None
    if not isinstance(body, dict):
        raise FollowerApiError("the API answered an unexpected JSON document")
    return body


def _error_body(result: fetch.FetchResult) -> dict | None:
    try:
        body = result.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _status_error(result: fetch.FetchResult, body: dict | None = None) -> FollowerApiError:
    if result.status in (401, 403):
        return FollowerApiError(f"the API refused the key (HTTP {result.status})")
    if result.status == 429 or result.status >= 500:
        return FollowerApiError(f"the API is busy or down (HTTP {result.status})", temporary=True)
    message = ""
    if body:
        error = body.get("error")
        if isinstance(error, dict):
            message = str(error.get("message", ""))[:120]
    return FollowerApiError(f"the API answered HTTP {result.status} {message}".strip())


def youtube_subscribers(handle: str, api_key: str) -> int:
    handle = handle.strip()
    query = {"part": "statistics", "key": api_key}
    if _CHANNEL_ID.fullmatch(handle):
        query["id"] = handle
    else:
        query["forHandle"] = "@" + handle.lstrip("@")
    result = _get(f"{YOUTUBE_CHANNELS_URL}?{urlencode(query)}", secret=api_key)
    if result.status != 200:
        error = _status_error(result, _error_body(result))
        if result.status == 400 and "key" in error.reason.lower():
            error = FollowerApiError("the API refused the key (HTTP 400: API key not valid)")
        raise error
    items = _json(result).get("items") or []
    if not items:
        raise FollowerApiError(f"YouTube knows no channel {handle!r}")
    statistics = items[0].get("statistics") or {}
    if statistics.get("hiddenSubscriberCount") or "subscriberCount" not in statistics:
        raise FollowerApiError(f"the channel {handle!r} hides its subscriber count")
    try:
        return int(statistics["subscriberCount"])
    except (TypeError, ValueError):
        raise FollowerApiError("the API gave a subscriber count that is not a number") from None


def x_followers(handle: str, bearer_token: str) -> int:
    username = handle.strip().lstrip("@")
    if not _X_USERNAME.fullmatch(username):
        raise FollowerApiError(f"{handle!r} is not an X username")
    url = X_USER_URL.format(username=quote(username)) + "?user.fields=public_metrics"
    result = _get(url, secret=bearer_token, headers={"Authorization": f"Bearer {bearer_token}"})
    if result.status != 200:
        raise _status_error(result, _error_body(result))
    data = _json(result).get("data")
    if not isinstance(data, dict):
        raise FollowerApiError(f"X knows no user {username!r}")
    try:
        return int(data["public_metrics"]["followers_count"])
    except (KeyError, TypeError, ValueError):
        raise FollowerApiError("the API gave no follower count") from None


FETCHERS = {Platform.YOUTUBE: youtube_subscribers, Platform.X: x_followers}


def follower_count(official_account: OfficialAccount, secret: str) -> int:
    fetcher = FETCHERS.get(official_account.platform)
    if fetcher is None:
        raise FollowerApiError(f"no follower API for {official_account.platform}")
    return fetcher(official_account.handle, secret)


def fetch_all() -> list[FetchOutcome]:
    """Today's follower count of every official account whose platform has an
    enabled key; stores one API snapshot per account and day (a count HR entered
    for the day is kept). Nothing is fetched without a key."""
    if not getattr(settings, "SHAREKPI_VERIFY_NETWORK", True):
        return []  # network checks off: no outbound request at all
    keys = {
        key.platform: key
        for key in FollowerApiKey.objects.filter(enabled=True, platform__in=SUPPORTED_PLATFORMS)
        if key.secret.strip()
    }
    if not keys:
        return []
    outcomes: list[FetchOutcome] = []
    errors: dict[str, str] = dict.fromkeys(keys, "")
    accounts = OfficialAccount.objects.filter(platform__in=list(keys)).order_by("pk")
    for account in accounts:
        key = keys[account.platform]
        outcome = FetchOutcome(account)
        try:
            outcome.followers = follower_count(account, key.secret.strip())
        except FollowerApiError as exc:
            outcome.error = _scrub(exc.reason, key.secret.strip())
            errors[account.platform] = f"@{account.handle}: {outcome.error}"[:300]
            logger.warning(
                "follower fetch platform=%s account=%s failed: %s",
                account.platform,
                account.pk,
                outcome.error,
            )
        else:
            outcome.stored = (
                growth.record_api_snapshot(official_account=account, followers=outcome.followers)
                is not None
            )
        outcomes.append(outcome)
    now = timezone.now()
    with transaction.atomic():
        for platform, key in keys.items():
            FollowerApiKey.objects.filter(pk=key.pk).update(
                last_fetch_at=now, last_error=errors[platform]
            )
    return outcomes
