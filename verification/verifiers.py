"""Per-platform evidence about one share: does the post exist, and who wrote it?

Each platform has one small verifier behind one interface::

    verify(share, parsed) -> Evidence(outcome, reason, http_status, url_fetched)

and short links (fb.watch, vt./vm.tiktok.com, tiktok.com/t/, t.co, lnkd.in,
facebook.com/share/..., instagram.com/share/...) are expanded first by
``resolve_short_link``. Verifiers only look: they never write to the database
and never decide a share's status. verification.services turns their
evidence into a status under the platform's policy.

What an anonymous server can learn differs per platform:

* x, tiktok, youtube: public oEmbed endpoints name the author
  (publish.twitter.com ``author_url``, www.tiktok.com ``author_unique_id``,
  www.youtube.com ``author_url``). A 404 from oEmbed alone may be rate
  limiting in disguise, so it is confirmed on the post page itself: only a
  404/410 there too (or YouTube's own "video unavailable" marker) means gone.
  YouTube's 401 means the video exists with embedding turned off, which hides
  the author.
* facebook, instagram, threads, linkedin: the post page itself. Most of the
  time it is a login wall (redirect to /login, a login form, a canonical link
  to the login page), LinkedIn's auth wall (/authwall, HTTP 999) or a
  captcha: all inconclusive. When the page does open, its canonical link
  (or og:url) may name the author.

Anything a verifier cannot settle is ``INCONCLUSIVE`` and ends in HR review,
never in a silent reject. Time-outs, 429s and 5xx raise ``TemporaryFailure``
so the task tries again later; ``ratelimit.RateLimited`` passes through.

The staff member's registered accounts are read from the database unless the
caller already loaded them with the share (``remember_accounts``; that is
what verification.services does, in the same query as the share).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from accounts.models import SocialAccount
from campaigns import platforms
from campaigns.models import Share
from campaigns.reasons import Coded

from . import fetch, ratelimit
from .reasons import coded

# Evidence outcomes.
VERIFIED = "verified"  # the post exists and is by the staff member's registered account
REJECTED = "rejected"  # the post exists but is someone else's
GONE = "gone"  # definitely not there (confirmed 404/410, or the platform's own marker)
EXISTS = "exists"  # the post exists; its author could not be seen
INCONCLUSIVE = "inconclusive"  # login wall, captcha, no registered account, odd answer...

JSON_ACCEPT = "application/json"
MAX_SHORT_LINK_HOPS = 6
_HEAD_BYTES = 256 * 1024  # canonical links and meta tags live near the top
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.I)

# Paths of login, sign-up and check pages, on any platform host.
_WALL_PATHS = (
    "/login",
    "/login.php",
    "/accounts/login",
    "/authwall",
    "/uas/login",
    "/checkpoint",
    "/challenge",
    "/signup",
    "/i/flow/login",
)
# The platform's own words for "this post is not there" on a page that answers 200.
_GONE_MARKERS: dict[str, tuple[str, ...]] = {
    platforms.YOUTUBE: ('"playabilityStatus":{"status":"ERROR"',),
    platforms.TIKTOK: ('"statusCode":10204',),
}
# Pages that say the content is not available; on these platforms that may
# mean deleted or merely not visible to an anonymous visitor, so: review.
_UNAVAILABLE_MARKERS = (
    "this content isn't available",
    "this content isn&#039;t available",
    "sorry, this page isn't available",
    "sorry, this page isn&#039;t available",
)


@dataclass(frozen=True)
class Evidence:
    outcome: str
    reason: str  # the detail, for the attempt (HR)
    http_status: int | None = None
    url_fetched: str = ""
    # What the person reads (verification.reasons), where the outcome alone does not say.
    why: Coded | None = None


@dataclass(frozen=True)
class Resolution:
    """Where a short link led: a post (``parsed``), or ``evidence`` saying why not."""

    parsed: platforms.ParsedUrl | None
    evidence: Evidence


class TemporaryFailure(Exception):
    """The platform could not be asked right now (time-out, 429, 5xx): try again later."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        http_status: int | None = None,
        url: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.http_status = http_status
        self.url = url


def label(platform: str) -> str:
    return platforms.PLATFORM_LABELS.get(platform, platform)


# --- fetching -------------------------------------------------------------------


