"""The one door every outbound HTTP request of ShareKPI goes through.

Staff paste links; a link is attacker-controlled input. Before a single byte
leaves the machine we check the URL (http/https only, default ports, no
credentials, host on the platform allow-list, no IP literals), resolve the
host **once**, refuse the whole answer if any address is private, loopback,
link-local, CGNAT, multicast, reserved or otherwise not public, and then
connect to the address we checked. The socket goes to that IP while the
``Host`` header, TLS SNI and certificate check keep the original name, so a
DNS answer that changes between the check and the connect (DNS rebinding)
cannot steer us inside the network.

Redirects are followed by hand and every hop is checked the same way. Each
fetch has connect and read time-outs plus a wall-clock deadline enforced by a
watchdog that shuts the socket down, so a server trickling one byte a second
cannot hold a worker. Bodies are streamed and cut at a size cap.

Status codes are returned, never raised: what a 404, 410 or 429 means is the
verifier's business. Nothing here retries.

Why not requests-hardened's ``IPFilterAdapter``: it does pin, but it checks
only the first address of its own ``getaddrinfo`` call, so our check of every
address would need a second, rebindable lookup. Here the address we check is
the address we dial (``_PinnedConnection._new_conn``).

Per request, only the work that depends on the request is done: the
allow-list, the normalised test host map and the TLS context (with its CA
bundle, which costs ~20 ms of CPU to load) are computed once per process and
reused while the settings they come from stay the same, and one watchdog
thread per process serves the deadlines of every fetch. DNS is never cached:
every fetch resolves and checks its host again.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import heapq
import http.client
import ipaddress
import itertools
import json as jsonlib
import logging
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3.connection
import urllib3.exceptions
from django.conf import settings
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri
from urllib3.util.ssl_ import create_urllib3_context
from urllib3.util.ssl_match_hostname import CertificateError

logger = logging.getLogger(__name__)

DEFAULT_ACCEPT = "text/html,application/json;q=0.9,*/*;q=0.8"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 64 * 1024
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.I)

# Ranges refused on top of what ``ipaddress`` calls private/reserved/not
# global; listed so the policy does not depend on the Python version's tables.
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT / shared address space (cloud internals, Tailscale)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, includes the 169.254.169.254 metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # IPv4-compatible (deprecated), includes :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, includes Teredo 2001::/32
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",
    )
)
_METADATA_ADDRESS = ipaddress.ip_address("169.254.169.254")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(Exception):
    """A fetch that did not produce an HTTP answer; ``reason`` says why in plain words."""

    def __init__(self, reason: str, *, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


class BlockedUrl(FetchError):
    """Refused by policy before (or instead of) talking to the server."""


class ResponseTooLarge(FetchError):
    """The answer was larger than SHAREKPI_FETCH_MAX_BYTES."""


class TemporaryFetchError(FetchError):
    """Time-out, refused or reset connection, DNS failure: worth trying again later."""

    def __init__(self, reason: str, *, url: str = "", retry_after: float | None = None) -> None:
        super().__init__(reason, url=url)
        self.retry_after = retry_after


@dataclass
class FetchResult:
    url: str
    """Final URL, after redirects."""
    status: int
    headers: Mapping[str, str]
    """Response headers of the final answer, case-insensitive."""
    body: bytes
    elapsed_ms: int
    """Wall-clock time of the whole fetch, redirects included."""
    redirects: list[str] = field(default_factory=list)
    """URLs that answered with a redirect, in order (the requested URL first)."""

    @property
    def text(self) -> str:
        return self.body.decode(self.charset, errors="replace")

    @property
    def charset(self) -> str:
        match = _CHARSET.search(self.headers.get("Content-Type", ""))
        if match:
            try:
                return codecs.lookup(match.group(1)).name
            except LookupError:
                pass
        return "utf-8"

    def json(self) -> Any:
        """Parse the body as JSON; raises ``ValueError`` when it is not JSON."""
        return jsonlib.loads(self.body)

    @property
    def retry_after(self) -> float | None:
        """Seconds from a ``Retry-After`` header (delta or HTTP date), if any."""
        return parse_retry_after(self.headers.get("Retry-After"))


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


# --- policy -----------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def normalize_host(host: str) -> str:
    """Lower-case, strip one trailing dot, IDNA-encode. Raises ``UnicodeError``.

    Cached: a pure function of its argument, called for every hop (and the IDNA
    codec is slow); a host that raises is not cached."""
    host = host.strip().lower()
    if host.endswith("."):
        host = host[:-1]
    return host.encode("idna").decode("ascii")


_allowed_hosts_cache: dict[tuple[frozenset[str], tuple[str, ...]], frozenset[str]] = {}


def allowed_hosts() -> frozenset[str]:
    """The platform hosts we may fetch from, plus SHAREKPI_FETCH_EXTRA_HOSTS.

    Computed once per (platform hosts, extra hosts) pair: the settings are read
    on every call, so a changed setting takes effect at once.
    """
    try:
        from campaigns.platforms import fetch_hosts
    except ImportError:
        platform_hosts: frozenset[str] = frozenset()
    else:
        platform_hosts = frozenset(fetch_hosts())
    extra = tuple(getattr(settings, "SHAREKPI_FETCH_EXTRA_HOSTS", None) or ())
    key = (platform_hosts, extra)
    cached = _allowed_hosts_cache.get(key)
    if cached is not None:
        return cached
    hosts = set()
    for host in (*platform_hosts, *extra):
        try:
            hosts.add(normalize_host(host))
        except UnicodeError:
            continue
    if len(_allowed_hosts_cache) >= 16:  # settings changed many times (tests): start again
        _allowed_hosts_cache.clear()
    _allowed_hosts_cache[key] = result = frozenset(hosts)
    return result


def address_refusal(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why we must not connect to this address, or ``None`` when it is public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"{address!r} is not an IP address"
    if ip.version == 6:
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if (ip in _IPV4_COMPATIBLE and int(ip) > 1) or ip in _NAT64:  # not :: or ::1
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        for inner in embedded:
            if inner is not None and (reason := address_refusal(inner)):
                return f"{ip} embeds {inner}, {reason}"
        if ip.ipv4_mapped is not None:
            return f"{ip} is an IPv4-mapped IPv6 address"
    if ip == _METADATA_ADDRESS:
        return f"{ip} is the cloud metadata address"
    for label, flag in (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a private", ip.is_private),
        ("a reserved", ip.is_reserved),
        ("a site-local", getattr(ip, "is_site_local", False)),
    ):
        if flag:
            return f"{ip} is {label} address"
    for net in _BLOCKED_NETWORKS:
        if ip.version == net.version and ip in net:
            return f"{ip} is in the non-public range {net}"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


@functools.lru_cache(maxsize=1024)
def _is_ip_literal(host: str) -> bool:
    """True for any spelling a resolver or browser would read as an IP address."""
    if ":" in host:  # IPv6 (urlsplit already removed the brackets)
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)  # 2130706433, 0177.0.0.1, 0x7f000001, 127.1 ...
        return True
    except OSError:
        pass
    # WHATWG URL rule: a host whose last label is a number is parsed as IPv4.
    last = host.rstrip(".").rsplit(".", 1)[-1]
    return bool(_NUMERIC_LABEL.fullmatch(last))


@dataclass(frozen=True)
class _Target:
    url: str
    host: str  # normalized name: Host header, SNI, certificate check
    request_path: str
    addresses: tuple[str, ...]  # checked addresses; we connect to these and nothing else
    port: int
    tls: bool


def resolve(host: str, port: int) -> list[str]:
    """One DNS lookup (A and AAAA). Tests replace this function to fake DNS."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TemporaryFetchError(f"could not resolve {host} ({exc.strerror})") from exc
    except (UnicodeError, OSError) as exc:
        raise TemporaryFetchError(f"could not resolve {host} ({exc})") from exc
    addresses: list[str] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


