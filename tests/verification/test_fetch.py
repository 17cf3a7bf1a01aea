"""verification.fetch: the SSRF-guarded door for every outbound request.

Real HTTP over loopback against tests/fakeplatform.py. DNS is faked (there is
none here) by replacing ``fetch.resolve``; every connection is checked to go
to 127.0.0.1, so nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import ipaddress
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from tests.fakeplatform import FakePlatform
from verification import fetch

REAL_RESOLVE = fetch.resolve
REAL_CONNECT = fetch._connect
PUBLIC_IP = "93.184.215.14"  # what the fake DNS hands out; never dialled


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["pinned.example", "private.example"]
    settings.SHAREKPI_FETCH_TEST_HOST_MAP = {}
    settings.SHAREKPI_FETCH_MAX_REDIRECTS = 5
    return settings


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    """Replace the resolver: ``fake_dns.table[name] = [addresses]``; calls are counted."""
    dns = SimpleNamespace(table={}, calls=[])

    def resolve(host, port):
        dns.calls.append(host)
        if host not in dns.table:
            raise fetch.TemporaryFetchError(f"could not resolve {host} (fake DNS)")
        return list(dns.table[host])

    monkeypatch.setattr(fetch, "resolve", resolve)
    return dns


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fail loudly if a test would open a connection off this machine."""

    def connect(address, port, timeout):
        assert ipaddress.ip_address(address).is_loopback, f"tried to connect to {address}"
        return REAL_CONNECT(address, port, timeout)

    monkeypatch.setattr(fetch, "_connect", connect)


@pytest.fixture
def tiktok(fake_platform):
    return fake_platform.serve("www.tiktok.com", "publish.twitter.com")


# --- happy paths ------------------------------------------------------------


def test_returns_body_and_status_200(tiktok):
    tiktok.route("www.tiktok.com", "/@alice/video/1", body=b"<html>a video</html>")

    result = fetch.fetch("https://www.tiktok.com/@alice/video/1")

    assert result.status == 200
    assert result.body == b"<html>a video</html>"
    assert result.text == "<html>a video</html>"
    assert result.url == "https://www.tiktok.com/@alice/video/1"
    assert result.redirects == []
    assert result.elapsed_ms >= 0


def test_json_answer(tiktok):
    tiktok.route("www.tiktok.com", "/oembed", json={"author_unique_id": "alice"})

    result = fetch.fetch("https://www.tiktok.com/oembed?url=x", accept="application/json")

    assert result.json() == {"author_unique_id": "alice"}
    assert result.headers["content-type"] == "application/json"


def test_gzip_body_is_decoded(tiktok):
    tiktok.route(
        "www.tiktok.com",
        "/zipped",
        body=gzip.compress(b"hello " * 100),
        headers={"Content-Encoding": "gzip"},
    )

    assert fetch.fetch("https://www.tiktok.com/zipped").body == b"hello " * 100


def test_text_uses_declared_charset(tiktok):
    tiktok.route(
        "www.tiktok.com",
        "/latin",
        body="café".encode("latin-1"),
        headers={"Content-Type": "text/html; charset=ISO-8859-1"},
    )

    assert fetch.fetch("https://www.tiktok.com/latin").text == "café"


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_statuses_are_returned_not_raised(tiktok, status):
    tiktok.route("www.tiktok.com", "/gone", status=status, body=b"nope")

    result = fetch.fetch("https://www.tiktok.com/gone")

    assert result.status == status
    assert result.body == b"nope"


def test_unknown_path_gets_the_fake_servers_404(tiktok):
    assert fetch.fetch("https://www.tiktok.com/nothing-here").status == 404


def test_429_is_returned_with_retry_after(tiktok):
    tiktok.too_many_requests("www.tiktok.com", "/busy", retry_after=90)

    result = fetch.fetch("https://www.tiktok.com/busy")

    assert result.status == 429
    assert result.retry_after == 90.0
    assert len(tiktok.requests) == 1  # fetch does not retry by itself