def _get(url: str, *, follow_redirects: bool = True, accept: str = fetch.DEFAULT_ACCEPT):
    """fetch.fetch under the per-host rate limit; temporary errors become TemporaryFailure."""
    ratelimit.acquire(urlsplit(url).hostname or "")
    try:
        return fetch.fetch(url, follow_redirects=follow_redirects, accept=accept)
    except fetch.TemporaryFetchError as exc:
        raise TemporaryFailure(exc.reason, retry_after=exc.retry_after, url=url) from exc


def _raise_if_temporary(result: fetch.FetchResult) -> None:
    host = urlsplit(result.url).hostname or result.url
    if result.status == 429:
        raise TemporaryFailure(
            f"{host} answered 429 Too Many Requests",
            retry_after=result.retry_after,
            http_status=429,
            url=result.url,
        )
    if 500 <= result.status <= 599:
        raise TemporaryFailure(
            f"{host} answered {result.status}",
            retry_after=result.retry_after,
            http_status=result.status,
            url=result.url,
        )


def _refused(exc: fetch.FetchError, url: str) -> Evidence:
    """BlockedUrl, ResponseTooLarge, TLS errors...: say so and send to review."""
    return Evidence(INCONCLUSIVE, f"could not check the post: {exc.reason}", None, exc.url or url)


# --- reading pages ----------------------------------------------------------------


class _HeadReader(HTMLParser):
    """Picks the canonical link, og:url and a meta refresh target out of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.canonical = ""
        self.og_url = ""
        self.refresh = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        if tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "").strip()
        elif tag == "meta":
            if values.get("property", "").lower() == "og:url":
                self.og_url = self.og_url or values.get("content", "").strip()
            elif values.get("http-equiv", "").lower() == "refresh":
                match = _REFRESH_URL.search(values.get("content", ""))
                if match:
                    self.refresh = self.refresh or match.group(1).strip()


def _head(result: fetch.FetchResult) -> _HeadReader:
    """The page's head links, parsed once per answer (wall() and _page_post both ask)."""
    reader = result.__dict__.get("_head_reader")
    if reader is not None:
        return reader
    reader = _HeadReader()
    try:
        reader.feed(result.body[:_HEAD_BYTES].decode(result.charset, errors="replace"))
        reader.close()
    except Exception:
        pass
    result.__dict__["_head_reader"] = reader
    return reader


def _page_text(result: fetch.FetchResult) -> str:
    """The first MB of the page, lower-cased, decoded once per answer."""
    text = result.__dict__.get("_page_text")
    if text is None:
        text = result.body[: _HEAD_BYTES * 4].decode(result.charset, errors="replace").lower()
        result.__dict__["_page_text"] = text
    return text


def _is_wall_path(url: str) -> bool:
    path = urlsplit(url).path.lower().rstrip("/")
    return any(path == wall or path.startswith(wall + "/") for wall in _WALL_PATHS)


def wall(result: fetch.FetchResult) -> str | None:
    """Why this answer is a login wall, auth wall or captcha rather than the post, or None."""
    if result.status == 999:
        return "LinkedIn answered HTTP 999 (its auth wall for unknown visitors)"
    for url in [*result.redirects[1:], result.url]:
        if _is_wall_path(url):
            return f"the platform sent us to a login page ({url})"
    head = _head(result)
    for found in (head.canonical, head.og_url):
        if found and _is_wall_path(urljoin(result.url, found)):
            return f"the page is a login page (canonical link {found})"
    text = _page_text(result)
    if "login_form" in text:
        return "the page shows a login form instead of the post"
    if "captcha" in text:
        return "the page shows a captcha"
    return None


def _page_post(result: fetch.FetchResult) -> platforms.ParsedUrl | None:
    """The post a page says it is (canonical link, og:url), if it says."""
    head = _head(result)
    for found in (head.canonical, head.og_url):
        if not found:
            continue
        try:
            parsed = platforms.parse(urljoin(result.url, found))
        except platforms.InvalidShareUrl:
            continue
        if parsed.kind == platforms.POST:
            return parsed
    return None


# --- authors --------------------------------------------------------------------


_ACCOUNTS_ATTR = "_registered_accounts"  # {platform: [(handle, profile_url), ...]}


def remember_accounts(share: Share, platform: str, accounts: list[tuple[str, str]]) -> None:
    """Hand the verifiers the accounts already loaded with ``share`` (saves a query)."""
    known = share.__dict__.setdefault(_ACCOUNTS_ATTR, {})
    known[platform] = list(accounts)


