"""A local fake of the social platforms, for tests that fetch over real HTTP.

One threaded HTTP server on 127.0.0.1 (random port) plays every platform host
at once, telling them apart by the ``Host`` header. ``verification.fetch`` is
pointed at it with SHAREKPI_FETCH_TEST_HOST_MAP, so the code under test runs
its normal path (allow-list, redirects, time-outs, size cap) and no request
leaves the machine.

    def test_tiktok_author(fake_platform):
        fake_platform.serve("www.tiktok.com")
        fake_platform.route("www.tiktok.com", "/oembed", json={"author_unique_id": "alice"})
        ...

Routes (the newest matching route wins, unmatched requests get a 404):

- ``path`` without ``?`` matches the path and ignores the query string;
- ``path`` with ``?`` must equal path and query exactly;
- ``path`` ending in ``*`` matches every path starting with what precedes it;
- a compiled ``re.Pattern`` must ``fullmatch`` the path including the query;
- ``host`` ``"*"`` matches every host.

``body`` may be bytes or a zero-argument callable returning an iterable of
byte chunks, which is streamed (see ``huge``) without building it in memory.
``delay`` waits before the status line; ``chunk_delay`` waits before each body
chunk (a trickling server). Waits end early when the server stops.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import re
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import pytest

Body = bytes | Callable[[], Iterable[bytes]]


class RecordedRequest(NamedTuple):
    host: str
    path: str  # with the query string
    headers: HTTPMessage  # case-insensitive: headers["user-agent"]


@dataclass
class Route:
    host: str
    path: str | re.Pattern[str]
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunk_delay: float = 0.0
    # Answers from the request itself: (status, headers, body). See ``youtube_api``.
    responder: Callable[[RecordedRequest], tuple[int, dict[str, str], bytes]] | None = None

    def matches(self, host: str, target: str) -> bool:
        if self.host != "*" and self.host.lower() != host:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.fullmatch(target) is not None
        if self.path.endswith("*"):
            return target.startswith(self.path[:-1])
        if "?" in self.path:
            return target == self.path
        return target.split("?", 1)[0] == self.path


class FakePlatform:
    """Threaded HTTP server playing platform hosts; a context manager.

    ``settings`` (pytest-django's fixture) is needed only for ``serve``.
    ``ssl_context`` makes it an HTTPS server (for TLS tests).
    """

    def __init__(self, settings: Any = None, *, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self.routes: list[Route] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        if ssl_context is not None:
            # Handshake lazily in the handler thread, not in the accept loop.
            self._httpd.socket = ssl_context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``, the value SHAREKPI_FETCH_TEST_HOST_MAP wants."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakePlatform:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in delay / chunk_delay
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- pointing verification.fetch at it ----------------------------------------

    def host_map(self, *hosts: str) -> dict[str, str]:
        """SHAREKPI_FETCH_TEST_HOST_MAP entries sending ``hosts`` here."""
        return dict.fromkeys(hosts, self.address)

    def serve(self, *hosts: str) -> FakePlatform:
        """Map ``hosts`` to this server and allow-list them (needs ``settings``)."""
        if self.settings is None:
            raise RuntimeError("FakePlatform.serve needs pytest-django's settings fixture")
        self.settings.SHAREKPI_FETCH_TEST_HOST_MAP = {
            **(getattr(self.settings, "SHAREKPI_FETCH_TEST_HOST_MAP", None) or {}),
            **self.host_map(*hosts),
        }
        extra = list(getattr(self.settings, "SHAREKPI_FETCH_EXTRA_HOSTS", None) or [])
        self.settings.SHAREKPI_FETCH_EXTRA_HOSTS = extra + [h for h in hosts if h not in extra]
        return self

    # -- routes ------------------------------------------------------------------

    def route(
        self,
        host: str,
        path: str | re.Pattern[str],
        status: int = 200,
        body: Body = b"",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        json: Any = None,
        *,
        chunk_delay: float = 0.0,
    ) -> Route:
        headers = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers.setdefault("Content-Type", "application/json")
        route = Route(host, path, status, body, headers, delay, chunk_delay)
        with self._lock:
            self.routes.append(route)
        return route

    def redirect(
        self, host: str, path: str | re.Pattern[str], location: str, status: int = 302
    ) -> Route:
        return self.route(host, path, status=status, headers={"Location": location})

    def huge(
        self,
        host: str,
        path: str | re.Pattern[str],
        size: int = 5 * 1024 * 1024,
        *,
        content_length: bool = True,
    ) -> Route:
        """A ``size``-byte body streamed in 64 KiB chunks, announced or not."""

        def chunks() -> Iterator[bytes]:
            block = b"x" * 65536
            left = size
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)

        headers = {"Content-Type": "text/plain"}
        if content_length:
            headers["Content-Length"] = str(size)
        return self.route(host, path, body=chunks, headers=headers)

    def never_answer(self, host: str, path: str | re.Pattern[str], seconds: float = 60) -> Route:
        """Accept the connection, then say nothing for ``seconds``."""
        return self.route(host, path, delay=seconds)

    def trickle(
        self, host: str, path: str | re.Pattern[str], size: int = 1000, interval: float = 0.2
    ) -> Route:
        """Answer at once, then send the body one byte every ``interval`` seconds."""

        def chunks() -> Iterator[bytes]:
            yield from (b"x" for _ in range(size))

        return self.route(
            host, path, body=chunks, headers={"Content-Length": str(size)}, chunk_delay=interval
        )

    def too_many_requests(
        self, host: str, path: str | re.Pattern[str], retry_after: int = 120
    ) -> Route:
        return self.route(
            host, path, status=429, body=b"slow down", headers={"Retry-After": str(retry_after)}
        )

    # -- official follower APIs (presence.followers_api) ------------------------------

    def youtube_api(self, api_key: str, channels: dict[str, int | None]) -> Route:
        """YouTube Data API v3 ``channels.list`` on www.googleapis.com: ``channels`` maps
        a channel id (``UC…``) or a handle (``@name``, looked up with ``forHandle``) to
        its subscriber count (None: the channel hides it). A wrong or missing ``key``
        gets the API's 400 ``API key not valid``; an unknown channel an empty list."""
        by_name = {name.lower().lstrip("@"): count for name, count in channels.items()}

        def respond(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
            from urllib.parse import parse_qs, urlsplit

            query = parse_qs(urlsplit(request.path).query)
            if query.get("key", [""])[0] != api_key:
                return _json_answer(
                    400,
                    {"error": {"code": 400, "message": "API key not valid. Please pass a "
                               "valid API key.", "status": "INVALID_ARGUMENT"}},
                )  # fmt: skip
            if "statistics" not in query.get("part", [""])[0].split(","):
                return _json_answer(400, {"error": {"code": 400, "message": "part missing"}})
            wanted = (query.get("id") or query.get("forHandle") or [""])[0]
            items = []
            if wanted.lower().lstrip("@") in by_name:
                count = by_name[wanted.lower().lstrip("@")]
                statistics = {"viewCount": "1000", "videoCount": "10"}
                if count is None:
                    statistics["hiddenSubscriberCount"] = True
                else:
                    statistics.update(subscriberCount=str(count), hiddenSubscriberCount=False)
                items.append({"kind": "youtube#channel", "id": "UCfake", "statistics": statistics})
            return _json_answer(200, {"kind": "youtube#channelListResponse", "items": items})

        return self._responder("www.googleapis.com", "/youtube/v3/channels", respond)

    def x_api(self, bearer_token: str, users: dict[str, int]) -> Route:
        """X API v2 user lookup by username on api.x.com, ``public_metrics`` included:
        ``Authorization: Bearer <bearer_token>`` or a 401; an unknown user is the
        API's 200 with ``errors`` and no ``data``."""
        by_name = {name.lower(): count for name, count in users.items()}

        def respond(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
            if request.headers.get("Authorization", "") != f"Bearer {bearer_token}":
                return _json_answer(
                    401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                          "detail": "Unauthorized"},
                )  # fmt: skip
            path = request.path.split("?", 1)[0]
            username = path.rsplit("/", 1)[-1]
            if username.lower() not in by_name:
                return _json_answer(
                    200,
                    {"errors": [{"value": username, "detail": f"Could not find user with "
                                 f"username: [{username}].", "title": "Not Found Error",
                                 "resource_type": "user", "parameter": "username"}]},
                )  # fmt: skip
            metrics = {"followers_count": by_name[username.lower()], "following_count": 10,
                       "tweet_count": 100, "listed_count": 1}  # fmt: skip
            return _json_answer(
                200,
                {"data": {"id": "12345", "name": username, "username": username,
                          "public_metrics": metrics}},
            )  # fmt: skip

        return self._responder("api.x.com", "/2/users/by/username/*", respond)

    def _responder(self, host: str, path: str, respond) -> Route:
        route = Route(host, path, responder=respond)
        with self._lock:
            self.routes.append(route)
        return route

    # -- used by the handler ---------------------------------------------------------

    def _find(self, host: str, target: str) -> Route | None:
        with self._lock:
            for route in reversed(self.routes):
                if route.matches(host, target):
                    return route
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _json_answer(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json; charset=UTF-8"},
        jsonlib.dumps(payload).encode(),
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler stuck in a delay never blocks stop()

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):  # clients hanging up are expected
            super().handle_error(request, client_address)


def _handler_for(platform: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, bodies may end at close.
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            platform._record(RecordedRequest(host, self.path, self.headers))
            route = platform._find(host, self.path) or Route(
                host, self.path, status=404, body=b"not found"
            )
            if route.delay and platform._stopping.wait(route.delay):
                return
            if route.responder is not None:
                status, headers, body = route.responder(
                    RecordedRequest(host, self.path, self.headers)
                )
                route = Route(host, self.path, status=status, body=body, headers=headers)
            # The client may give up (size cap, time-out): expected in tests.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self._answer(route)

        do_HEAD = do_GET

        def _answer(self, route: Route) -> None:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if isinstance(route.body, bytes):
                if not any(name.lower() == "content-length" for name in route.headers):
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
                return
            self.end_headers()
            for chunk in route.body():
                if route.chunk_delay and platform._stopping.wait(route.chunk_delay):
                    return
                self.wfile.write(chunk)
                self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_platform(settings) -> Iterator[FakePlatform]:
    """A running FakePlatform; call ``fake_platform.serve("www.tiktok.com", ...)``."""
    with FakePlatform(settings) as platform:
        yield platform
