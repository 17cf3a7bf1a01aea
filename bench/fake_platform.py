"""The fake platform server of tests/fakeplatform.py, run as its own process for
the verification benchmark: ``python -m bench.fake_platform --delay 0.2``.

Every host and path answers after ``--delay`` seconds with an oEmbed-shaped
JSON body naming as author the handle found in the requested post URL (the
``?url=`` of an oEmbed call, or the path itself), so evidence checks pass as
they would for a real post by the right person. It prints
``{"address": "127.0.0.1:PORT"}`` on one line, then serves until stdin closes
or it is terminated.

Requests with ``Host: bench.stats`` answer at once: ``/`` gives the counters
(requests served, peak requests in flight), ``/reset`` zeroes them.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from urllib.parse import parse_qs, urlsplit

from campaigns import platforms
from tests.fakeplatform import FakePlatform, Route

STATS_HOST = "bench.stats"


def author_of(target: str) -> tuple[str, str]:
    """(platform, handle) of the post a request is about, or ("", "")."""
    query = parse_qs(urlsplit(target).query)
    candidates = [*query.get("url", []), target]
    for candidate in candidates:
        try:
            parsed = platforms.parse(candidate)
        except platforms.InvalidShareUrl:
            continue
        if parsed.author_handle:
            return parsed.platform, parsed.author_handle
    return "", ""


def oembed_body(host: str, target: str) -> bytes:
    platform, handle = author_of(target if target.startswith("http") else f"https://{host}{target}")
    author_url = {
        "x": f"https://twitter.com/{handle}",
        "tiktok": f"https://www.tiktok.com/@{handle}",
    }.get(platform, f"https://{host}/{handle}")
    return json.dumps(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": host,
            "author_name": handle,
            "author_unique_id": handle,
            "author_url": author_url,
            "title": "An official post, shared",
            "html": f"<blockquote>shared by @{handle}</blockquote>",
        }
    ).encode()


class BenchPlatform(FakePlatform):
    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.served = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._counter_lock = threading.Lock()
        # socketserver listens with a backlog of 5: far too short for 50+
        # workers connecting at once (dropped SYNs retry after a second).
        self._httpd.socket.listen(1024)
        base = self._httpd.RequestHandlerClass
        platform = self

        class CountingHandler(base):
            def handle(self) -> None:
                platform._enter()
                try:
                    super().handle()
                finally:
                    platform._leave()

        self._httpd.RequestHandlerClass = CountingHandler

    def _enter(self) -> None:
        with self._counter_lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._counter_lock:
            self.in_flight -= 1
            self.served += 1

    def _find(self, host: str, target: str) -> Route | None:
        if host == STATS_HOST:
            with self._counter_lock:
                if target.startswith("/reset"):
                    self.served = 0
                    self.peak_in_flight = self.in_flight
                body = json.dumps({"served": self.served, "peak_in_flight": self.peak_in_flight})
            return Route(host, target, 200, body.encode(), {"Content-Type": "application/json"})
        return Route(
            host,
            target,
            200,
            oembed_body(host, target),
            {"Content-Type": "application/json"},
            self.delay,
        )

    def _record(self, request) -> None:
        pass  # the tests' request log would grow without bound here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.2, help="Seconds before each answer.")
    args = parser.parse_args()
    server = BenchPlatform(args.delay).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(json.dumps({"address": server.address}), flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