def test_server_sees_host_header_user_agent_and_accept(tiktok, settings):
    tiktok.route("publish.twitter.com", "/oembed", json={})

    fetch.fetch("https://publish.twitter.com/oembed?url=u", accept="application/json")

    (request,) = tiktok.requests
    assert request.host == "publish.twitter.com"
    assert request.path == "/oembed?url=u"
    assert request.headers["Host"] == "publish.twitter.com"
    assert request.headers["User-Agent"] == settings.SHAREKPI_FETCH_USER_AGENT
    assert request.headers["Accept"] == "application/json"


def test_host_is_matched_case_insensitively_and_without_trailing_dot(tiktok):
    tiktok.route("www.tiktok.com", "/x", body=b"ok")

    result = fetch.fetch("https://WWW.TikTok.com./x")

    assert result.body == b"ok"
    assert tiktok.requests[0].headers["Host"] == "www.tiktok.com"


def test_redirect_chain_is_followed_and_recorded(tiktok):
    tiktok.redirect("www.tiktok.com", "/t/short", "/@alice/video/1", status=301)
    tiktok.redirect(
        "www.tiktok.com", "/@alice/video/1", "https://publish.twitter.com/final?x=1", status=307
    )
    tiktok.route("publish.twitter.com", "/final?x=1", body=b"end")

    result = fetch.fetch("https://www.tiktok.com/t/short")

    assert result.status == 200
    assert result.body == b"end"
    assert result.url == "https://publish.twitter.com/final?x=1"
    assert result.redirects == [
        "https://www.tiktok.com/t/short",
        "https://www.tiktok.com/@alice/video/1",
    ]
    assert [(r.host, r.path) for r in tiktok.requests] == [
        ("www.tiktok.com", "/t/short"),
        ("www.tiktok.com", "/@alice/video/1"),
        ("publish.twitter.com", "/final?x=1"),
    ]


def test_redirect_not_followed_when_asked(tiktok):
    tiktok.redirect("www.tiktok.com", "/t/short", "https://www.tiktok.com/login")

    result = fetch.fetch("https://www.tiktok.com/t/short", follow_redirects=False)

    assert result.status == 302
    assert result.headers["Location"] == "https://www.tiktok.com/login"
    assert len(tiktok.requests) == 1


def test_exactly_max_redirects_is_fine(tiktok):
    for hop in range(5):
        tiktok.redirect("www.tiktok.com", f"/{hop}", f"/{hop + 1}")
    tiktok.route("www.tiktok.com", "/5", body=b"made it")

    result = fetch.fetch("https://www.tiktok.com/0")

    assert result.body == b"made it"
    assert len(result.redirects) == 5


# --- refusals: the URL itself -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # decimal 127.0.0.1
        "http://0177.0.0.1/",  # octal
        "http://0x7f000001/",  # hex
        "http://127.1/",
        "http://8.8.8.8/",  # even a public literal: links name a platform host
    ],
)
def test_ip_literals_are_refused_even_if_allow_listed(settings, fake_dns, url):
    host = url.split("//", 1)[1].split("/", 1)[0].strip("[]")
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = [host]

    with pytest.raises(fetch.BlockedUrl, match="IP addresses are not accepted"):
        fetch.fetch(url)
    assert fake_dns.calls == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://www.tiktok.com/_x",
        "javascript:alert(1)",
        "ftp://www.tiktok.com/x",
        "data:text/html,hi",
        "//www.tiktok.com/x",
    ],
)
def test_only_http_and_https(tiktok, url):
    with pytest.raises(fetch.BlockedUrl, match="only http and https"):
        fetch.fetch(url)
    assert tiktok.requests == []


@pytest.mark.parametrize(
    "url",
    ["https://www.tiktok.com:8080/x", "http://www.tiktok.com:443/x", "https://www.tiktok.com:80/"],
)
def test_only_default_ports(tiktok, url):
    with pytest.raises(fetch.BlockedUrl, match="port"):
        fetch.fetch(url)
    assert tiktok.requests == []


