"""cProfile of share submissions in-process (the Django test client, the whole stack
but gunicorn): what one ``POST /api/v1/shares/`` costs in CPU, and where it goes,
beside the floor endpoint. ``make bench`` writes the summary into the bench log
(var/bench/<size>/submission-profile.txt); on its own, with the submission's load
runs: ``BENCH_ONLY=submission bash bench/run.sh <size>``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.test import Client


@dataclass
class Profiled:
    requests: int
    cpu_ms: float  # process CPU per request, profiler off
    floor_cpu_ms: float
    summary: str  # pstats of process CPU time, profiler on (so slower than cpu_ms)


def _cpu_per_request(sends: list[Callable[[], None]]) -> float:
    began = time.process_time()
    for send in sends:
        send()
    return (time.process_time() - began) * 1000 / len(sends)


def profile(
    api: list[Callable[[], None]],
    floor: list[Callable[[], None]],
    warm: Callable[[], None],
    top: int = 45,
):
    """``api``, ``floor``: one callable per request (each sends one and checks it).
    Half of ``api`` is timed without the profiler, the other half profiled. ``warm``,
    untimed before each of the three: what the timed load runs do first (every token
    through the authentication, so that each phase finds it in the token cache)."""
    half = len(api) // 2
    timed, profiled = api[:half], api[half:]
    warm()
    floor_ms = _cpu_per_request(floor)
    warm()
    cpu_ms = _cpu_per_request(timed)
    warm()
    profiler = cProfile.Profile(time.process_time)  # CPU, not waits for PostgreSQL
    profiler.enable()
    for send in profiled:
        send()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(where_it_went(stats, len(profiled)) + "\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(25)
    return Profiled(len(profiled), cpu_ms, floor_ms, out.getvalue())


# (label, file name ending, function name): the parts of a submission, by cumulative
# CPU time (each counted once however deep its calls go).
PARTS = [
    ("whole request (test client)", "django/test/client.py", "__call__"),
    ("URL resolving", "django/urls/resolvers.py", "resolve"),
    ("token authentication", "accounts/authentication.py", "authenticate_credentials"),
    ("input check: DRF serializer", "rest_framework/serializers.py", "is_valid"),
    ("input check: plain JSON path", "campaigns/api.py", "plain_share_input"),
    ("URL parsing (platform rules)", "sharekpi/platforms.py", "parse"),
    ("rules query: share_rules", "campaigns/selectors.py", "share_rules"),
    ("duplicate query: _check_existing", "campaigns/services.py", "_check_existing"),
    ("one statement: submission_facts", "campaigns/selectors.py", "submission_facts"),
    ("INSERT of the share (ORM)", "django/db/models/query.py", "create"),
    ("dashboard notes (3 statements)", "dashboard/stats.py", "record_status_changes"),
    ("INSERT with the notes (one statement)", "campaigns/services.py", "_insert"),
    ("status-change signals", "campaigns/services.py", "announce_status_change"),
    ("Celery publish (Redis)", "celery/app/base.py", "send_task"),
    ("201 body: ShareSerializer", "rest_framework/serializers.py", "data"),
    ("201 body: share_body", "campaigns/api.py", "share_body"),
    ("JSON rendering", "rest_framework/renderers.py", "render"),
    ("JSON rendering (orjson)", "sharekpi/json_api.py", "render"),
]


def where_it_went(stats: pstats.Stats, requests: int) -> str:
    """Per request, each part's CPU (profiler on: inflated alike) and share of the whole."""
    found: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        for label, ending, name in PARTS:
            if function == name and filename.endswith(ending):
                # The outermost of same-named matches (Serializer.data calls
                # BaseSerializer.data) holds the others' time already.
                found[label] = max(found.get(label, 0.0), cumulative)
    whole = found.get(PARTS[0][0]) or 1.0
    lines = ["part of a submission                | ms/request (profiled) | share"]
    for label, _ending, _name in PARTS:
        if label in found:
            ms = found[label] * 1000 / requests
            lines.append(f"{label:<36}| {ms:>21.2f} | {found[label] / whole:>5.0%}")
    return "\n".join(lines) + "\n"


def sender(client: Client, path: str, body: bytes, expect: int = 201) -> Callable[[], None]:
    def send() -> None:
        answer = client.post(path, body, content_type="application/json")
        if answer.status_code != expect:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.content[:300]!r}")

    return send