def registered_accounts(share: Share, platform: str) -> list[tuple[str, str]]:
    """(handle, profile_url) of the staff member's accounts on ``platform``."""
    known = share.__dict__.get(_ACCOUNTS_ATTR)
    if known is not None and platform in known:
        return list(known[platform])
    return list(
        SocialAccount.objects.filter(user_id=share.staff_id, platform=platform)
        .order_by("pk")
        .values_list("handle", "profile_url")
    )


def _no_account(share: Share, platform: str, author: str, result) -> Evidence:
    return Evidence(
        INCONCLUSIVE,
        f"the {label(platform)} post is by @{author}, but {share.staff} has no registered "
        f"{label(platform)} account to compare with",
        result.status,
        result.url,
        why=coded("review.no_account", platform=platform, author=author),
    )


def _match_author(share: Share, platform: str, author: str, result) -> Evidence:
    """Compare the author a platform names with the staff member's registered handles."""
    accounts = registered_accounts(share, platform)
    if not accounts:
        return _no_account(share, platform, author, result)
    handles = [handle.lstrip("@") for handle, _url in accounts]
    if author.lower() in {h.lower() for h in handles}:
        return Evidence(
            VERIFIED,
            f"{label(platform)} confirms the post is by @{author}, the registered account",
            result.status,
            result.url,
        )
    return Evidence(
        REJECTED,
        f"the post is by @{author}, not by the registered {label(platform)} account "
        + ", ".join(f"@{h}" for h in handles),
        result.status,
        result.url,
        why=coded(
            "rejected.author",
            platform=platform,
            author=author,
            handles=", ".join(f"@{h}" for h in handles),
        ),
    )


_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")


def _youtube_kind(handle: str, profile_url: str) -> str:
    """How a YouTube account is named: ``channel`` id, ``handle`` (@name), ``legacy`` (/c/)."""
    if _YOUTUBE_CHANNEL_ID.fullmatch(handle) or "/channel/" in profile_url:
        return "channel"
    if "/c/" in profile_url or "/user/" in profile_url:
        return "legacy"
    return "handle"


def _youtube_author(author_url: str) -> tuple[str, str] | None:
    """(kind, name) from an oEmbed ``author_url``."""
    parts = [p for p in urlsplit(author_url).path.split("/") if p]
    if not parts:
        return None
    if parts[0].startswith("@"):
        return "handle", parts[0][1:]
    if parts[0] == "channel" and len(parts) > 1:
        return "channel", parts[1]
    if parts[0] in ("c", "user") and len(parts) > 1:
        return "legacy", parts[1]
    return "legacy", parts[0]


def _match_youtube_author(share: Share, author_url: str, result) -> Evidence:
    author = _youtube_author(author_url)
    if author is None:
        return Evidence(
            EXISTS, "YouTube does not name the video's channel", result.status, result.url
        )
    kind, name = author
    accounts = registered_accounts(share, platforms.YOUTUBE)
    if not accounts:
        return _no_account(share, platforms.YOUTUBE, name, result)
    comparable = [h.lstrip("@") for h, url in accounts if _youtube_kind(h, url) == kind]
    if not comparable:
        return Evidence(
            INCONCLUSIVE,
            f"YouTube names the channel {author_url}, and the registered account "
            f"@{accounts[0][0]} is written another way: compare them by hand",
            result.status,
            result.url,
            why=coded("review.author_unchecked", platform=platforms.YOUTUBE),
        )
    if name.lower() in {h.lower() for h in comparable}:
        return Evidence(
            VERIFIED,
            f"YouTube confirms the video is by {name}, the registered channel",
            result.status,
            result.url,
        )
    return Evidence(
        REJECTED,
        f"the video is by {name}, not by the registered YouTube account "
        + ", ".join(f"@{h}" for h in comparable),
        result.status,
        result.url,
        why=coded(
            "rejected.author",
            platform=platforms.YOUTUBE,
            author=name,
            handles=", ".join(f"@{h}" for h in comparable),
        ),
    )


# --- oEmbed platforms: x, tiktok, youtube -------------------------------------------


