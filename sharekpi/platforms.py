"""Which social platform a link belongs to, and the one key that names its post.

Used by campaigns (re-exported as ``campaigns.platforms``), verification and
accounts (profile links of staff accounts): it lives in ``sharekpi`` because it
is pure and every app may use it.

Everything that takes a share URL (the form, the API, the bookmarklet, the
phone share target and the verifier) calls :func:`parse`, so a link means the
same thing everywhere and the duplicate key (``normalized_url``) never depends
on where the link was pasted from. Pure functions, no I/O: short links are
recognised here but expanded by the verifier, which then calls :func:`parse`
again on the address they lead to.

Choices the rest of ShareKPI relies on:

* Query parameters are an allow-list per URL shape: only the ones that name the
  post (``story_fbid``, ``id``, ``fbid``, ``v``) are kept, sorted; every other
  parameter (utm_*, fbclid, igsh, si, s, t, __cft__[0], ...) is dropped.
  Fragments are dropped; no normalised path ends with a slash.
* Canonical hosts: ``www.facebook.com``, ``www.instagram.com``,
  ``www.tiktok.com``, ``x.com``, ``www.youtube.com``, ``www.linkedin.com`` and
  ``www.threads.com`` (Threads moved there from threads.net in 2025).
* One post, one key, where the URL alone proves it is the same post:
  YouTube ``/shorts/ID``, ``/live/ID``, ``/embed/ID`` and ``youtu.be/ID`` all
  become ``https://www.youtube.com/watch?v=ID`` (youtu.be is a post, not a short
  link); Facebook ``story.php`` becomes ``permalink.php``, photos become
  ``/photo?fbid=ID``, videos (``/<page>/videos/[slug/]ID``, ``video.php``)
  become ``/watch?v=ID``, group ``/permalink/ID`` becomes ``/posts/ID``;
  Instagram ``/<user>/p/CODE`` becomes ``/p/CODE`` and ``/reels/`` becomes
  ``/reel/``; X ``/i/web/status/ID`` becomes ``/i/status/ID``; LinkedIn
  ``/posts/<slug>-activity-ID-...`` becomes ``/feed/update/urn:li:activity:ID``.
* Handles (X, TikTok, Threads, Facebook page names, Instagram users) are
  lower-cased in the key: those platforms treat them case-insensitively.
  Post codes (pfbid..., Instagram and Threads shortcodes, short-link codes) are
  case-sensitive and kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlencode, urlsplit

from django.utils.translation import gettext_noop

__all__ = [
    "FACEBOOK",
    "INSTAGRAM",
    "LINKEDIN",
    "PLATFORMS",
    "PLATFORM_LABELS",
    "POST",
    "SHORT_LINK",
    "THREADS",
    "TIKTOK",
    "YOUTUBE",
    "InvalidShareUrl",
    "ParsedUrl",
    "X",
    "fetch_hosts",
    "normalize",
    "oembed_url",
    "parse",
    "parse_profile",
    "platform_for_host",
    "with_article",
]

# Equal to accounts.models.Platform values (a test checks it). Plain strings
# here so this module imports without Django settings.
FACEBOOK = "facebook"
INSTAGRAM = "instagram"
TIKTOK = "tiktok"
X = "x"
YOUTUBE = "youtube"
LINKEDIN = "linkedin"
THREADS = "threads"

PLATFORM_LABELS: dict[str, str] = {
    FACEBOOK: "Facebook",
    INSTAGRAM: "Instagram",
    TIKTOK: "TikTok",
    X: "X (Twitter)",
    YOUTUBE: "YouTube",
    LINKEDIN: "LinkedIn",
    THREADS: "Threads",
}
PLATFORMS: tuple[str, ...] = tuple(PLATFORM_LABELS)
# English says "an" before a vowel sound: an Instagram post, an X ("ex") post.
_AN_PLATFORMS = frozenset({INSTAGRAM, X})

POST = "post"
SHORT_LINK = "short_link"

MAX_URL_LENGTH = 2000

# ---------------------------------------------------------------------------
# Hosts per platform
# ---------------------------------------------------------------------------

# The host every normalised post URL uses.
CANONICAL_HOSTS: dict[str, str] = {
    FACEBOOK: "www.facebook.com",
    INSTAGRAM: "www.instagram.com",
    TIKTOK: "www.tiktok.com",
    X: "x.com",
    YOUTUBE: "www.youtube.com",
    LINKEDIN: "www.linkedin.com",
    THREADS: "www.threads.com",
}

# Other hosts that serve the same pages (bare, mobile, old names); folded to
# the canonical host.
ALIAS_HOSTS: dict[str, frozenset[str]] = {
    FACEBOOK: frozenset(
        {
            "facebook.com",
            "m.facebook.com",
            "mbasic.facebook.com",
            "web.facebook.com",
            "touch.facebook.com",
            "mobile.facebook.com",
            "free.facebook.com",
            "fb.com",
            "www.fb.com",
        }
    ),
    INSTAGRAM: frozenset({"instagram.com", "m.instagram.com", "instagr.am", "www.instagr.am"}),
    TIKTOK: frozenset({"tiktok.com", "m.tiktok.com"}),
    X: frozenset(
        {
            "www.x.com",
            "mobile.x.com",
            "twitter.com",
            "www.twitter.com",
            "mobile.twitter.com",
            "m.twitter.com",
        }
    ),
    YOUTUBE: frozenset({"youtube.com", "m.youtube.com"}),
    LINKEDIN: frozenset({"linkedin.com", "m.linkedin.com"}),
    THREADS: frozenset({"threads.com", "threads.net", "www.threads.net"}),
}

# Regional hosts, too many to list (es-la.facebook.com, en-gb.facebook.com,
# uk.linkedin.com, my.linkedin.com); also folded to the canonical host.
REGIONAL_HOST_PATTERNS: dict[str, re.Pattern[str]] = {
    FACEBOOK: re.compile(r"[a-z]{2}-[a-z]{2}\.facebook\.com"),
    LINKEDIN: re.compile(r"[a-z]{2}\.linkedin\.com"),
}

# Hosts whose paths are opaque codes that only the platform can expand.
# youtu.be is listed for recognition but is expanded here, at once.
SHORT_LINK_HOSTS: dict[str, frozenset[str]] = {
    FACEBOOK: frozenset({"fb.watch"}),
    TIKTOK: frozenset({"vt.tiktok.com", "vm.tiktok.com"}),
    X: frozenset({"t.co"}),
    YOUTUBE: frozenset({"youtu.be"}),
    LINKEDIN: frozenset({"lnkd.in"}),
}

# Public oEmbed endpoints the verifier asks for the author of a post.
OEMBED_HOSTS: frozenset[str] = frozenset(
    {"publish.twitter.com", "twitter.com", "www.tiktok.com", "www.youtube.com"}
)

_HOST_PLATFORM: dict[str, str] = {
    host: platform
    for table in (
        {p: frozenset({h}) for p, h in CANONICAL_HOSTS.items()},
        ALIAS_HOSTS,
        SHORT_LINK_HOSTS,
    )
    for platform, hosts in table.items()
    for host in hosts
}

_FETCH_HOSTS: frozenset[str] = frozenset(_HOST_PLATFORM) | OEMBED_HOSTS

# ---------------------------------------------------------------------------
# Token shapes
# ---------------------------------------------------------------------------

_FACEBOOK_ID = re.compile(r"\d{1,30}|pfbid[0-9A-Za-z]{10,200}")
_NUMERIC_ID = re.compile(r"\d{1,30}")
_POST_CODE = re.compile(r"[A-Za-z0-9_-]{4,100}")
_SHORT_CODE = re.compile(r"[A-Za-z0-9_-]{1,100}")
_YOUTUBE_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_LINKEDIN_URN = re.compile(r"urn:li:(activity|share|ugcpost):(\d{1,30})", re.IGNORECASE)
_LINKEDIN_SLUG_URN = re.compile(r"-(activity|share|ugcpost)-(\d{1,30})(?:-|$)", re.IGNORECASE)
_LINKEDIN_URN_TYPES = {"activity": "activity", "share": "share", "ugcpost": "ugcPost"}


def _handle_pattern(characters: str) -> re.Pattern[str]:
    """A handle of ``characters`` that is not only dots (".." must never reach a URL path)."""
    return re.compile(rf"(?!\.+\Z){characters}")


# What a handle may look like, per platform (ASCII unless the platform allows more).
HANDLE_PATTERNS: dict[str, re.Pattern[str]] = {
    FACEBOOK: _handle_pattern(r"[A-Za-z0-9._-]{1,100}"),
    INSTAGRAM: _handle_pattern(r"[A-Za-z0-9._]{1,30}"),
    TIKTOK: _handle_pattern(r"[A-Za-z0-9._]{1,30}"),
    X: _handle_pattern(r"[A-Za-z0-9_]{1,20}"),
    YOUTUBE: _handle_pattern(r"[\w.-]{3,100}"),
    LINKEDIN: _handle_pattern(r"[\w-]{2,100}"),
    THREADS: _handle_pattern(r"[A-Za-z0-9._]{1,30}"),
}

# Canonical profile URL of a handle.
PROFILE_URL_TEMPLATES: dict[str, str] = {
    FACEBOOK: "https://www.facebook.com/{}",
    INSTAGRAM: "https://www.instagram.com/{}",
    TIKTOK: "https://www.tiktok.com/@{}",
    X: "https://x.com/{}",
    YOUTUBE: "https://www.youtube.com/@{}",
    LINKEDIN: "https://www.linkedin.com/in/{}",
    THREADS: "https://www.threads.com/@{}",
}

# ---------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------

ADVICE = gettext_noop("open the post itself and copy its link.")


def _(message: str) -> str:
    """``message`` in the reader's language (gettext at call time). Plain English where
    Django's settings are not loaded: the bench's fake platform server uses these rules
    without Django. Module-level texts are marked with ``gettext_noop`` and pass here."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