def test_explicit_default_port_is_fine(tiktok):
    tiktok.route("www.tiktok.com", "/x", body=b"ok")

    assert fetch.fetch("https://www.tiktok.com:443/x").body == b"ok"


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@www.tiktok.com/x",
        "https://user@www.tiktok.com/x",
        "https://:secret@www.tiktok.com/x",
        "https://evil.example\\@www.tiktok.com/x",
    ],
)
def test_credentials_are_refused(tiktok, url):
    with pytest.raises(fetch.BlockedUrl, match="user name or password"):
        fetch.fetch(url)
    assert tiktok.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "https://www.tiktok.com.evil.example/",
        "https://tiktok.com.evil.example/",
        "https://localhost/",
        "https://www.tiktok.co/",
    ],
)
def test_hosts_off_the_allow_list_are_refused(tiktok, fake_dns, url):
    with pytest.raises(fetch.BlockedUrl, match="not a platform host"):
        fetch.fetch(url)
    assert fake_dns.calls == []
    assert tiktok.requests == []


@pytest.mark.parametrize("url", ["https://www.tiktok.com/a b", "https://www.tiktok.com/\x00"])
def test_spaces_and_control_characters_are_refused(tiktok, url):
    with pytest.raises(fetch.BlockedUrl):
        fetch.fetch(url)


# --- refusals: what the name resolves to ------------------------------------------

NON_PUBLIC_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "198.18.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "2001:db8::1",
]


@pytest.mark.parametrize("address", NON_PUBLIC_ADDRESSES)
def test_allowed_name_resolving_to_a_non_public_address_is_refused(fake_dns, address):
    fake_dns.table["private.example"] = [address]

    with pytest.raises(fetch.BlockedUrl, match="non-public address"):
        fetch.fetch("https://private.example/")
    with pytest.raises(fetch.BlockedUrl):
        fetch.check_url("https://private.example/")


def test_one_bad_address_in_the_answer_refuses_the_whole_answer(fake_dns):
    fake_dns.table["private.example"] = [PUBLIC_IP, "10.0.0.1"]

    with pytest.raises(fetch.BlockedUrl, match=r"10\.0\.0\.1"):
        fetch.fetch("https://private.example/")


@pytest.mark.parametrize("address", ["8.8.8.8", PUBLIC_IP, "157.240.1.35", "2a03:2880:f10c::1"])
def test_public_addresses_pass(address):
    assert fetch.address_refusal(address) is None


def test_redirect_to_a_private_ip_literal_is_refused(tiktok):
    tiktok.redirect("www.tiktok.com", "/r", "http://127.0.0.1/admin")

    with pytest.raises(fetch.BlockedUrl, match="redirect to a refused target"):
        fetch.fetch("https://www.tiktok.com/r")
    assert len(tiktok.requests) == 1


def test_redirect_to_metadata_service_is_refused(tiktok):
    tiktok.redirect("www.tiktok.com", "/r", "http://169.254.169.254/latest/meta-data/")

    with pytest.raises(fetch.BlockedUrl):
        fetch.fetch("https://www.tiktok.com/r")


def test_redirect_to_a_name_resolving_privately_is_refused(tiktok, fake_dns):
    fake_dns.table["private.example"] = ["192.168.1.1"]
    tiktok.redirect("www.tiktok.com", "/r", "https://private.example/")

    with pytest.raises(fetch.BlockedUrl, match=r"192\.168\.1\.1"):
        fetch.fetch("https://www.tiktok.com/r")


def test_redirect_off_the_allow_list_is_refused(tiktok):
    tiktok.redirect("www.tiktok.com", "/r", "https://evil.example/steal")

    with pytest.raises(fetch.BlockedUrl, match="not a platform host"):
        fetch.fetch("https://www.tiktok.com/r")
    assert len(tiktok.requests) == 1