def _confirm_gone(parsed: platforms.ParsedUrl, oembed: fetch.FetchResult) -> Evidence:
    """oEmbed said 404/410/400; a rate limit can look the same, so ask the post page too."""
    page = _get(parsed.normalized_url)
    _raise_if_temporary(page)
    said = f"{label(parsed.platform)} oEmbed answered {oembed.status}"
    if page.status in (404, 410):
        return Evidence(GONE, f"{said} and the post page {page.status}", page.status, page.url)
    text = page.body.decode(page.charset, errors="replace")
    if any(marker in text for marker in _GONE_MARKERS.get(parsed.platform, ())):
        return Evidence(
            GONE, f"{said} and the post page says it is unavailable", page.status, page.url
        )
    blocked = wall(page)
    return Evidence(
        INCONCLUSIVE,
        f"{said}, but the post page answered {page.status}"
        + (f" ({blocked})" if blocked else "")
        + ": possibly rate limiting, not a removed post",
        page.status,
        page.url,
    )


def _verify_by_oembed(
    share: Share,
    parsed: platforms.ParsedUrl,
    *,
    read_author: Callable[[dict], str],
    gone_statuses: frozenset[int],
    exists_statuses: frozenset[int] = frozenset(),
    match: Callable[[Share, str, fetch.FetchResult], Evidence] | None = None,
) -> Evidence:
    url = platforms.oembed_url(parsed)
    if url is None:
        return Evidence(INCONCLUSIVE, f"{label(parsed.platform)} has no oEmbed for this link")
    result = _get(url, accept=JSON_ACCEPT)
    _raise_if_temporary(result)
    name = label(parsed.platform)
    if result.status == 200:
        try:
            data = result.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return Evidence(
                INCONCLUSIVE,
                f"{name} oEmbed did not answer with JSON (a block or captcha page?)",
                result.status,
                result.url,
            )
        author = (read_author(data) or "").strip().lstrip("@")
        if not author:
            return Evidence(
                EXISTS, f"{name} oEmbed knows the post but names no author", 200, result.url
            )
        if match is not None:
            return match(share, author, result)
        return _match_author(share, parsed.platform, author, result)
    if result.status in exists_statuses:
        return Evidence(
            EXISTS,
            f"{name} oEmbed answered {result.status}: the post exists but its owner turned "
            "embedding off, which hides the author",
            result.status,
            result.url,
        )
    if result.status in gone_statuses:
        return _confirm_gone(parsed, result)
    if result.status in (401, 403):
        return Evidence(
            INCONCLUSIVE,
            f"{name} oEmbed answered {result.status}: the post is private, protected or "
            "age-restricted",
            result.status,
            result.url,
        )
    return Evidence(
        INCONCLUSIVE, f"{name} oEmbed answered {result.status}", result.status, result.url
    )


def _last_path_segment(url: str) -> str:
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[-1] if parts else ""


def verify_x(share: Share, parsed: platforms.ParsedUrl) -> Evidence:
    """publish.twitter.com/oembed on the twitter.com form of the URL: ``author_url``."""
    return _verify_by_oembed(
        share,
        parsed,
        read_author=lambda data: _last_path_segment(str(data.get("author_url") or "")),
        gone_statuses=frozenset({404, 410}),
    )


def verify_tiktok(share: Share, parsed: platforms.ParsedUrl) -> Evidence:
    """www.tiktok.com/oembed: ``author_unique_id`` (else the @name of ``author_url``)."""

    def author(data: dict) -> str:
        unique_id = str(data.get("author_unique_id") or "")
        return unique_id or _last_path_segment(str(data.get("author_url") or "")).lstrip("@")

    return _verify_by_oembed(
        share, parsed, read_author=author, gone_statuses=frozenset({400, 404, 410})
    )


def verify_youtube(share: Share, parsed: platforms.ParsedUrl) -> Evidence:
    """www.youtube.com/oembed: ``author_url``; 404/400 = gone (confirmed), 401 = embedding off."""

    def match(share: Share, author_url: str, result: fetch.FetchResult) -> Evidence:
        return _match_youtube_author(share, author_url, result)

    return _verify_by_oembed(
        share,
        parsed,
        read_author=lambda data: str(data.get("author_url") or ""),
        gone_statuses=frozenset({400, 404, 410}),
        exists_statuses=frozenset({401}),
        match=match,
    )


# --- page platforms: facebook, instagram, threads, linkedin -----------------------------


