"""One report (or its SQL floor) in a fresh process, timed, with its memory growth.

    python -m bench.report_probe page --user ID --path "/reports/kpi/?year=2025&unit=3"
        [--warmup-path PATH] [--as-server]
    python -m bench.report_probe sql --sql "SELECT …" --params '{"year": 2025}'

Prints one JSON line: seconds, bytes, status, rss_before_mb, peak_mb, growth_mb
(peak resident memory during the measured request minus resident memory just
before it; the peak is reset first where the kernel allows it, else it is the
process's peak so far). ``page`` goes through the whole Django stack with the
test client, logged in as ``--user``; the body is consumed chunk by chunk, as a
server would send it. ``--as-server`` first imports the WSGI module, as a
gunicorn worker does at start, and then times the same request a second time
(``again_seconds``: the warm figure). ``sql`` streams the query through a server-side cursor
into CSV, written nowhere: the least any export of those rows can cost.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from pathlib import Path


class NullSink:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, text) -> int:
        self.bytes += len(text)
        return len(text)


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def consume(response) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def probe_page(user_id: int, path: str, warmup_path: str | None, as_server: bool = False) -> dict:
    from django.test import Client

    from accounts.models import User

    started = time.perf_counter()
    if as_server:  # what a gunicorn worker does at start, before its first request
        import sharekpi.wsgi  # noqa: F401
    start_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    if warmup_path:  # imports, templates, fonts: paid once per process, not per report
        consume(client.get(warmup_path))
    reset = reset_peak()
    before = rss_mb()
    began = time.perf_counter()
    response = client.get(path)
    size = consume(response)
    seconds = time.perf_counter() - began
    peak = rss_mb("VmHWM")
    again = None
    if as_server:  # the same request once more: the warm one
        began = time.perf_counter()
        consume(client.get(path))
        again = time.perf_counter() - began
    return {
        "seconds": seconds,
        "again_seconds": again,
        "start_seconds": start_seconds,
        "bytes": size,
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "rss_before_mb": before,
        "peak_mb": peak,
        "growth_mb": max(0.0, peak - before),
        "peak_reset": reset,
    }


def probe_sql(sql: str, params: dict) -> dict:
    from django.db import connection, transaction

    connection.ensure_connection()
    reset = reset_peak()
    before = rss_mb()
    began = time.perf_counter()
    sink = NullSink()
    writer = csv.writer(sink)
    with transaction.atomic(), connection.connection.cursor(name="bench_probe") as cursor:
        cursor.itersize = 2000
        cursor.execute(sql, params)
        for row in cursor:
            writer.writerow(row)
    seconds = time.perf_counter() - began
    peak = rss_mb("VmHWM")
    return {
        "seconds": seconds,
        "bytes": sink.bytes,
        "status": 200,
        "rss_before_mb": before,
        "peak_mb": peak,
        "growth_mb": max(0.0, peak - before),
        "peak_reset": reset,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    page = sub.add_parser("page")
    page.add_argument("--user", type=int, required=True)
    page.add_argument("--path", required=True)
    page.add_argument("--warmup-path")
    page.add_argument("--as-server", action="store_true")
    sql = sub.add_parser("sql")
    sql.add_argument("--sql", required=True)
    sql.add_argument("--params", default="{}")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if args.mode == "page":
        result = probe_page(args.user, args.path, args.warmup_path, args.as_server)
    else:
        result = probe_sql(args.sql, json.loads(args.params))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