def test_redirect_to_another_scheme_is_refused(tiktok):
    tiktok.redirect("www.tiktok.com", "/r", "file:///etc/passwd")

    with pytest.raises(fetch.BlockedUrl, match="only http and https"):
        fetch.fetch("https://www.tiktok.com/r")


def test_too_many_redirects(tiktok):
    for hop in range(6):
        tiktok.redirect("www.tiktok.com", f"/{hop}", f"/{hop + 1}")
    tiktok.route("www.tiktok.com", "/6", body=b"too far")

    with pytest.raises(fetch.BlockedUrl, match="more than 5 redirects"):
        fetch.fetch("https://www.tiktok.com/0")
    assert len(tiktok.requests) == 6


def test_redirect_loop_and_per_call_limit(tiktok):
    tiktok.redirect("www.tiktok.com", "/a", "/b")
    tiktok.redirect("www.tiktok.com", "/b", "/a")

    with pytest.raises(fetch.BlockedUrl, match="more than 2 redirects"):
        fetch.fetch("https://www.tiktok.com/a", max_redirects=2)
    assert len(tiktok.requests) == 3


# --- size cap -------------------------------------------------------------------


def test_oversized_body_with_content_length(tiktok):
    tiktok.huge("www.tiktok.com", "/big", size=5 * 1024 * 1024, content_length=True)

    with pytest.raises(fetch.ResponseTooLarge, match="announced 5242880 bytes"):
        fetch.fetch("https://www.tiktok.com/big")


def test_oversized_body_without_content_length(tiktok):
    tiktok.huge("www.tiktok.com", "/big", size=5 * 1024 * 1024, content_length=False)

    with pytest.raises(fetch.ResponseTooLarge, match="more than the 2097152 bytes"):
        fetch.fetch("https://www.tiktok.com/big")


def test_body_exactly_at_the_cap_is_fine(tiktok, settings):
    settings.SHAREKPI_FETCH_MAX_BYTES = 1000
    tiktok.huge("www.tiktok.com", "/exact", size=1000, content_length=False)
    tiktok.huge("www.tiktok.com", "/over", size=1001, content_length=False)

    assert len(fetch.fetch("https://www.tiktok.com/exact").body) == 1000
    with pytest.raises(fetch.ResponseTooLarge):
        fetch.fetch("https://www.tiktok.com/over")


# --- time-outs and broken connections -------------------------------------------------


def test_server_that_never_answers_times_out(tiktok, settings):
    settings.SHAREKPI_FETCH_READ_TIMEOUT = 0.5
    tiktok.never_answer("www.tiktok.com", "/hang", seconds=30)

    with pytest.raises(fetch.TemporaryFetchError, match="timed out"):
        fetch.fetch("https://www.tiktok.com/hang")


def test_trickling_server_is_cut_off_by_the_total_deadline(tiktok, settings):
    # Each byte arrives well within the read time-out; only the deadline stops it.
    settings.SHAREKPI_FETCH_READ_TIMEOUT = 5
    settings.SHAREKPI_FETCH_TOTAL_TIMEOUT = 1
    tiktok.trickle("www.tiktok.com", "/slow", size=1000, interval=0.1)

    with pytest.raises(fetch.TemporaryFetchError, match="within 1 s"):
        fetch.fetch("https://www.tiktok.com/slow")


def test_connection_refused_is_temporary(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["www.tiktok.com"]
    settings.SHAREKPI_FETCH_TEST_HOST_MAP = {"www.tiktok.com": f"127.0.0.1:{free_port}"}

    with pytest.raises(fetch.TemporaryFetchError, match="refused") as caught:
        fetch.fetch("https://www.tiktok.com/x")
    assert caught.value.retry_after is None


def test_dns_failure_is_temporary(monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch, "resolve", REAL_RESOLVE)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)

    with pytest.raises(fetch.TemporaryFetchError, match=r"could not resolve pinned\.example"):
        fetch.fetch("https://pinned.example/")