def with_article(platform: str) -> str:
    """The platform's name with the indefinite article its sound takes in English,
    "a TikTok", "an Instagram", "an X (Twitter)", in the reader's language
    (languages without articles translate both to the name alone). An unknown code
    is shown as it is."""
    label = PLATFORM_LABELS.get(platform, platform)
    if platform in _AN_PLATFORMS:
        return _("an %(platform)s") % {"platform": label}
    return _("a %(platform)s") % {"platform": label}


class InvalidShareUrl(ValueError):
    """A link that cannot be logged as a share.

    ``str(exc)`` is a sentence a staff member understands; ``code`` is stable
    for programs: empty, too_long, scheme, credentials, malformed,
    unknown_host, profile, hashtag, search, home, not_post (and not_profile,
    from :func:`parse_profile` only).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedUrl:
    """What a share link says about itself, before anything is fetched."""

    platform: str  # a Platform value
    kind: str  # POST or SHORT_LINK
    normalized_url: str  # the duplicate key
    post_id: str | None
    author_handle: str | None  # lower-case, no "@", where the URL shows it


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def parse(url: str) -> ParsedUrl:
    """Recognise a pasted share link, or say in plain words why it is refused."""
    link = _read_link(url)
    return _POST_PARSERS[link.platform](link)


def normalize(url: str) -> str:
    """The duplicate key of a share link (raises InvalidShareUrl like :func:`parse`)."""
    return parse(url).normalized_url


def platform_for_host(host: str) -> str | None:
    """The platform a host belongs to, mobile, regional and short-link hosts included."""
    host = host.strip().lower().rstrip(".")
    if host in _HOST_PLATFORM:
        return _HOST_PLATFORM[host]
    for platform, pattern in REGIONAL_HOST_PATTERNS.items():
        if pattern.fullmatch(host):
            return platform
    return None


def fetch_hosts() -> frozenset[str]:
    """Every host the verifier may need to fetch: its outbound allow-list.

    Regional hosts are not listed: the verifier fetches normalised URLs, which
    always use the canonical host.
    """
    return _FETCH_HOSTS


def oembed_url(parsed: ParsedUrl) -> str | None:
    """The public oEmbed address that tells who wrote a post, where one exists.

    Only x, tiktok and youtube give an anonymous server the author; short
    links must be expanded (and parsed again) first, so they get None.
    """
    if parsed.kind != POST:
        return None
    if parsed.platform == X:
        # publish.twitter.com only knows twitter.com addresses.
        twitter_url = "https://twitter.com/" + parsed.normalized_url.removeprefix("https://x.com/")
        return "https://publish.twitter.com/oembed?" + urlencode({"url": twitter_url})
    if parsed.platform == TIKTOK:
        return "https://www.tiktok.com/oembed?" + urlencode({"url": parsed.normalized_url})
    if parsed.platform == YOUTUBE:
        query = urlencode({"url": parsed.normalized_url, "format": "json"})
        return "https://www.youtube.com/oembed?" + query
    return None


def parse_profile(url_or_handle: str, platform: str) -> tuple[str, str]:
    """(handle, canonical profile URL) of an account, for registering a SocialAccount.

    Accepts "@name", "name" or a profile URL. The handle is lower-case, except
    YouTube channel ids (``UC...``), which are case-sensitive; a Facebook
    profile without a user name is its numeric id.
    """
    if platform not in PLATFORM_LABELS:
        raise ValueError(f"Unknown platform {platform!r}; expected one of {PLATFORMS}.")
    text = url_or_handle.strip()
    if not text:
        raise InvalidShareUrl(
            "empty", _("Enter the account's handle (like @name) or the link to its profile page.")
        )
    if "/" in text or ":" in text or text.lower() in _HOST_PLATFORM:
        return _profile_from_url(text, platform)
    return _profile_from_handle(text, platform)


# ---------------------------------------------------------------------------
# Reading a link: the checks every platform shares
# ---------------------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# "www.facebook.com:443/..." is a host and port, not a scheme.
_HOST_AND_PORT = re.compile(r"[^/:@]*\.[^/:@]*:\d+(?:[/?#]|$)")


@dataclass(frozen=True)
class _Link:
    """A link that passed the shared checks, split into what the parsers read."""

    platform: str
    host: str
    segments: tuple[str, ...]  # percent-decoded, empty ones (slashes) removed
    query: dict[str, str]  # first value of each parameter

    def seg(self, index: int) -> str:
        return self.segments[index] if index < len(self.segments) else ""

    def key(self, index: int) -> str:
        """A path segment lower-cased, for comparing with fixed words like "posts"."""
        return self.seg(index).lower()

    def param(self, name: str) -> str:
        return self.query.get(name, "")


def _read_link(url: str) -> _Link:
    text = _check_text(url)
    parts = _split(_with_scheme(text))
    host = _check_host(parts)
    platform = platform_for_host(host)
    if platform is None:
        raise InvalidShareUrl(
            "unknown_host",
            _(
                "%(host)s is not a platform ShareKPI knows. Supported: %(platforms)s. "
                "Copy the link of the post on one of those."
            )
            % {"host": host, "platforms": _supported_list()},
        )
    segments = tuple(unquote(s) for s in parts.path.split("/") if s)
    return _Link(platform, host, segments, _read_query(parts.query))


# Invisible marks that apps paste around links (zero-width space, direction marks, BOM).
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


# Whitespace (\s: what str.isspace calls space, Unicode's included) or a control character.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def _check_text(url: str) -> str:
    text = (url or "").strip().strip(_INVISIBLE).strip()
    if not text:
        raise InvalidShareUrl("empty", _("The link is empty: paste the link to the post."))
    if len(text) > MAX_URL_LENGTH:
        raise InvalidShareUrl(
            "too_long",
            _(
                "This link is %(length)s characters long; a post link is never longer than "
                "%(max)s. Copy the link again with the post's Share button."
            )
            % {"length": f"{len(text):,}", "max": f"{MAX_URL_LENGTH:,}"},
        )
    if _SPACE_OR_CONTROL.search(text):
        raise InvalidShareUrl(
            "malformed",
            _(
                "This contains spaces or line breaks, so it is not one link: paste only the "
                "link to the post."
            ),
        )
    return text


def _with_scheme(text: str) -> str:
    """Add https:// to "facebook.com/..." (phones often copy links that way); refuse
    anything that is not a web link (javascript:, data:, file:, ftp:, ...)."""
    if text.startswith("//"):
        return "https:" + text
    match = _SCHEME.match(text)
    if match is None or _HOST_AND_PORT.match(text):
        return "https://" + text
    scheme = match.group(1).lower()
    if scheme not in ("http", "https"):
        raise InvalidShareUrl(
            "scheme",
            _(
                'This starts with "%(scheme)s:", so it is not a web link to a post. '
                "Only links starting with https:// (or http://) can be logged."
            )
            % {"scheme": scheme[:20]},
        )
    return text


def _split(text: str) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError:
        raise InvalidShareUrl(
            "malformed",
            _("This does not look like a web link: copy the link to the post again."),
        ) from None


def _check_host(parts: SplitResult) -> str:
    """The lower-case host, once credentials, odd ports and missing hosts are ruled out."""
    if "@" in parts.netloc:
        raise InvalidShareUrl(
            "credentials",
            _(
                "This link carries a user name or password before the host (the part before "
                '"@"); links to posts never do. Copy the link again from the post itself.'
            ),
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port not in (None, 80, 443):
        raise InvalidShareUrl(
            "malformed",
            _(
                "This link names an unusual port after the host; links to posts never do. "
                "Copy the link again from the post itself."
            ),
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidShareUrl(
            "malformed",
            _("This link has no host name (like www.facebook.com): copy the whole link again."),
        )
    return host


def _read_query(query: str) -> dict[str, str]:
    # Links copied out of e-mails and web pages sometimes keep "&amp;".
    values = parse_qs(query.replace("&amp;", "&"), keep_blank_values=True)
    return {name: found[0] for name, found in values.items()}


def _supported_list() -> str:
    labels = list(PLATFORM_LABELS.values())
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


# ---------------------------------------------------------------------------
# Building answers and refusals
# ---------------------------------------------------------------------------


def _post(
    platform: str,
    path: str,
    *,
    post_id: str | None,
    author: str | None = None,
    query: dict[str, str] | None = None,
) -> ParsedUrl:
    url = f"https://{CANONICAL_HOSTS[platform]}{path}"
    if query:
        url += "?" + urlencode(sorted(query.items()))
    return ParsedUrl(platform, POST, url, post_id, author.lower() if author else None)


def _short_link(platform: str, host: str, path: str) -> ParsedUrl:
    return ParsedUrl(platform, SHORT_LINK, f"https://{host}{path}", None, None)


_WHAT_BY_CODE = {
    "profile": gettext_noop("a profile page"),
    "hashtag": gettext_noop("a hashtag page"),
    "search": gettext_noop("a search or explore page"),
    "home": gettext_noop("the home page"),
}


def _not_a_post(platform: str, code: str, what: str | None = None) -> InvalidShareUrl:
    """A refusal that names the kind of page and how to get the right link."""
    what = what or _WHAT_BY_CODE.get(code, gettext_noop("another kind of page"))
    return InvalidShareUrl(
        code,
        _("This %(platform)s link is %(what)s, not a post: %(advice)s")
        % {"platform": PLATFORM_LABELS[platform], "what": _(what), "advice": _(ADVICE)},
    )


def _valid(value: str, pattern: re.Pattern[str], platform: str, what: str) -> str:
    """``value`` if it has the shape ``pattern`` demands, else a refusal naming ``what``."""
    if not pattern.fullmatch(value):
        raise _bad_token(platform, what, value)
    return value


def _bad_token(platform: str, what: str, value: str) -> InvalidShareUrl:
    shown = value if len(value) <= 40 else value[:40] + "..."
    return InvalidShareUrl(
        "malformed",
        _(
            'The %(what)s in this %(platform)s link ("%(value)s") is not valid: '
            "copy the link again with the post's Share button."
        )
        % {"what": _(what), "platform": PLATFORM_LABELS[platform], "value": shown},
    )


def _short_code(link: _Link, index: int) -> str:
    """The code of a short link, which must be there."""
    code = link.seg(index)
    if not code:
        raise _not_a_post(
            link.platform, "not_post", gettext_noop("a short-link address without its code")
        )
    return _valid(code, _SHORT_CODE, link.platform, gettext_noop("short-link code"))


# ---------------------------------------------------------------------------
# Facebook
# ---------------------------------------------------------------------------

# First path segments that are Facebook features, not page names.
FACEBOOK_NOT_POST_PAGES: dict[str, str] = {
    "login": gettext_noop("the login page"),
    "login.php": gettext_noop("the login page"),
    "checkpoint": gettext_noop("a login check page"),
    "recover": gettext_noop("a login page"),
    "settings": gettext_noop("a settings page"),
    "events": gettext_noop("an event page"),
    "marketplace": gettext_noop("a Marketplace page"),
    "gaming": gettext_noop("a gaming page"),
    "friends": gettext_noop("the friends list"),
    "notifications": gettext_noop("the notifications list"),
    "messages": gettext_noop("a messages page"),
    "bookmarks": gettext_noop("the bookmarks list"),
    "saved": gettext_noop("your saved items"),
    "memories": gettext_noop("your memories"),
    "stories": gettext_noop("a story (stories disappear after a day)"),
    "help": gettext_noop("a help page"),
    "privacy": gettext_noop("a privacy page"),
    "policies": gettext_noop("a policy page"),
    "ads": gettext_noop("an ads page"),
    "business": gettext_noop("a business page"),
    "sharer.php": gettext_noop("Facebook's share dialog"),
    "sharer": gettext_noop("Facebook's share dialog"),
    "dialog": gettext_noop("a Facebook dialog"),
    "l.php": gettext_noop("a link to another website"),
    "fundraisers": gettext_noop("a fundraiser page"),
    "live": gettext_noop("the live videos page"),
    "reels": gettext_noop("the Reels tab"),
    "media": gettext_noop("a photo album"),
    "feeds": gettext_noop("a feed"),
}


def _parse_facebook(link: _Link) -> ParsedUrl:
    if link.host in SHORT_LINK_HOSTS[FACEBOOK]:
        return _short_link(FACEBOOK, link.host, "/" + _short_code(link, 0))
    first = link.key(0)
    if not first or first == "home.php":
        raise _not_a_post(FACEBOOK, "home")
    route = _FACEBOOK_ROUTES.get(first)
    if route is not None:
        return route(link)
    if first in FACEBOOK_NOT_POST_PAGES:
        raise _not_a_post(FACEBOOK, "not_post", FACEBOOK_NOT_POST_PAGES[first])
    return _facebook_page_path(link)


def _facebook_permalink(link: _Link) -> ParsedUrl:
    """permalink.php and story.php (its mobile twin) name a post by story_fbid and id."""
    story = link.param("story_fbid")
    if not story:
        raise _not_a_post(
            FACEBOOK, "not_post", gettext_noop("a link without the post it points to")
        )
    query = {"story_fbid": _valid(story, _FACEBOOK_ID, FACEBOOK, gettext_noop("post id"))}
    if link.param("id"):
        query["id"] = _valid(link.param("id"), _NUMERIC_ID, FACEBOOK, gettext_noop("page id"))
    return _post(FACEBOOK, "/permalink.php", post_id=story, query=query)


def _facebook_photo_query(link: _Link) -> ParsedUrl:
    fbid = link.param("fbid")
    if not fbid:
        raise _not_a_post(
            FACEBOOK, "not_post", gettext_noop("a photo page without the photo it shows")
        )
    return _facebook_photo(
        _valid(fbid, _NUMERIC_ID, FACEBOOK, gettext_noop("photo id")), author=None
    )


def _facebook_photo(fbid: str, author: str | None) -> ParsedUrl:
    return _post(FACEBOOK, "/photo", post_id=fbid, author=author, query={"fbid": fbid})


def _facebook_watch_query(link: _Link) -> ParsedUrl:
    video = link.param("v")
    if not video:
        raise _not_a_post(FACEBOOK, "not_post", gettext_noop("the Watch page without a video"))
    return _facebook_video(
        _valid(video, _NUMERIC_ID, FACEBOOK, gettext_noop("video id")), author=None
    )


def _facebook_video(video_id: str, author: str | None) -> ParsedUrl:
    return _post(FACEBOOK, "/watch", post_id=video_id, author=author, query={"v": video_id})


def _facebook_reel(link: _Link) -> ParsedUrl:
    if not link.seg(1):
        raise _not_a_post(FACEBOOK, "not_post", gettext_noop("the Reels tab"))
    reel = _valid(link.seg(1), _NUMERIC_ID, FACEBOOK, gettext_noop("reel id"))
    return _post(FACEBOOK, f"/reel/{reel}", post_id=reel)


def _facebook_group(link: _Link) -> ParsedUrl:
    group = link.seg(1)
    if not group:
        raise _not_a_post(FACEBOOK, "not_post", gettext_noop("the groups page"))
    group = _valid(group, HANDLE_PATTERNS[FACEBOOK], FACEBOOK, gettext_noop("group name")).lower()
    post = ""
    if link.key(2) in ("posts", "permalink"):
        post = link.seg(3)
    elif link.param("view") == "permalink":  # old mobile form: /groups/<g>?view=permalink&id=
        post = link.param("id")
    if not post:
        raise _not_a_post(FACEBOOK, "not_post", gettext_noop("a group's page"))
    post = _valid(post, _FACEBOOK_ID, FACEBOOK, gettext_noop("post id"))
    return _post(FACEBOOK, f"/groups/{group}/posts/{post}", post_id=post)


def _facebook_share(link: _Link) -> ParsedUrl:
    """/share/p/CODE (post), /share/r/ (reel), /share/v/ (video), /share/CODE (any)."""
    if link.key(1) in ("p", "r", "v") and link.seg(2):
        path = f"/share/{link.key(1)}/{_short_code(link, 2)}"
    else:
        path = f"/share/{_short_code(link, 1)}"
    return _short_link(FACEBOOK, CANONICAL_HOSTS[FACEBOOK], path)


def _facebook_refusal(code: str, what: str | None = None) -> Callable[[_Link], ParsedUrl]:
    def refuse(link: _Link) -> ParsedUrl:
        raise _not_a_post(FACEBOOK, code, what)

    return refuse


_FACEBOOK_ROUTES: dict[str, Callable[[_Link], ParsedUrl]] = {
    "permalink.php": _facebook_permalink,
    "story.php": _facebook_permalink,
    "photo.php": _facebook_photo_query,
    "photo": _facebook_photo_query,
    "watch": _facebook_watch_query,
    "video.php": _facebook_watch_query,
    "reel": _facebook_reel,
    "groups": _facebook_group,
    "share": _facebook_share,
    "hashtag": _facebook_refusal("hashtag"),
    "search": _facebook_refusal("search"),
    "profile.php": _facebook_refusal("profile"),
    "people": _facebook_refusal("profile"),
    "pages": _facebook_refusal("profile"),  # /pages/<Name>/<id>: an old page address
}


def _facebook_page_path(link: _Link) -> ParsedUrl:
    """/<page>/posts/ID, /<page>/videos/[slug/]ID, /<page>/photos/[album/]ID; else a profile."""
    page = _valid(
        link.seg(0), HANDLE_PATTERNS[FACEBOOK], FACEBOOK, gettext_noop("page name")
    ).lower()
    section = link.key(1)
    if section == "posts" and link.seg(2):
        post = _valid(link.seg(2), _FACEBOOK_ID, FACEBOOK, gettext_noop("post id"))
        return _post(FACEBOOK, f"/{page}/posts/{post}", post_id=post, author=page)
    last = link.segments[-1]
    if section == "videos" and link.seg(2):
        if not _NUMERIC_ID.fullmatch(last):
            raise _not_a_post(FACEBOOK, "not_post", gettext_noop("a list of videos"))
        return _facebook_video(last, author=page)
    if section == "photos" and link.seg(2):
        if not _NUMERIC_ID.fullmatch(last):
            raise _not_a_post(FACEBOOK, "not_post", gettext_noop("a photo album"))
        return _facebook_photo(last, author=page)
    raise _not_a_post(FACEBOOK, "profile")


# ---------------------------------------------------------------------------
# Instagram
# ---------------------------------------------------------------------------

# Path word -> the one the normalised URL uses.
INSTAGRAM_POST_PATHS = {"p": "p", "reel": "reel", "reels": "reel", "tv": "tv"}

INSTAGRAM_NOT_POST_PAGES: dict[str, str] = {
    "accounts": gettext_noop("an account page (login or settings)"),
    "direct": gettext_noop("a direct-messages page"),
    "stories": gettext_noop("a story (stories disappear after a day)"),
    "about": gettext_noop("an about page"),
    "legal": gettext_noop("a legal page"),
    "developer": gettext_noop("a developer page"),
    "web": gettext_noop("an Instagram feature page"),
    "challenge": gettext_noop("a login check page"),
    "emails": gettext_noop("an e-mail settings page"),
    "directory": gettext_noop("the directory"),
    "locations": gettext_noop("a place page"),
}


def _parse_instagram(link: _Link) -> ParsedUrl:
    first = link.key(0)
    if not first:
        raise _not_a_post(INSTAGRAM, "home")
    if first in INSTAGRAM_POST_PATHS:
        return _instagram_post(link, kind_index=0, author=None)
    if first == "share":
        tokens = [_short_code(link, i) for i in range(1, max(len(link.segments), 2))]
        return _short_link(INSTAGRAM, CANONICAL_HOSTS[INSTAGRAM], "/share/" + "/".join(tokens))
    if first == "explore":
        if link.key(1) == "tags":
            raise _not_a_post(INSTAGRAM, "hashtag")
        if link.key(1) == "locations":
            raise _not_a_post(INSTAGRAM, "not_post", gettext_noop("a place page"))
        raise _not_a_post(INSTAGRAM, "search")
    if first in INSTAGRAM_NOT_POST_PAGES:
        raise _not_a_post(INSTAGRAM, "not_post", INSTAGRAM_NOT_POST_PAGES[first])
    user = _valid(link.seg(0), HANDLE_PATTERNS[INSTAGRAM], INSTAGRAM, gettext_noop("user name"))
    if link.key(1) in INSTAGRAM_POST_PATHS and link.seg(2):
        return _instagram_post(link, kind_index=1, author=user)
    raise _not_a_post(INSTAGRAM, "profile")


def _instagram_post(link: _Link, *, kind_index: int, author: str | None) -> ParsedUrl:
    """/p/CODE, /reel/CODE, /tv/CODE, also under /<user>/ (which the key drops)."""
    kind = INSTAGRAM_POST_PATHS[link.key(kind_index)]
    code = link.seg(kind_index + 1)
    if not code:
        raise _not_a_post(INSTAGRAM, "not_post", gettext_noop("a list of posts"))
    code = _valid(code, _POST_CODE, INSTAGRAM, gettext_noop("post code"))
    return _post(INSTAGRAM, f"/{kind}/{code}", post_id=code, author=author)


# ---------------------------------------------------------------------------
# TikTok
# ---------------------------------------------------------------------------

TIKTOK_NOT_POST_PAGES: dict[str, str] = {
    "music": gettext_noop("a sound page"),
    "live": gettext_noop("the live page"),
    "login": gettext_noop("the login page"),
    "signup": gettext_noop("the sign-up page"),
    "setting": gettext_noop("a settings page"),
    "settings": gettext_noop("a settings page"),
    "messages": gettext_noop("a messages page"),
    "upload": gettext_noop("the upload page"),
    "effect": gettext_noop("an effect page"),
    "place": gettext_noop("a place page"),
    "business": gettext_noop("a business page"),
}
TIKTOK_FEEDS = frozenset({"foryou", "following", "friends"})
TIKTOK_SEARCH_PAGES = frozenset({"search", "explore", "discover"})


def _parse_tiktok(link: _Link) -> ParsedUrl:
    if link.host in SHORT_LINK_HOSTS[TIKTOK]:
        return _short_link(TIKTOK, link.host, "/" + _short_code(link, 0))
    first = link.key(0)
    if not first or first in TIKTOK_FEEDS:
        raise _not_a_post(TIKTOK, "home")
    if first.startswith("@"):
        return _tiktok_user_path(link)
    if first == "t":
        return _short_link(TIKTOK, CANONICAL_HOSTS[TIKTOK], "/t/" + _short_code(link, 1))
    if first == "tag":
        raise _not_a_post(TIKTOK, "hashtag")
    if first in TIKTOK_SEARCH_PAGES:
        raise _not_a_post(TIKTOK, "search")
    raise _not_a_post(TIKTOK, "not_post", TIKTOK_NOT_POST_PAGES.get(first))


def _tiktok_user_path(link: _Link) -> ParsedUrl:
    """/@user/video/ID and /@user/photo/ID; anything else under /@user is the profile."""
    user = _valid(link.seg(0)[1:], HANDLE_PATTERNS[TIKTOK], TIKTOK, gettext_noop("user name"))
    kind = link.key(1)
    if kind in ("video", "photo") and link.seg(2):
        post = _valid(link.seg(2), _NUMERIC_ID, TIKTOK, gettext_noop("video id"))
        return _post(TIKTOK, f"/@{user.lower()}/{kind}/{post}", post_id=post, author=user)
    raise _not_a_post(TIKTOK, "profile")


# ---------------------------------------------------------------------------
# X (Twitter)
# ---------------------------------------------------------------------------

X_NOT_POST_PAGES: dict[str, str] = {
    "settings": gettext_noop("a settings page"),
    "notifications": gettext_noop("the notifications list"),
    "messages": gettext_noop("a messages page"),
    "login": gettext_noop("the login page"),
    "logout": gettext_noop("the logout page"),
    "signup": gettext_noop("the sign-up page"),
    "compose": gettext_noop("the compose page"),
    "intent": gettext_noop("a share or follow dialog"),
    "share": gettext_noop("a share dialog"),
    "tos": gettext_noop("the terms of service"),
    "privacy": gettext_noop("the privacy policy"),
    "account": gettext_noop("an account page"),
    "jobs": gettext_noop("the jobs page"),
    "download": gettext_noop("the download page"),
}
X_SEARCH_PAGES = frozenset({"search", "explore", "trending"})


def _parse_x(link: _Link) -> ParsedUrl:
    if link.host in SHORT_LINK_HOSTS[X]:
        return _short_link(X, link.host, "/" + _short_code(link, 0))
    first = link.key(0)
    if not first or first == "home":
        raise _not_a_post(X, "home")
    if first == "i":
        return _x_anonymous_status(link)
    if first == "hashtag":
        raise _not_a_post(X, "hashtag")
    if first in X_SEARCH_PAGES:
        raise _not_a_post(X, "search")
    if first in X_NOT_POST_PAGES:
        raise _not_a_post(X, "not_post", X_NOT_POST_PAGES[first])
    user = _valid(link.seg(0), HANDLE_PATTERNS[X], X, gettext_noop("user name")).lower()
    if link.key(1) in ("status", "statuses") and link.seg(2):
        # Drops /photo/1, /video/1, /analytics, /likes ... after the id.
        post = _valid(link.seg(2), _NUMERIC_ID, X, gettext_noop("post id"))
        return _post(X, f"/{user}/status/{post}", post_id=post, author=user)
    raise _not_a_post(X, "profile")


def _x_anonymous_status(link: _Link) -> ParsedUrl:
    """/i/web/status/ID and /i/status/ID: a post whose author the URL does not show."""
    words = [link.key(1), link.key(2)]
    if words == ["web", "status"]:
        post = link.seg(3)
    elif words[0] == "status":
        post = link.seg(2)
    else:
        raise _not_a_post(X, "not_post", gettext_noop("an X app page"))
    if not post:
        raise _not_a_post(X, "not_post", gettext_noop("a link without the post it points to"))
    post = _valid(post, _NUMERIC_ID, X, gettext_noop("post id"))
    return _post(X, f"/i/status/{post}", post_id=post)


# ---------------------------------------------------------------------------
# YouTube
# ---------------------------------------------------------------------------

YOUTUBE_VIDEO_PATHS = frozenset({"shorts", "live", "embed", "v"})
YOUTUBE_PROFILE_PATHS = frozenset({"channel", "c", "user"})
YOUTUBE_NOT_POST_PAGES: dict[str, str] = {
    "playlist": gettext_noop("a playlist, not one video"),
    "feed": gettext_noop("a feed"),
    "account": gettext_noop("an account page"),
    "signin": gettext_noop("the sign-in page"),
    "premium": gettext_noop("the Premium page"),
    "gaming": gettext_noop("the gaming page"),
    "about": gettext_noop("an about page"),
    "t": gettext_noop("a terms page"),
    "howyoutubeworks": gettext_noop("an about page"),
}


def _parse_youtube(link: _Link) -> ParsedUrl:
    if link.host in SHORT_LINK_HOSTS[YOUTUBE]:  # youtu.be/ID: expanded here, at once
        if not link.seg(0):
            raise _not_a_post(YOUTUBE, "home")
        return _youtube_video(link.seg(0))
    first = link.key(0)
    if not first:
        raise _not_a_post(YOUTUBE, "home")
    if first == "watch":
        if not link.param("v"):
            raise _not_a_post(YOUTUBE, "not_post", gettext_noop("a watch page without a video"))
        return _youtube_video(link.param("v"))
    if first in YOUTUBE_VIDEO_PATHS:
        if not link.seg(1):
            raise _not_a_post(YOUTUBE, "not_post", gettext_noop("a page without a video"))
        return _youtube_video(link.seg(1))
    if first == "results":
        raise _not_a_post(YOUTUBE, "search")
    if first == "hashtag":
        raise _not_a_post(YOUTUBE, "hashtag")
    if first.startswith("@") or first in YOUTUBE_PROFILE_PATHS:
        raise _not_a_post(YOUTUBE, "profile")
    if first in YOUTUBE_NOT_POST_PAGES or len(link.segments) > 1:
        raise _not_a_post(YOUTUBE, "not_post", YOUTUBE_NOT_POST_PAGES.get(first))
    raise _not_a_post(YOUTUBE, "profile")  # youtube.com/<name>: an old channel URL


def _youtube_video(video_id: str) -> ParsedUrl:
    """Every YouTube video shape gets the one key watch?v=ID (shorts, live, youtu.be...)."""
    video_id = _valid(video_id, _YOUTUBE_VIDEO_ID, YOUTUBE, gettext_noop("video id"))
    return _post(YOUTUBE, "/watch", post_id=video_id, query={"v": video_id})


# ---------------------------------------------------------------------------
# LinkedIn
# ---------------------------------------------------------------------------

LINKEDIN_PROFILE_PATHS = frozenset({"in", "company", "school", "showcase"})
LINKEDIN_NOT_POST_PAGES: dict[str, str] = {
    "pulse": gettext_noop("an article, not a post"),
    "jobs": gettext_noop("a jobs page"),
    "groups": gettext_noop("a group page"),
    "events": gettext_noop("an event page"),
    "login": gettext_noop("the login page"),
    "signup": gettext_noop("the sign-up page"),
    "uas": gettext_noop("the login page"),
    "checkpoint": gettext_noop("a login check page"),
    "authwall": gettext_noop("the login page"),
    "mynetwork": gettext_noop("the network page"),
    "messaging": gettext_noop("a messages page"),
    "notifications": gettext_noop("the notifications list"),
    "learning": gettext_noop("a LinkedIn Learning page"),
    "help": gettext_noop("a help page"),
}


def _parse_linkedin(link: _Link) -> ParsedUrl:
    if link.host in SHORT_LINK_HOSTS[LINKEDIN]:
        return _short_link(LINKEDIN, link.host, "/" + _short_code(link, 0))
    first = link.key(0)
    if not first:
        raise _not_a_post(LINKEDIN, "home")
    if first == "posts" and link.seg(1):
        return _linkedin_posts_slug(link.seg(1))
    if first == "feed":
        return _linkedin_feed(link, at=0)
    if first == "embed" and link.key(1) == "feed":  # /embed/feed/update/urn:li:...
        return _linkedin_feed(link, at=1)
    if first in LINKEDIN_PROFILE_PATHS:
        raise _not_a_post(LINKEDIN, "profile")
    if first == "search":
        raise _not_a_post(LINKEDIN, "search")
    raise _not_a_post(LINKEDIN, "not_post", LINKEDIN_NOT_POST_PAGES.get(first))


def _linkedin_feed(link: _Link, *, at: int) -> ParsedUrl:
    """/feed/update/urn:li:<activity|share|ugcPost>:ID is a post; the rest of /feed/ is not."""
    urn = link.seg(at + 2)
    if link.key(at + 1) == "update" and urn:
        match = _LINKEDIN_URN.fullmatch(urn)
        if match is None:
            raise _bad_token(LINKEDIN, gettext_noop("post id"), urn)
        return _linkedin_urn(match.group(1), match.group(2))
    if link.key(at + 1) == "hashtag":
        raise _not_a_post(LINKEDIN, "hashtag")
    raise _not_a_post(LINKEDIN, "home")


def _linkedin_posts_slug(slug: str) -> ParsedUrl:
    """/posts/<author>_<title>-activity-<id>-<code>: the id makes the key, the slug the author."""
    author = slug.split("_", 1)[0] if "_" in slug else None
    if author is not None and not HANDLE_PATTERNS[LINKEDIN].fullmatch(author):
        author = None
    match = _LINKEDIN_SLUG_URN.search(slug)
    if match is None:
        raise _bad_token(LINKEDIN, gettext_noop("post address"), slug)
    return _linkedin_urn(match.group(1), match.group(2), author=author)


def _linkedin_urn(kind: str, post_id: str, author: str | None = None) -> ParsedUrl:
    urn = f"urn:li:{_LINKEDIN_URN_TYPES[kind.lower()]}:{post_id}"
    return _post(LINKEDIN, f"/feed/update/{urn}", post_id=post_id, author=author)


# ---------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------

THREADS_NOT_POST_PAGES: dict[str, str] = {
    "login": gettext_noop("the login page"),
    "settings": gettext_noop("a settings page"),
    "activity": gettext_noop("the activity list"),
    "saved": gettext_noop("your saved posts"),
}


def _parse_threads(link: _Link) -> ParsedUrl:
    first = link.key(0)
    if not first:
        raise _not_a_post(THREADS, "home")
    if first.startswith("@"):
        user = _valid(
            link.seg(0)[1:], HANDLE_PATTERNS[THREADS], THREADS, gettext_noop("user name")
        ).lower()
        if link.key(1) == "post" and link.seg(2):
            code = _valid(link.seg(2), _POST_CODE, THREADS, gettext_noop("post code"))
            return _post(THREADS, f"/@{user}/post/{code}", post_id=code, author=user)
        raise _not_a_post(THREADS, "profile")
    if first == "t" and link.seg(1):  # early share links: /t/CODE
        code = _valid(link.seg(1), _POST_CODE, THREADS, gettext_noop("post code"))
        return _post(THREADS, f"/t/{code}", post_id=code)
    if first == "search":
        raise _not_a_post(THREADS, "search")
    raise _not_a_post(THREADS, "not_post", THREADS_NOT_POST_PAGES.get(first))


_POST_PARSERS: dict[str, Callable[[_Link], ParsedUrl]] = {
    FACEBOOK: _parse_facebook,
    INSTAGRAM: _parse_instagram,
    TIKTOK: _parse_tiktok,
    X: _parse_x,
    YOUTUBE: _parse_youtube,
    LINKEDIN: _parse_linkedin,
    THREADS: _parse_threads,
}

# ---------------------------------------------------------------------------
# Profiles (for registering a staff member's SocialAccount)
# ---------------------------------------------------------------------------


def _profile_from_handle(text: str, platform: str) -> tuple[str, str]:
    handle = text.removeprefix("@")
    if not HANDLE_PATTERNS[platform].fullmatch(handle):
        raise InvalidShareUrl(
            "malformed",
            _(
                '"%(handle)s" is not a valid %(platform)s handle: enter it as '
                "it appears on the profile (like @name), or paste the link to the profile page."
            )
            % {"handle": text[:40], "platform": PLATFORM_LABELS[platform]},
        )
    if platform == FACEBOOK and handle.isdigit():
        return handle, f"https://www.facebook.com/profile.php?id={handle}"
    return _profile(platform, handle)


def _profile(platform: str, handle: str) -> tuple[str, str]:
    handle = handle.lower()
    return handle, PROFILE_URL_TEMPLATES[platform].format(quote(handle))


def _profile_from_url(text: str, platform: str) -> tuple[str, str]:
    link = _read_link(text)
    if link.platform != platform:
        raise InvalidShareUrl(
            "unknown_host",
            _(
                "This link is on %(host)s, which is %(found)s, not %(wanted)s: paste the link "
                "to the %(wanted)s profile."
            )
            % {
                "host": link.host,
                "found": PLATFORM_LABELS[link.platform],
                "wanted": PLATFORM_LABELS[platform],
            },
        )
    found = _PROFILE_READERS[platform](link)
    if found is None:
        raise InvalidShareUrl("not_profile", _not_profile_message(link))
    return found


def _not_profile_message(link: _Link) -> str:
    """Why a link on the right platform is not a profile, in the words of what it is."""
    name = PLATFORM_LABELS[link.platform]
    advice = _("open the account's own page (tap its name) and copy that link.")
    try:
        parsed = _POST_PARSERS[link.platform](link)
    except InvalidShareUrl as exc:
        if exc.code == "hashtag":
            return _("This %(platform)s link is a hashtag page, not a profile: %(advice)s") % {
                "platform": name,
                "advice": advice,
            }
    else:
        if parsed.kind == SHORT_LINK:
            message = _("This %(platform)s link is a short link, not a profile: %(advice)s")
        else:
            message = _("This %(platform)s link is a post, not a profile: %(advice)s")
        return message % {"platform": name, "advice": advice}
    return _("This %(platform)s link is not a profile page: %(advice)s") % {
        "platform": name,
        "advice": advice,
    }


def _is_post(link: _Link) -> bool:
    try:
        _POST_PARSERS[link.platform](link)
    except InvalidShareUrl:
        return False
    return True


def _facebook_profile(link: _Link) -> tuple[str, str] | None:
    first = link.key(0)
    numeric = ""
    if first == "profile.php":
        numeric = link.param("id")
    elif first in ("people", "pages"):  # /people/Some-Name/<id>: no user name
        numeric = link.seg(2)
    if numeric:
        return _profile_from_handle(numeric, FACEBOOK) if numeric.isdigit() else None
    if not first or first in _FACEBOOK_ROUTES or first in FACEBOOK_NOT_POST_PAGES:
        return None
    if first == "home.php" or _is_post(link):
        return None
    return _handle_at(link, 0, FACEBOOK)


def _instagram_profile(link: _Link) -> tuple[str, str] | None:
    first = link.key(0)
    reserved = (*INSTAGRAM_POST_PATHS, *INSTAGRAM_NOT_POST_PAGES, "share", "explore")
    if not first or first in reserved or _is_post(link):
        return None
    return _handle_at(link, 0, INSTAGRAM)


def _at_handle_profile(link: _Link) -> tuple[str, str] | None:
    """TikTok and Threads profiles: /@name (and its tabs)."""
    if not link.seg(0).startswith("@") or _is_post(link):
        return None
    handle = link.seg(0)[1:]
    if not HANDLE_PATTERNS[link.platform].fullmatch(handle):
        return None
    return _profile(link.platform, handle)


def _x_profile(link: _Link) -> tuple[str, str] | None:
    first = link.key(0)
    reserved = {"home", "i", "hashtag", *X_SEARCH_PAGES, *X_NOT_POST_PAGES}
    if not first or first in reserved or link.host in SHORT_LINK_HOSTS[X] or _is_post(link):
        return None
    return _handle_at(link, 0, X)


def _youtube_profile(link: _Link) -> tuple[str, str] | None:
    first, name = link.key(0), link.seg(1)
    if first.startswith("@"):
        return _handle_at(link, 0, YOUTUBE, strip="@")
    if first == "channel" and _YOUTUBE_CHANNEL_ID.fullmatch(name):
        return name, f"https://www.youtube.com/channel/{name}"
    if first in ("c", "user") and HANDLE_PATTERNS[YOUTUBE].fullmatch(name):
        return name.lower(), f"https://www.youtube.com/{first}/{quote(name.lower())}"
    return None


def _linkedin_profile(link: _Link) -> tuple[str, str] | None:
    if link.key(0) != "in" or not link.seg(1):
        return None
    return _handle_at(link, 1, LINKEDIN)


def _handle_at(link: _Link, index: int, platform: str, strip: str = "") -> tuple[str, str] | None:
    handle = link.seg(index).removeprefix(strip)
    if not HANDLE_PATTERNS[platform].fullmatch(handle):
        return None
    return _profile(platform, handle)


_PROFILE_READERS: dict[str, Callable[[_Link], tuple[str, str] | None]] = {
    FACEBOOK: _facebook_profile,
    INSTAGRAM: _instagram_profile,
    TIKTOK: _at_handle_profile,
    X: _x_profile,
    YOUTUBE: _youtube_profile,
    LINKEDIN: _linkedin_profile,
    THREADS: _at_handle_profile,
}