def _parse(url: str, extra_hosts: frozenset[str] = frozenset()) -> tuple[str, str, int, str]:
    """Check the URL itself: returns (scheme, host, port, request path).

    ``extra_hosts`` (normalised names) are allowed for this one fetch on top of
    the allow-list: the official APIs of presence.followers_api, which no link a
    person pastes may reach."""
    if not isinstance(url, str) or not url:
        raise BlockedUrl("empty URL", url=str(url))
    if _CONTROL_CHARACTERS.search(url):
        raise BlockedUrl("URL contains spaces or control characters", url=url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedUrl(f"malformed URL ({exc})", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise BlockedUrl(
            f"only http and https links can be checked, not {scheme or 'no'}:", url=url
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise BlockedUrl("URL must not contain a user name or password", url=url)
    raw_host = parts.hostname or ""
    if not raw_host:
        raise BlockedUrl("URL has no host", url=url)
    if _is_ip_literal(raw_host.lower()):
        raise BlockedUrl(f"IP addresses are not accepted ({raw_host})", url=url)
    if port is not None and port != DEFAULT_PORTS[scheme]:
        raise BlockedUrl(f"port {port} is not allowed, only {DEFAULT_PORTS[scheme]}", url=url)
    try:
        host = normalize_host(raw_host)
    except UnicodeError as exc:
        raise BlockedUrl(f"invalid host name {raw_host!r}", url=url) from exc
    if host not in allowed_hosts() and host not in extra_hosts:
        raise BlockedUrl(f"{host} is not a platform host we fetch from", url=url)
    request_path = requote_uri(urlunsplit(("", "", parts.path or "/", parts.query, "")))
    return scheme, host, DEFAULT_PORTS[scheme], request_path


_test_map_cache: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}


def _test_host_map() -> dict[str, str]:
    """SHAREKPI_FETCH_TEST_HOST_MAP with normalised names (read each call, normalised once)."""
    test_map = getattr(settings, "SHAREKPI_FETCH_TEST_HOST_MAP", None)
    if not test_map:
        return {}
    key = tuple(test_map.items())
    normalized = _test_map_cache.get(key)
    if normalized is None:
        normalized = {normalize_host(name): value for name, value in key}
        if len(_test_map_cache) >= 16:
            _test_map_cache.clear()
        _test_map_cache[key] = normalized
    return normalized


def _target(url: str, extra_hosts: frozenset[str] = frozenset()) -> _Target:
    scheme, host, port, request_path = _parse(url, extra_hosts)
    mapped = _test_host_map().get(host)
    if mapped is not None:
        # TEST ONLY: plain http to a loopback fake platform; nothing else may reach loopback.
        address, _, mapped_port = mapped.rpartition(":")
        address = address.strip("[]")
        try:
            if not ipaddress.ip_address(address).is_loopback:
                raise ValueError(address)
            port_number = int(mapped_port)
        except ValueError as exc:
            raise BlockedUrl(
                f"SHAREKPI_FETCH_TEST_HOST_MAP[{host!r}] must be a loopback ip:port,"
                f" not {mapped!r}",
                url=url,
            ) from exc
        return _Target(url, host, request_path, (address,), port_number, tls=False)

    addresses = resolve(host, port)
    if not addresses:
        raise TemporaryFetchError(f"{host} has no address", url=url)
    for address in addresses:
        if reason := address_refusal(address):
            raise BlockedUrl(f"{host} resolves to a non-public address: {reason}", url=url)
    return _Target(url, host, request_path, tuple(addresses), port, tls=scheme == "https")


def check_url(url: str) -> None:
    """Raise ``BlockedUrl`` if policy forbids fetching ``url``. Only I/O: one DNS lookup."""
    _target(url)


# --- transport ----------------------------------------------------------------


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    """Open a TCP connection to an already checked IP address (never a name)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def ca_bundle() -> str | None:
    """CA certificates for TLS verification (certifi's, like requests)."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests depends on certifi
        return None
    return certifi.where()


_tls_contexts: dict[str | None, ssl.SSLContext] = {}
_tls_contexts_lock = threading.Lock()


def _tls_context() -> ssl.SSLContext:
    """The client TLS context for ``ca_bundle()``, built once per bundle and process.

    Loading the CA bundle costs ~20 ms of CPU, more than the rest of a
    verification; an SSLContext is safe to share between threads. Certificates
    are required (CERT_REQUIRED) and the name checked is the host's
    (``server_hostname``), as urllib3 does with a context of its own.
    """
    bundle = ca_bundle()
    context = _tls_contexts.get(bundle)
    if context is None:
        with _tls_contexts_lock:
            context = _tls_contexts.get(bundle)
            if context is None:
                context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
                if bundle:
                    context.load_verify_locations(cafile=bundle)
                else:  # pragma: no cover - see ca_bundle
                    context.load_default_certs()
                _tls_contexts[bundle] = context
    return context


class _Deadlines:
    """One daemon thread per process firing the deadlines of every open fetch.

    Starting a timer thread per fetch cost more CPU than the rest of fetch's own
    Python code. Entries are kept in a heap by deadline; a closed watchdog is
    dropped when its deadline comes up (it is not fired). After a fork (Celery's
    prefork pool) the child starts its own thread on first use.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Watchdog]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, watchdog: _Watchdog, deadline: float) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sharekpi-fetch-deadlines", daemon=True
                )
                self._thread.start()
            entry = (deadline, next(self._order), watchdog)
            heapq.heappush(self._heap, entry)
            if self._heap[0] is entry:  # earlier than what the thread waits for
                self._cond.notify()

    def _run(self) -> None:
        while True:
            due: list[_Watchdog] = []
            with self._cond:
                while not due:
                    now = time.monotonic()
                    while self._heap and (self._heap[0][0] <= now or self._heap[0][2].closed):
                        watchdog = heapq.heappop(self._heap)[2]
                        if not watchdog.closed:
                            due.append(watchdog)
                    if due:
                        break
                    self._cond.wait(self._heap[0][0] - now if self._heap else None)
            for watchdog in due:
                watchdog._fire()


_deadlines = _Deadlines()


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's threads: fresh deadlines, a fresh lock."""
    global _deadlines, _tls_contexts_lock
    _deadlines = _Deadlines()
    _tls_contexts_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


class _Watchdog:
    """Shuts every socket of one fetch down when the wall-clock deadline passes.

    Socket time-outs only bound each ``recv``; a server sending one byte a
    second never trips them. Shutting the socket down from the deadline
    thread (``_Deadlines``) wakes up whatever read is blocked on it, TLS
    handshake included (we keep a ``dup`` of the plain socket because TLS
    wrapping detaches the original).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.closed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        _deadlines.add(self, time.monotonic() + max(seconds, 0.0))

    def watch(self, sock: socket.socket) -> None:
        watched = sock.dup()
        with self._lock:
            self._sockets.append(watched)
            if self.expired:
                self._shutdown(watched)

    def _fire(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _PinnedMixin:
    """urllib3 connection whose socket goes to ``host`` (a checked IP) via ``_connect``."""

    _watchdog: _Watchdog

    def _new_conn(self) -> socket.socket:
        sock = _connect(self._dns_host, self.port, self.timeout)  # type: ignore[attr-defined]
        self._watchdog.watch(sock)
        return sock


class _PinnedHTTPConnection(_PinnedMixin, urllib3.connection.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, urllib3.connection.HTTPSConnection):
    pass


def _open(target: _Target, *, timeout: float, watchdog: _Watchdog):
    """Connect to the first reachable checked address of ``target``."""
    last_error: Exception | None = None
    for address in target.addresses:
        if watchdog.expired:
            break
        if target.tls:
            conn = _PinnedHTTPSConnection(
                host=address,
                port=target.port,
                timeout=timeout,
                server_hostname=target.host,  # SNI and certificate name: the real host
                cert_reqs="CERT_REQUIRED",
                ssl_context=_tls_context(),  # CA bundle loaded once per process
            )
        else:
            conn = _PinnedHTTPConnection(host=address, port=target.port, timeout=timeout)
        conn._watchdog = watchdog
        try:
            conn.connect()
        except (ssl.SSLCertVerificationError, CertificateError):
            conn.close()
            raise
        except OSError as exc:
            conn.close()
            last_error = exc
            continue
        return conn
    if last_error is None:
        raise TimeoutError("deadline passed before connecting")
    raise last_error


def _translate(exc: BaseException, target: _Target, watchdog: _Watchdog) -> FetchError:
    """Turn a socket / TLS / HTTP exception into our exception classes."""
    host, url = target.host, target.url
    if isinstance(exc, FetchError):
        return exc
    if watchdog.expired:
        return TemporaryFetchError(
            f"{host} did not answer completely within {watchdog.seconds:g} s", url=url
        )
    if isinstance(exc, ssl.SSLCertVerificationError | CertificateError):
        return FetchError(f"TLS certificate of {host} is not valid ({exc})", url=url)
    if isinstance(exc, TimeoutError | urllib3.exceptions.ReadTimeoutError):
        return TemporaryFetchError(f"{host} timed out", url=url)
    if isinstance(exc, ConnectionRefusedError):
        return TemporaryFetchError(f"{host} refused the connection", url=url)
    if isinstance(exc, http.client.RemoteDisconnected | http.client.IncompleteRead):
        return TemporaryFetchError(f"{host} closed the connection early", url=url)
    if isinstance(exc, urllib3.exceptions.ProtocolError | OSError):
        return TemporaryFetchError(f"connection to {host} failed ({exc})", url=url)
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return FetchError(f"{host} sent a body that could not be decoded", url=url)
    if isinstance(exc, http.client.HTTPException | urllib3.exceptions.HTTPError):
        return FetchError(f"{host} sent a malformed HTTP answer ({exc!r})", url=url)
    raise exc


def _read_body(response, *, max_bytes: int, target: _Target) -> bytes:
    declared = response.headers.get("Content-Length")
    if (
        declared
        and declared.strip().isascii()
        and declared.strip().isdigit()
        and int(declared) > max_bytes
    ):
        raise ResponseTooLarge(
            f"{target.host} announced {int(declared)} bytes, more than the {max_bytes} allowed",
            url=target.url,
        )
    chunks: list[bytes] = []
    received = 0
    while True:
        chunk = response.read(min(_CHUNK, max_bytes - received + 1))
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise ResponseTooLarge(
                f"{target.host} sent more than the {max_bytes} bytes allowed", url=target.url
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(
    target: _Target,
    *,
    accept: str,
    follow_redirects: bool,
    watchdog: _Watchdog,
    extra_headers: Mapping[str, str] | None = None,
):
    """One request/response on a pinned connection: (status, headers, body).

    The body of a redirect we are going to follow is not read.
    """
    conn = None
    try:
        conn = _open(
            target, timeout=float(settings.SHAREKPI_FETCH_CONNECT_TIMEOUT), watchdog=watchdog
        )
        conn.timeout = float(settings.SHAREKPI_FETCH_READ_TIMEOUT)
        conn.request(
            "GET",
            target.request_path,
            headers={
                "Host": target.host,
                "User-Agent": settings.SHAREKPI_FETCH_USER_AGENT,
                "Accept": accept,
                "Accept-Encoding": "gzip, deflate",
                "Accept-Language": "en",
                "Connection": "close",
                **(extra_headers or {}),
            },
            preload_content=False,
        )
        response = conn.getresponse()
        headers = CaseInsensitiveDict(response.headers.items())
        body = b""
        if not (follow_redirects and _redirect_location(response.status, headers)):
            body = _read_body(
                response, max_bytes=int(settings.SHAREKPI_FETCH_MAX_BYTES), target=target
            )
        return response.status, headers, body
    except Exception as exc:
        raise _translate(exc, target, watchdog) from exc
    finally:
        if conn is not None:
            conn.close()


def _redirect_location(status: int, headers: Mapping[str, str]) -> str:
    """The Location of a redirect answer, or "" when the answer is not one to follow."""
    if status not in REDIRECT_STATUSES:
        return ""
    return (headers.get("Location") or "").strip()


def _total_timeout() -> float:
    configured = getattr(settings, "SHAREKPI_FETCH_TOTAL_TIMEOUT", None)
    if configured:
        return float(configured)
    return float(settings.SHAREKPI_FETCH_CONNECT_TIMEOUT) + 2 * float(
        settings.SHAREKPI_FETCH_READ_TIMEOUT
    )


def fetch(
    url: str,
    *,
    follow_redirects: bool = True,
    max_redirects: int | None = None,
    accept: str = DEFAULT_ACCEPT,
    headers: Mapping[str, str] | None = None,
    extra_hosts: frozenset[str] | set[str] | tuple[str, ...] = (),
) -> FetchResult:
    """GET ``url`` under the SSRF policy; the status code is returned, not raised.

    Raises ``BlockedUrl`` (policy, including a redirect to a refused target or
    too many redirects), ``ResponseTooLarge``, ``TemporaryFetchError``
    (time-outs, the deadline SHAREKPI_FETCH_TOTAL_TIMEOUT, refused or reset
    connections, DNS failures) or ``FetchError`` (TLS certificate, malformed
    answer).

    ``headers`` are sent on the first hop only (an ``Authorization`` bearer token
    never follows a redirect); ``extra_hosts`` are allowed on top of the
    allow-list for this fetch only (presence.followers_api's API hosts).
    """
    limit = settings.SHAREKPI_FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects
    started = time.monotonic()
    watchdog = _Watchdog(_total_timeout())
    redirects: list[str] = []
    current = url
    also_allowed = frozenset(normalize_host(host) for host in extra_hosts)
    try:
        while True:
            try:
                target = _target(current, also_allowed)
            except FetchError as exc:
                if redirects and isinstance(exc, BlockedUrl):
                    exc.reason = f"redirect to a refused target: {exc.reason}"
                    exc.args = (exc.reason,)
                # An API call's query may hold its key: log such URLs without it.
                shown = current.split("?", 1)[0] if also_allowed else current
                logger.info("fetch refused url=%s reason=%s", shown, exc.reason)
                raise
            hop_started = time.monotonic()
            try:
                status, answer_headers, body = _exchange(
                    target,
                    accept=accept,
                    follow_redirects=follow_redirects,
                    watchdog=watchdog,
                    extra_headers=None if redirects else headers,
                )
            except FetchError as exc:
                logger.info(
                    "fetch host=%s failed ms=%d reason=%s",
                    target.host,
                    (time.monotonic() - hop_started) * 1000,
                    exc.reason,
                )
                raise
            logger.info(
                "fetch host=%s status=%s ms=%d",
                target.host,
                status,
                (time.monotonic() - hop_started) * 1000,
            )
            location = _redirect_location(status, answer_headers)
            if follow_redirects and location:
                redirects.append(current)
                if len(redirects) > limit:
                    raise BlockedUrl(f"more than {limit} redirects", url=url)
                current = urljoin(current, location)
                continue
            return FetchResult(
                url=current,
                status=status,
                headers=answer_headers,
                body=body,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                redirects=redirects,
            )
    finally:
        watchdog.close()