def test_test_host_map_must_point_at_loopback(settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["www.tiktok.com"]
    settings.SHAREKPI_FETCH_TEST_HOST_MAP = {"www.tiktok.com": "10.0.0.5:80"}

    with pytest.raises(fetch.BlockedUrl, match="loopback"):
        fetch.fetch("https://www.tiktok.com/x")


# --- pinning ------------------------------------------------------------------------


@pytest.fixture
def pinned(monkeypatch, fake_dns):
    """``pinned.example`` resolves to a public IP; connections to it land on a local server.

    Any other DNS lookup (e.g. urllib3 resolving the name again) fails the test.
    """
    fake_dns.table["pinned.example"] = [PUBLIC_IP]
    connects = []

    def no_second_lookup(*args, **kwargs):
        raise AssertionError(f"unexpected DNS lookup {args}")

    def make(server):
        def connect(address, port, timeout):
            connects.append((address, port))
            return REAL_CONNECT("127.0.0.1", server.port, timeout)

        monkeypatch.setattr(fetch, "_connect", connect)
        monkeypatch.setattr(socket, "getaddrinfo", no_second_lookup)
        return SimpleNamespace(connects=connects, dns_calls=fake_dns.calls)

    return make


def test_connects_to_the_checked_address_and_resolves_once_per_hop(pinned):
    with FakePlatform() as server:
        server.redirect("pinned.example", "/start", "/next")
        server.route("pinned.example", "/next", body=b"pinned")
        seen = pinned(server)

        result = fetch.fetch("http://pinned.example/start")

    assert result.body == b"pinned"
    assert seen.dns_calls == ["pinned.example", "pinned.example"]
    assert seen.connects == [(PUBLIC_IP, 80), (PUBLIC_IP, 80)]
    assert [r.headers["Host"] for r in server.requests] == ["pinned.example"] * 2


def test_check_url_resolves_but_does_not_connect(pinned):
    with FakePlatform() as server:
        seen = pinned(server)

        fetch.check_url("https://pinned.example/x")

        assert seen.dns_calls == ["pinned.example"]
        assert seen.connects == []
        assert server.requests == []


@pytest.fixture
def certificate(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=pinned.example",
            "-addext", "subjectAltName=DNS:pinned.example",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names = []
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    monkeypatch.setattr(fetch, "ca_bundle", lambda: str(cert))
    with FakePlatform(ssl_context=context) as server:
        server.server_names = server_names
        yield server


def test_https_keeps_sni_and_certificate_check_for_the_name(pinned, tls_server):
    tls_server.route("pinned.example", "/secure", body=b"tls ok")
    seen = pinned(tls_server)

    result = fetch.fetch("https://pinned.example/secure")

    assert result.body == b"tls ok"
    assert seen.connects == [(PUBLIC_IP, 443)]
    assert tls_server.server_names == ["pinned.example"]
    assert tls_server.requests[0].headers["Host"] == "pinned.example"


def test_https_certificate_for_another_name_is_rejected(pinned, tls_server, fake_dns, settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["other.example"]
    fake_dns.table["other.example"] = [PUBLIC_IP]
    pinned(tls_server)

    with pytest.raises(fetch.FetchError, match="certificate") as caught:
        fetch.fetch("https://other.example/secure")
    assert not isinstance(caught.value, fetch.TemporaryFetchError)
    assert tls_server.requests == []


# --- allow-list, logging -------------------------------------------------------------


def test_allowed_hosts_adds_normalized_extra_hosts(settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["Status.Example.", "bücher.example"]

    hosts = fetch.allowed_hosts()

    assert {"status.example", "xn--bcher-kva.example"} <= hosts


def test_allowed_hosts_without_the_platforms_module(settings, monkeypatch):
    monkeypatch.setitem(sys.modules, "campaigns.platforms", None)  # import raises ImportError
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["status.example"]

    assert fetch.allowed_hosts() == frozenset({"status.example"})


def test_each_hop_is_logged_with_host_status_and_time(tiktok, caplog):
    tiktok.redirect("www.tiktok.com", "/r", "/x")
    tiktok.route("www.tiktok.com", "/x", status=404)

    with caplog.at_level(logging.INFO, logger="verification.fetch"):
        fetch.fetch("https://www.tiktok.com/r")

    messages = [r.getMessage() for r in caplog.records if r.name == "verification.fetch"]
    assert len(messages) == 2
    assert "host=www.tiktok.com status=302 ms=" in messages[0]
    assert "host=www.tiktok.com status=404 ms=" in messages[1]


# --- per-process state: computed once, still following the settings ----------------------


def test_allowed_hosts_follow_a_changed_setting_at_once(settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["status.example"]
    assert "status.example" in fetch.allowed_hosts()
    assert fetch.allowed_hosts() is fetch.allowed_hosts()  # worked out once

    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["other.example"]
    assert "status.example" not in fetch.allowed_hosts()
    with pytest.raises(fetch.BlockedUrl, match="not a platform host"):
        fetch.check_url("https://status.example/x")


def test_a_changed_test_host_map_is_followed_at_once(settings):
    settings.SHAREKPI_FETCH_EXTRA_HOSTS = ["www.tiktok.com"]
    with FakePlatform() as first, FakePlatform() as second:
        first.route("www.tiktok.com", "/x", body=b"first")
        second.route("www.tiktok.com", "/x", body=b"second")
        settings.SHAREKPI_FETCH_TEST_HOST_MAP = {"WWW.TikTok.com.": first.address}
        assert fetch.fetch("https://www.tiktok.com/x").body == b"first"
        settings.SHAREKPI_FETCH_TEST_HOST_MAP = {"www.tiktok.com": second.address}
        assert fetch.fetch("https://www.tiktok.com/x").body == b"second"


def test_tls_context_is_built_once_per_ca_bundle_and_checks_names(monkeypatch, certificate):
    context = fetch._tls_context()
    assert fetch._tls_context() is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname

    cert, _key = certificate
    monkeypatch.setattr(fetch, "ca_bundle", lambda: str(cert))
    other = fetch._tls_context()
    assert other is not context
    assert other.verify_mode == ssl.CERT_REQUIRED
    assert fetch._tls_context() is other


def deadline_threads() -> int:
    return sum(t.name == "sharekpi-fetch-deadlines" for t in threading.enumerate())


def test_fetches_share_one_deadline_thread(tiktok):
    tiktok.route("www.tiktok.com", "/x", body=b"ok")
    fetch.fetch("https://www.tiktok.com/x")
    before = deadline_threads()
    for _ in range(5):
        fetch.fetch("https://www.tiktok.com/x")

    assert before >= 1
    assert deadline_threads() == before
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_a_closed_watchdog_is_never_fired():
    watchdog = fetch._Watchdog(0.05)
    watchdog.close()
    time.sleep(0.2)
    assert not watchdog.expired


def test_an_earlier_deadline_is_fired_before_later_ones():
    late = fetch._Watchdog(30)
    early = fetch._Watchdog(0.1)
    try:
        deadline = time.monotonic() + 5
        while not early.expired and time.monotonic() < deadline:
            time.sleep(0.02)
        assert early.expired
        assert not late.expired
    finally:
        early.close()
        late.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_gets_its_own_deadline_thread(tiktok, settings):
    """Celery's prefork pool forks after the parent may have started the thread."""
    tiktok.route("www.tiktok.com", "/x", body=b"ok")
    fetch.fetch("https://www.tiktok.com/x")  # the parent's thread is running
    settings.SHAREKPI_FETCH_READ_TIMEOUT = 5
    settings.SHAREKPI_FETCH_TOTAL_TIMEOUT = 1
    tiktok.trickle("www.tiktok.com", "/slow", size=1000, interval=0.1)

    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        code = 1
        try:
            if fetch._deadlines._thread is None:
                try:
                    fetch.fetch("https://www.tiktok.com/slow")
                    code = 2
                except fetch.TemporaryFetchError as exc:
                    code = 0 if "within 1 s" in exc.reason else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
