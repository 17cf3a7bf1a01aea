"""Ownership proof of a person's own account: is their code in the profile's bio?

accounts asks for the check (``accounts.services.request_proof`` sends the task
``verification.tasks.check_account_proof`` by name) and keeps the result;
this module does the looking, because only verification may go out to the
internet (``fetch``, under the per-host rate limit).

What an anonymous server is shown (December 2026), and so what is fetched:

* YouTube: the channel page carries its description in ``<meta name=description>``
  and ``og:description``: checked.
* TikTok: the profile page carries the bio in its meta description and in the
  page's JSON (``"signature"``): checked.
* X: profiles need a login (or show no bio to servers); Instagram, Facebook,
  LinkedIn and Threads show login or auth walls most of the time. Not fetched:
  the person attaches a screenshot and HR spot-checks it.

Where the page cannot tell (login wall, captcha, a redirect away from the
profile, no bio on the page) the proof stays ``unproven`` with a reason that
asks for a screenshot; never ``failed`` on a guess. ``failed`` means the
platform showed the bio and the code was not in it, or said the profile does
not exist.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

from accounts import services as accounts
from accounts.models import Platform, ProofReason, ProofStatus, SocialAccount

from . import fetch, ratelimit, verifiers

# Platforms whose bio an anonymous server can read.
ANONYMOUS_BIO_PLATFORMS = frozenset({Platform.YOUTUBE, Platform.TIKTOK})

_BIO_META = frozenset({"description", "og:description", "twitter:description"})
# Bio fields in the JSON a profile page embeds (TikTok's "signature"; YouTube's
# channel "description").
_BIO_JSON = re.compile(r'"(?:signature|description)"\s*:\s*("(?:[^"\\]|\\.){0,5000}")')
# TikTok's own "no such user" codes on a page that answers 200.
_PROFILE_GONE_MARKERS = {Platform.TIKTOK: ('"statusCode":10221', '"statusCode":10202')}
_READ_BYTES = 1024 * 1024


class _MetaReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        key = (values.get("name") or values.get("property") or "").lower()
        if key in _BIO_META and values.get("content"):
            self.texts.append(values["content"])


def bio_texts(page: str) -> list[str]:
    """The bio-like texts a profile page shows: meta descriptions and JSON bio fields."""
    reader = _MetaReader()
    try:
        reader.feed(page)
        reader.close()
    except Exception:  # a broken page: whatever was read so far
        pass
    texts = list(reader.texts)
    for match in _BIO_JSON.finditer(page):
        try:
            texts.append(json.loads(match.group(1)))
        except ValueError:
            continue
    return [text for text in texts if text.strip()]


def code_pattern(code: str) -> re.Pattern[str]:
    """The code as people type it: any case, the hyphen optional."""
    prefix, _, rest = code.partition("-")
    if not rest:
        return re.compile(re.escape(code), re.I)
    return re.compile(rf"{re.escape(prefix)}[-\s]?{re.escape(rest)}", re.I)


def _same_path(a: str, b: str) -> bool:
    return urlsplit(a).path.rstrip("/").lower() == urlsplit(b).path.rstrip("/").lower()


def check(account_id: int, *, last_try: bool = True) -> str | None:
    """Check one account's bio for its owner's code and record the result.

    Returns the proof status recorded (None when the account is gone or already
    proven). A temporary failure (time-out, 429, 5xx) raises
    ``verifiers.TemporaryFailure`` for the task to retry, unless ``last_try``:
    then "could not check" is recorded. ``ratelimit.RateLimited`` passes through.
    """
    account = SocialAccount.objects.select_related("user").filter(pk=account_id).first()
    if account is None or account.proof_status == ProofStatus.PROVEN:
        return None
    code = accounts.proof_code_for(account.user).code

    def record(status: str, reason: str, detail: str = "") -> str:
        accounts.record_proof_result(
            account_id=account.pk, status=status, reason=reason, detail=detail
        )
        return status

    if account.platform not in ANONYMOUS_BIO_PLATFORMS:
        return record(
            ProofStatus.UNPROVEN,
            ProofReason.NO_PUBLIC_BIO,
            f"{account.get_platform_display()} shows no bio without a login: screenshot needed",
        )
    if not settings.SHAREKPI_VERIFY_NETWORK:
        return record(
            ProofStatus.UNPROVEN,
            ProofReason.COULD_NOT_CHECK,
            "profile fetching is turned off (SHAREKPI_VERIFY_NETWORK): screenshot needed",
        )
    url = (
        account.profile_url
        or accounts.parse_account(platform=account.platform, handle=account.handle)[1]
    )
    host = urlsplit(url).hostname or ""
    try:
        ratelimit.acquire(host)
        result = fetch.fetch(url)
        if result.status == 429 or 500 <= result.status <= 599:
            raise verifiers.TemporaryFailure(
                f"{host} answered {result.status}",
                retry_after=result.retry_after,
                http_status=result.status,
                url=url,
            )
    except fetch.TemporaryFetchError as exc:
        if not last_try:
            raise verifiers.TemporaryFailure(
                exc.reason, retry_after=exc.retry_after, url=url
            ) from exc
        return record(ProofStatus.UNPROVEN, ProofReason.COULD_NOT_CHECK, exc.reason)
    except verifiers.TemporaryFailure as exc:
        if not last_try:
            raise
        return record(ProofStatus.UNPROVEN, ProofReason.COULD_NOT_CHECK, exc.reason)
    except fetch.FetchError as exc:
        return record(ProofStatus.UNPROVEN, ProofReason.COULD_NOT_CHECK, exc.reason)

    if result.status in (404, 410):
        return record(
            ProofStatus.FAILED, ProofReason.PROFILE_NOT_FOUND, f"{host} answered {result.status}"
        )
    if why := verifiers.wall(result):
        return record(ProofStatus.UNPROVEN, ProofReason.LOGIN_WALL, why)
    if result.status != 200:
        return record(
            ProofStatus.UNPROVEN, ProofReason.COULD_NOT_CHECK, f"{host} answered {result.status}"
        )
    if result.redirects and not _same_path(result.url, url):
        return record(
            ProofStatus.UNPROVEN,
            ProofReason.COULD_NOT_CHECK,
            f"the platform sent us to {result.url} instead of the profile",
        )
    page = result.body[:_READ_BYTES].decode(result.charset, errors="replace")
    if any(marker in page for marker in _PROFILE_GONE_MARKERS.get(account.platform, ())):
        return record(
            ProofStatus.FAILED, ProofReason.PROFILE_NOT_FOUND, "the platform says no such user"
        )
    texts = bio_texts(page)
    if not texts:
        return record(
            ProofStatus.UNPROVEN, ProofReason.NO_PUBLIC_BIO, "the profile page shows no bio"
        )
    pattern = code_pattern(code)
    if any(pattern.search(text) for text in texts):
        return record(ProofStatus.PROVEN, ProofReason.CODE_FOUND, f"code {code} found in the bio")
    return record(
        ProofStatus.FAILED, ProofReason.CODE_NOT_FOUND, f"the bio is public; {code} is not in it"
    )