def verify_page(share: Share, parsed: platforms.ParsedUrl) -> Evidence:
    """Open the post page as an anonymous visitor; walls and captchas are inconclusive."""
    page = _get(parsed.normalized_url)
    _raise_if_temporary(page)
    name = label(parsed.platform)
    blocked = wall(page)
    if blocked:
        return Evidence(INCONCLUSIVE, f"{name}: {blocked}", page.status, page.url)
    if page.status in (404, 410):
        return Evidence(GONE, f"the {name} post page answered {page.status}", page.status, page.url)
    if page.status != 200:
        return Evidence(
            INCONCLUSIVE, f"the {name} post page answered {page.status}", page.status, page.url
        )
    text = _page_text(page)
    if any(marker in text for marker in _UNAVAILABLE_MARKERS):
        return Evidence(
            INCONCLUSIVE,
            f"{name} says the content is not available (deleted, or not public)",
            page.status,
            page.url,
        )
    shown = _page_post(page)
    if shown is not None and shown.author_handle:
        return _match_author(share, parsed.platform, shown.author_handle, page)
    return Evidence(
        EXISTS,
        f"the {name} post page opens, but does not show an anonymous visitor its author",
        page.status,
        page.url,
    )


VERIFIERS: dict[str, Callable[[Share, platforms.ParsedUrl], Evidence]] = {
    platforms.X: verify_x,
    platforms.TIKTOK: verify_tiktok,
    platforms.YOUTUBE: verify_youtube,
    platforms.FACEBOOK: verify_page,
    platforms.INSTAGRAM: verify_page,
    platforms.THREADS: verify_page,
    platforms.LINKEDIN: verify_page,
}


def verify(share: Share, parsed: platforms.ParsedUrl) -> Evidence:
    """Evidence about the post ``parsed`` (a post, not a short link) for ``share``."""
    verifier = VERIFIERS.get(parsed.platform)
    if verifier is None or parsed.kind != platforms.POST:
        return Evidence(INCONCLUSIVE, f"no verifier for this {label(parsed.platform)} link")
    try:
        return verifier(share, parsed)
    except fetch.FetchError as exc:
        return _refused(exc, parsed.normalized_url)


# --- short links --------------------------------------------------------------------


def _as_post(url: str) -> platforms.ParsedUrl | None:
    try:
        parsed = platforms.parse(url)
    except platforms.InvalidShareUrl:
        return None
    return parsed if parsed.kind == platforms.POST else None


def _off_platform(url: str) -> bool:
    return platforms.platform_for_host(urlsplit(url).hostname or "") is None


def resolve_short_link(parsed: platforms.ParsedUrl) -> Resolution:
    """Follow a short link hop by hop until it names a post (which is not fetched).

    Each hop goes through fetch (allow-list, SSRF checks) and the rate limit.
    A link that ends on a login page, stays on /share or leaves the platform is
    inconclusive; a short link that answers 404/410 is gone.
    """
    url = parsed.normalized_url
    seen: list[str] = []
    try:
        for _hop in range(MAX_SHORT_LINK_HOPS):
            seen.append(url)
            result = _get(url, follow_redirects=False)
            _raise_if_temporary(result)
            location = ""
            if result.status in fetch.REDIRECT_STATUSES:
                location = (result.headers.get("Location") or "").strip()
            elif result.status == 200:
                head = _head(result)
                location = head.refresh or head.canonical or head.og_url
            if location:
                target = urljoin(url, location)
                post = _as_post(target)
                if post is not None:
                    return Resolution(
                        post,
                        Evidence(
                            VERIFIED, f"the short link leads to {post.normalized_url}",
                            result.status, url,
                        ),
                    )  # fmt: skip
                if _off_platform(target):
                    host = urlsplit(target).hostname or target
                    return _unresolved(
                        f"the short link leads to {host}, not to a post", result, url
                    )
                if _is_wall_path(target):
                    return _unresolved(
                        f"the short link leads to a login page ({target})", result, url
                    )
                if result.status in fetch.REDIRECT_STATUSES and target not in seen:
                    url = target
                    continue
            if result.status in (404, 410):
                return Resolution(
                    None,
                    Evidence(
                        GONE,
                        f"the short link answered {result.status}: it leads nowhere",
                        result.status,
                        url,
                    ),
                )
            blocked = wall(result)
            if blocked:
                return _unresolved(f"the short link could not be expanded: {blocked}", result, url)
            return _unresolved(
                f"the short link stays on {result.url} (answered {result.status}) and does not "
                "name a post",
                result,
                url,
            )
        return _unresolved(
            f"the short link redirects more than {MAX_SHORT_LINK_HOPS} times", result, url
        )
    except fetch.FetchError as exc:
        return Resolution(None, _refused(exc, url))


def _unresolved(reason: str, result: fetch.FetchResult, url: str) -> Resolution:
    return Resolution(None, Evidence(INCONCLUSIVE, reason, result.status, url))
