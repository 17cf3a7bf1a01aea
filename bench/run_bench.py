"""The measurements of `make bench` (bench/run.sh sets up the database and calls this).

    python -m bench.run_bench --size small [--parts submission,import] [--generate-seconds S]

Every figure is measured several times and set against a floor measured in
the same run, on the same machine, right next to it (floor and figure runs
alternate). Each part runs on its own: a part whose code is not there yet is
skipped with the reason, a part that fails is recorded as "error: …", and the
others still run. The results replace this size's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import importlib.util
import inspect
import io
import json
import logging
import os
import platform as platform_module
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import OrgUnit, Role, SocialAccount, User  # noqa: E402
from bench import load, report_probe  # noqa: E402
from bench.management.commands.generate_bench_data import post_id, post_url  # noqa: E402
from campaigns import platforms  # noqa: E402
from campaigns.models import Campaign, CampaignStatus, Share, ShareStatus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
log = logging.getLogger("bench")

# Post numbers for shares logged during the bench, apart from generated data.
FIRST_BENCH_POST = 10**9
VERIFY_PLATFORMS = ("x", "tiktok")  # evidence policy: one oEmbed fetch each, author in the URL
FETCH_LATENCY = 0.2
# The web server's shape: BENCH_WEB_WORKERS processes of BENCH_WEB_THREADS threads
# (default 2 x 8: one process per core of the reference machine).
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "8"))
PAGE_TIMEOUT = 120  # seconds a dashboard page may take before the part gives up
TIMES = "\u00d7"  # multiplication sign, for ratios
DASH = "\u2013"  # en dash, for ranges


@dataclass(frozen=True)
class Size:
    name: str
    staff: int
    shares: int
    runs: int  # repetitions of each figure
    submit_requests: int  # per run, per endpoint
    clients: int  # concurrent HTTP clients
    verify_shares: int  # per run
    # Celery worker processes (threads pool) on this host: one, as in docker-compose.yml
    # (--pool=threads --concurrency=50); BENCH_VERIFY_PROCESSES=2 splits the threads in two.
    verify_processes: int
    verify_concurrency: int  # threads in all = requests in flight
    import_rows: int
    page_requests: int  # per run, dashboard
    heavy_runs: int  # repetitions of the slow figures (reports, staff import)
    unit_people: int  # the report's unit: the one closest to this many people
    pdf_people: int  # where the app refuses a PDF that big: the unit closest to this


SIZES = {
    "small": Size(
        name="small", staff=5_000, shares=100_000, runs=3, submit_requests=200, clients=16,
        verify_shares=100, verify_processes=1, verify_concurrency=50, import_rows=10_000,
        page_requests=4, heavy_runs=2, unit_people=7_000, pdf_people=500,
    ),
    "medium": Size(
        name="medium", staff=25_000, shares=1_000_000, runs=3, submit_requests=600, clients=16,
        verify_shares=600, verify_processes=1, verify_concurrency=50, import_rows=10_000,
        page_requests=12, heavy_runs=3, unit_people=7_000, pdf_people=3_000,
    ),
    "large": Size(
        name="large", staff=100_000, shares=5_000_000, runs=5, submit_requests=1_500, clients=16,
        verify_shares=2_000, verify_processes=1, verify_concurrency=50, import_rows=10_000,
        page_requests=30, heavy_runs=3, unit_people=7_000, pdf_people=3_000,
    ),
}  # fmt: skip


# --- results ------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    unit: str  # "s", "ms", "req/s", "MB", …
    values: list[float]
    floor: list[float] | None = None
    floor_name: str = ""
    ratio: list[float] | None = None  # per run
    ratio_style: str = "x"  # "x": cost (lower is better), "%": share of the floor's rate
    goal: str = "none set"
    met: bool | None = None
    note: str = ""


@dataclass
class Skipped:
    name: str
    reason: str


@dataclass
class Failed:
    name: str
    error: str


Outcome = Figure | Skipped | Failed


def spread(values: list[float], unit: str, digits: int | None = None) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{number(med, digits)} {unit}"
    return (
        f"{number(med, digits)} {unit} ({number(min(values), digits)}{DASH}"
        f"{number(max(values), digits)})"
    )


def number(value: float, digits: int | None = None) -> str:
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"


def ratio_text(figure: Figure) -> str:
    if not figure.ratio:
        return "—"
    values = figure.ratio
    if figure.ratio_style == "%":
        values = [v * 100 for v in values]
        return spread(values, "%", 0).replace(" %", "%")
    return spread(values, TIMES, 2).replace(" " + TIMES, TIMES)


def met_text(figure: Figure) -> str:
    return {True: "yes", False: "**no**", None: "—"}[figure.met]


# --- helpers -----------------------------------------------------------------------------------


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def routed(path: str) -> bool:
    try:
        resolve(path.split("?")[0])
    except Resolver404:
        return False
    return True


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores, from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(pids) -> float:
    """CPU time of those of ``pids`` still running (a process gone meanwhile counts 0)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += process_cpu_seconds(pid)
    return total


def database_backend_pids() -> set[int]:
    """The PostgreSQL backends serving this database (ours: the bench, its workers), when
    the server runs on this machine; empty otherwise."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall() if Path(f"/proc/{pid}").exists()}


def redis_pid() -> int | None:
    """The local redis-server's process id (shared with whatever else uses it)."""
    try:
        import redis

        pid = int(redis.Redis.from_url(settings.CELERY_BROKER_URL).info("server")["process_id"])
    except Exception:
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


class CpuByPart:
    """CPU seconds of each part of the machine between ``start()`` and ``stop()``: the
    given processes, this process (the bench), the PostgreSQL backends of our database
    (those running at the end; one that started meanwhile counts from 0) and Redis."""

    def __init__(self, processes: dict[str, list[int]]) -> None:
        self.processes = processes
        self.redis = redis_pid()

    def _now(self, backends: set[int]) -> dict[str, float]:
        now = {name: cpu_seconds_of(pids) for name, pids in self.processes.items()}
        now["bench"] = time.process_time()
        now["PostgreSQL"] = {pid: cpu_seconds_of([pid]) for pid in backends}
        now["Redis"] = cpu_seconds_of([self.redis]) if self.redis else 0.0
        return now

    def start(self) -> None:
        self.before = self._now(database_backend_pids())

    def stop(self) -> dict[str, float]:
        backends = database_backend_pids() | set(self.before["PostgreSQL"])
        after = self._now(backends)
        spent = {name: after[name] - self.before[name] for name in after if name != "PostgreSQL"}
        spent["PostgreSQL"] = sum(
            seconds - self.before["PostgreSQL"].get(pid, 0.0)
            for pid, seconds in after["PostgreSQL"].items()
            if seconds  # gone by the end: unknown, not negative
        )
        return spent


def process_group_pids(group: int) -> list[int]:
    """The processes of a process group (a server and the children it forked)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == group:
                    pids.append(int(entry.name))
    return pids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port: int, path: str = "/healthz", timeout: float = 60, host: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Host": host} if host else {})
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout:.0f}s")


def kpi_year_range(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    month = settings.SHAREKPI_KPI_YEAR_START_MONTH
    return (
        datetime.datetime(year, month, 1, tzinfo=zone),
        datetime.datetime(year + 1, month, 1, tzinfo=zone),
    )


# The floor of scoring: distinct campaigns with a verified share submitted in
# the KPI year and inside the campaign's window, per person.
KPI_COUNTS_SQL = """
    SELECT s.staff_id, COUNT(DISTINCT s.campaign_id) AS verified_shares
    FROM campaigns_share s
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    WHERE s.status = 'verified'
      AND s.submitted_at >= %(start)s AND s.submitted_at < %(end)s
      AND (s.submitted_at AT TIME ZONE %(tz)s)::date BETWEEN c.starts_on AND c.ends_on
    GROUP BY s.staff_id
"""

# The floor of a report: one row per active person at or below a unit, with
# their count, straight from SQL.
REPORT_ROWS_SQL = """
    SELECT u.staff_id, u.full_name, ou.path, COUNT(DISTINCT c.id) AS verified_shares
    FROM accounts_user u
    JOIN accounts_orgunit ou ON ou.id = u.unit_id
    LEFT JOIN campaigns_share s
      ON s.staff_id = u.id AND s.status = 'verified'
     AND s.submitted_at >= %(start)s AND s.submitted_at < %(end)s
    LEFT JOIN campaigns_campaign c
      ON c.id = s.campaign_id
     AND (s.submitted_at AT TIME ZONE %(tz)s)::date BETWEEN c.starts_on AND c.ends_on
    WHERE u.is_active AND (ou.path = %(path)s OR ou.path LIKE %(prefix)s)
    GROUP BY u.id, u.staff_id, u.full_name, ou.path
    ORDER BY ou.path, u.full_name
"""


LOCK_WAITS = {  # pg_stat_activity.wait_event, in words
    "transactionid": "on a row another transaction is writing, a hot row:",
    "tuple": "on a row lock",
    "advisory": "on an advisory lock",
    "relation": "on a table lock",
}


class LockWaits:
    """Samples PostgreSQL's active sessions on this database while a load runs:
    how often they wait on a lock (a hot row, an advisory lock), and on what."""

    # Five samples a second, from a prepared statement (planned once): the sampling costs
    # PostgreSQL and the bench CPU too, which the submission's figures count, so it must
    # stay small beside the load (it was a query planned afresh twenty times a second).
    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.active = 0
        self.waits: Counter = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "PREPARE bench_lock_waits AS "
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state = 'active' AND backend_type = 'client backend'"
                )
                while not self._stop.wait(self.interval):
                    cursor.execute("EXECUTE bench_lock_waits")
                    for kind, event in cursor.fetchall():
                        self.active += 1
                        if kind == "Lock":
                            self.waits[event] += 1
        finally:
            connection.close()

    def __enter__(self) -> LockWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.active:
            return "no active database session was sampled"
        waiting = sum(self.waits.values())
        kinds = ", ".join(
            f"{LOCK_WAITS.get(event, event)} {n / self.active:.0%}"
            for event, n in self.waits.most_common(3)
        )
        return (
            f"{waiting / self.active:.0%} of sampled active database sessions were waiting "
            f"for a lock" + (f" ({kinds})" if kinds else "")
        )


class Processes:
    """Every process the bench starts, so that all of them are stopped."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.running: list[subprocess.Popen] = []

    def start(self, cmd: list[str], *, log_name: str, env: dict | None = None, **kwargs):
        log_path = self.var_dir / log_name
        log_file = open(log_path, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=kwargs.pop("stdout", log_file),
            stderr=log_file,
            start_new_session=True,  # its own process group: stop() ends its children too
            **kwargs,
        )
        proc._bench_log = log_file
        self.running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 20) -> None:
        """SIGTERM to the process group (gunicorn's and Celery's own children
        included), then SIGKILL to whatever is left after ``timeout``."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc._bench_log.close()
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in list(self.running):
            self.stop(proc)


def highest_post_number() -> int:
    """The highest post number (generate_bench_data.post_url) of the shares logged so
    far: each platform's post ids have a fixed width, so the greatest string is the
    greatest number (one lookup each on the (platform, post_id) index)."""
    highest = 0
    for platform in ("facebook", "instagram", "tiktok", "x", "youtube", "linkedin", "threads"):
        top = (
            Share.objects.filter(platform=platform, post_id__gte=post_id(platform, 0))
            .order_by("-post_id")
            .values_list("post_id", flat=True)
            .first()
        )
        if top and len(top) == len(post_id(platform, 0)):
            base = int(post_id(platform, 0).lstrip("CYD"))
            with contextlib.suppress(ValueError):
                highest = max(highest, int(top.lstrip("CYD")) - base)
    return highest


class Bench:
    def __init__(self, size: Size, generate_seconds: float | None):
        self.size = size
        self.generate_seconds = generate_seconds
        self.var_dir = Path(settings.VAR_DIR)
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.processes = Processes(self.var_dir)
        self.rng = random.Random(1)
        self.year = (
            Campaign.objects.filter(status=CampaignStatus.CLOSED).order_by("-starts_on").first()
        ).starts_on.year
        self.hr = User.objects.filter(role=Role.HR_ADMIN, is_active=True).order_by("pk").first()
        self.tz = settings.TIME_ZONE
        self.web_port: int | None = None
        self._web = None
        # Above every post number used before, even by an earlier run on this database.
        self._post_number = max(FIRST_BENCH_POST, highest_post_number())
        self._pools: dict[str, list[tuple[int, int, str, str]]] | None = None
        self.durations: dict[str, float] = {}
        self.load_at_start = os.getloadavg()

    # -- gunicorn ---------------------------------------------------------------------------

    def web(self) -> int:
        """Start gunicorn (WEB_WORKERS workers, WEB_THREADS threads each) once; its port."""
        if self._web is None:
            port = free_port()
            self._web = self.processes.start(
                [
                    sys.executable, "-m", "gunicorn", "sharekpi.wsgi:application",
                    "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS),
                    "--threads", str(WEB_THREADS),
                    "--worker-class", "gthread", "--timeout", "300", "--keep-alive", "30",
                    "--log-level", "warning",
                ],
                log_name="gunicorn.log",
            )  # fmt: skip
            wait_http(port, "/bench/floor/")
            self.web_port = port
        return self.web_port

    def stop_web(self) -> None:
        if self._web is not None:
            self.processes.stop(self._web)
            self._web = None

    def after_failure(self) -> None:
        """Leave nothing of a failed part running: its requests on the server, its
        queries in the bench database (no other database is touched)."""
        self.stop_web()
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'active'"
            )

    def session_cookie(self, user: User) -> str:
        client = Client()
        client.force_login(user)
        return (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    # -- shares to log --------------------------------------------------------------------------

    def next_post(self) -> int:
        self._post_number += 1
        return self._post_number

    def pool(self, kind: str) -> list[tuple[int, int, str, str]]:
        """Unused (user, campaign, platform, handle) combinations a share may be
        logged for right now: active staff, campaigns open today for everyone,
        platforms the person has an account on. "verify": x and tiktok only;
        "submit": the other platforms. Shuffled; taking removes them."""
        if self._pools is None:
            today = timezone.localdate()
            open_campaigns = list(
                Campaign.objects.filter(
                    status=CampaignStatus.ACTIVE,
                    starts_on__lte=today,
                    ends_on__gte=today,
                    units__isnull=True,
                ).values_list("pk", flat=True)
            )
            if not open_campaigns:
                raise RuntimeError("no campaign open today for everyone: run generate_bench_data")
            taken = set(
                Share.objects.filter(campaign__in=open_campaigns).values_list(
                    "staff_id", "campaign_id", "platform"
                )
            )
            accounts = SocialAccount.objects.filter(
                user__is_active=True, user__role=Role.STAFF
            ).values_list("user_id", "platform", "handle")
            pools: dict[str, list] = {"verify": [], "submit": []}
            for user_id, platform, handle in accounts:
                kind_of = "verify" if platform in VERIFY_PLATFORMS else "submit"
                for campaign_id in open_campaigns:
                    if (user_id, campaign_id, platform) not in taken:
                        pools[kind_of].append((user_id, campaign_id, platform, handle))
            for combos in pools.values():
                self.rng.shuffle(combos)
            self._pools = pools
        return self._pools[kind]

    def take(self, kind: str, count: int) -> list[tuple[int, int, str, str]]:
        combos = self.pool(kind)
        if len(combos) < count:
            raise RuntimeError(
                f"only {len(combos)} unused {kind} combinations left, {count} needed"
            )
        taken, combos[:] = combos[:count], combos[count:]
        return taken

    def tokens(self, user_ids: set[int]) -> dict[int, str]:
        existing = dict(Token.objects.filter(user_id__in=user_ids).values_list("user_id", "key"))
        missing = [Token(user_id=u, key=Token.generate_key()) for u in user_ids - set(existing)]
        Token.objects.bulk_create(missing, batch_size=2000)
        existing.update({t.user_id: t.key for t in missing})
        return existing

    # -- running the parts ----------------------------------------------------------------------

    def run_parts(self, parts: list[tuple[str, Callable[[Bench], list[Outcome]]]]) -> list:
        results: list[tuple[str, list[Outcome]]] = []
        for name, part in parts:
            began = time.monotonic()
            log.warning("── %s", name)
            try:
                outcomes = part(self)
            except Exception as exc:
                log.error("%s failed:\n%s", name, traceback.format_exc())
                message = " ".join(f"{type(exc).__name__}: {exc}".split())
                outcomes = [Failed(name, message[:400])]
                self.after_failure()
            finally:
                if name == "Share submission":
                    self.stop_web()  # frees its database connections for the workers
                with contextlib.suppress(Exception):
                    connection.close()
            for outcome in outcomes:
                log.warning("   %s", describe(outcome))
            self.durations[name] = time.monotonic() - began
            log.warning("   (%.0fs)", self.durations[name])
            results.append((name, outcomes))
        return results


def describe(outcome: Outcome) -> str:
    if isinstance(outcome, Skipped):
        return f"{outcome.name}: skipped ({outcome.reason})"
    if isinstance(outcome, Failed):
        return f"{outcome.name}: error: {outcome.error}"
    floor = f", floor {spread(outcome.floor, outcome.unit)}" if outcome.floor else ""
    return (
        f"{outcome.name}: {spread(outcome.values, outcome.unit)}{floor}, ratio "
        f"{ratio_text(outcome)}, goal {outcome.goal}, met {met_text(outcome)}"
    )


# --- the parts -----------------------------------------------------------------------------------


def part_scoring(bench: Bench) -> list[Outcome]:
    name = "Scoring: full-year recompute"
    if not module_exists("scoring.management.commands.compute_scores"):
        return [Skipped(name, "scoring has no `compute_scores` management command yet")]
    start, end = kpi_year_range(bench.year)
    params = {"start": start, "end": end, "tz": bench.tz}
    people = [0]

    def floor() -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(KPI_COUNTS_SQL, params)
            people[0] = len(cursor.fetchall())
        return time.perf_counter() - began

    def compute() -> float:
        began = time.perf_counter()
        call_command("compute_scores", "--year", str(bench.year), stdout=io.StringIO())
        return time.perf_counter() - began

    first = compute()  # the first run creates every KpiScore row; later runs recompute
    floor()
    floors, values = [], []
    for _ in range(bench.size.runs):
        floors.append(floor())
        values.append(compute())
    ratios = [v / f for v, f in zip(values, floors, strict=True)]
    med = statistics.median(ratios)
    scores = ""
    with contextlib.suppress(Exception), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM scoring_kpiscore")
        scores = f", {cursor.fetchone()[0]:,} KpiScore rows"
    return [
        Figure(
            name=f"{name} ({bench.year})",
            unit="s",
            values=values,
            floor=floors,
            floor_name="SQL aggregate: distinct verified campaigns per person, in window",
            ratio=ratios,
            goal=f"≤ 1.5{TIMES}",
            met=med <= 1.5,
            note=(
                f"`manage.py compute_scores --year {bench.year}` run in-process (no interpreter "
                f"start-up); first run {first:.2f}s, then the timed re-runs. The floor fetches "
                f"{people[0]:,} (person, count) rows and writes nothing; the command also writes "
                f"a score per person{scores}." + miss(med, 1.5, "x")
            ),
        )
    ]


DASHBOARD_GOAL = 15.0  # every view's p95 at most this many times the floor endpoint's


def part_dashboard(bench: Bench) -> list[Outcome]:
    name = "Dashboard p95"
    if not routed("/dashboard/"):
        return [Skipped(name, "`/dashboard/` is not routed yet")]
    refresh = ""
    # The command moved from scoring to the dashboard app; either place will do.
    if module_exists("dashboard.management.commands.refresh_dashboard_stats") or module_exists(
        "scoring.management.commands.refresh_dashboard_stats"
    ):
        # Its counts are kept up by signals; COPY-loaded shares need one rebuild.
        began = time.perf_counter()
        call_command("refresh_dashboard_stats", stdout=io.StringIO())
        refresh = (
            f" `manage.py refresh_dashboard_stats` (after the bulk load) took "
            f"{time.perf_counter() - began:.1f} s."
        )
    unit, people = unit_closest_to(bench.size.unit_people)
    manager = User.objects.filter(role=Role.MANAGER, unit=unit, is_active=True).first()
    campaign = (
        Campaign.objects.filter(status=CampaignStatus.CLOSED, units__isnull=True)
        .order_by("-starts_on")
        .first()
    )
    year = f"/dashboard/?year={bench.year}"
    views = [
        ("HR, whole organisation", bench.hr, year),
        (f"HR, {people:,}-person unit", bench.hr, f"{year}&unit={unit.pk}"),
        ("HR, one campaign", bench.hr, f"{year}&campaign={campaign.pk}"),
    ]
    if manager is not None:
        views.append((f"its manager, own {people:,}-person unit", manager, year))
    queries = []  # per view, counted once in-process
    for _, user, path in views:
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries.append(len(captured))
    port = bench.web()
    cookies = {user.pk: bench.session_cookie(user) for _, user, _ in views}

    def requests_for(path: str, user: User) -> load.Request:
        return load.Request("GET", path, {"Cookie": cookies[user.pk], "Accept": "text/html"})

    mix = [requests_for(path, user) for _, user, path in views]
    # Warm-up, one view at a time: a view that does not answer ends the part here
    # instead of tying up the server for every later request.
    slowest_seconds = 0.0
    for (label, _, path), request in zip(views, mix, strict=True):
        answer = load.run(port, [request], concurrency=1, timeout=PAGE_TIMEOUT)
        if answer.ok(200) != 1:
            raise RuntimeError(
                f"{path} ({label}) gave {dict(answer.statuses)} after "
                f"{answer.latencies[0]:.0f}s: {answer.sample_errors[:1]}"
            )
        slowest_seconds = max(slowest_seconds, answer.latencies[0])
    repeat = max(1, bench.size.page_requests // len(mix))
    budget = 600 / bench.size.runs  # seconds a run may take
    if repeat * len(mix) * slowest_seconds > budget:
        repeat = max(1, int(budget / (len(mix) * slowest_seconds)))
    page = mix * repeat
    floor_page = [requests_for("/bench/floor/", bench.hr)] * len(page)
    load.run(port, floor_page[:2], concurrency=1)
    p50s, p95s, floor_p95s = [], [], []
    per_view: dict[int, list[float]] = {i: [] for i in range(len(views))}
    for _ in range(bench.size.runs):
        floor = load.run(port, floor_page, concurrency=1)
        result = load.run(port, page, concurrency=1, timeout=PAGE_TIMEOUT)
        if result.ok(200) != len(page):
            raise RuntimeError(
                f"/dashboard/ answered {dict(result.statuses)}: {result.sample_errors}"
            )
        p50s.append(result.percentile(0.5) * 1000)
        p95s.append(result.percentile(0.95) * 1000)
        floor_p95s.append(floor.percentile(0.95) * 1000)
        for i, latency in enumerate(result.latencies):  # one thread: in request order
            per_view[i % len(views)].append(latency * 1000)
    ratios = [v / f for v, f in zip(p95s, floor_p95s, strict=True)]
    med = statistics.median(ratios)
    # Issue 15 item 3: every view's p95 (its requests of all runs) within the goal too.
    floor_p95 = statistics.median(floor_p95s)
    view_ratios = [load.percentile(per_view[i], 0.95) / floor_p95 for i in range(len(views))]
    # A view's own p95 means something with enough requests (the large size: 35 a view);
    # below that it is the slowest of a handful, shown but not judged.
    worst = max(view_ratios) if min(map(len, per_view.values())) >= 20 else med
    slowest = "; ".join(
        f"{label}: p95 {load.percentile(per_view[i], 0.95):.0f} ms "
        f"({view_ratios[i]:.1f}{TIMES} the floor), {queries[i]} queries"
        for i, (label, _, _) in enumerate(views)
    )
    return [
        Figure(
            name=f"Dashboard p95 ({len(views)} views, KPI year {bench.year})",
            unit="ms",
            values=p95s,
            floor=floor_p95s,
            floor_name="p95 of the floor endpoint (session auth) on the same server",
            ratio=ratios,
            goal=f"≤ {DASHBOARD_GOAL:g}{TIMES} floor, every view",
            met=med <= DASHBOARD_GOAL and worst <= DASHBOARD_GOAL,
            note=(
                f"{len(page)} sequential requests a run under gunicorn, cycling through the "
                f"views; p50 {spread(p50s, 'ms')}. Per view (its p95 over every run against "
                f"the floor's median p95): {slowest}.{refresh}"
                + miss(max(med, worst), DASHBOARD_GOAL, "x")
            ),
        )
    ]


PRESENCE_GOAL = 15.0  # the report's p95 at most this many times the floor endpoint's


def part_presence(bench: Bench) -> list[Outcome]:
    """The compliance report (/presence/) at the bench's size, against the floor endpoint
    on the same gunicorn: HR for everyone, HR and the manager for the big unit, and one
    streamed "who is missing" CSV is left to the report figures (not timed here)."""
    name = "Presence report p95"
    if not routed("/presence/"):
        return [Skipped(name, "`/presence/` is not routed yet")]
    from presence.models import FollowConfirmation, FollowRequirement

    if not FollowRequirement.objects.exists():
        return [Skipped(name, "no presence data: `generate_bench_data --presence`")]
    unit, people = unit_closest_to(bench.size.unit_people)
    manager = User.objects.filter(role=Role.MANAGER, unit=unit, is_active=True).first()
    views = [
        ("HR, whole organisation", bench.hr, "/presence/"),
        (f"HR, {people:,}-person unit", bench.hr, f"/presence/?unit={unit.pk}"),
    ]
    if manager is not None:
        views.append((f"its manager, own {people:,}-person unit", manager, "/presence/"))
    queries = []
    for _, user, path in views:
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code} in-process")
        queries.append(len(captured))
    # What a request costs when the cached counts are out of date (once per change or
    # per SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS): the whole organisation counted again.
    from presence import report as presence_report

    uncached = []
    for _ in range(3):
        began = time.perf_counter()
        presence_report.load_facts(list(FollowRequirement.objects.values_list(
            "official_account_id", flat=True
        )))  # fmt: skip
        uncached.append((time.perf_counter() - began) * 1000)
    port = bench.web()
    cookies = {user.pk: bench.session_cookie(user) for _, user, _ in views}

    def requests_for(path: str, user: User) -> load.Request:
        return load.Request("GET", path, {"Cookie": cookies[user.pk], "Accept": "text/html"})

    mix = [requests_for(path, user) for _, user, path in views]
    for (label, _, path), request in zip(views, mix, strict=True):  # warm-up, one by one
        answer = load.run(port, [request], concurrency=1, timeout=PAGE_TIMEOUT)
        if answer.ok(200) != 1:
            raise RuntimeError(f"{path} ({label}) gave {dict(answer.statuses)}")
    page = mix * max(1, bench.size.page_requests // len(mix))
    floor_page = [requests_for("/bench/floor/", bench.hr)] * len(page)
    load.run(port, floor_page[:2], concurrency=1)
    p50s, p95s, floor_p95s = [], [], []
    per_view: dict[int, list[float]] = {i: [] for i in range(len(views))}
    for _ in range(bench.size.runs):
        floor = load.run(port, floor_page, concurrency=1)
        result = load.run(port, page, concurrency=1, timeout=PAGE_TIMEOUT)
        if result.ok(200) != len(page):
            raise RuntimeError(f"/presence/ answered {dict(result.statuses)}")
        p50s.append(result.percentile(0.5) * 1000)
        p95s.append(result.percentile(0.95) * 1000)
        floor_p95s.append(floor.percentile(0.95) * 1000)
        for i, latency in enumerate(result.latencies):
            per_view[i % len(views)].append(latency * 1000)
    ratios = [v / f for v, f in zip(p95s, floor_p95s, strict=True)]
    med = statistics.median(ratios)
    slowest = "; ".join(
        f"{label}: p95 {load.percentile(per_view[i], 0.95):.0f} ms, {queries[i]} queries"
        for i, (label, _, _) in enumerate(views)
    )
    confirmations = FollowConfirmation.objects.count()
    units = OrgUnit.objects.count()
    return [
        Figure(
            name=f"Presence report p95 ({len(views)} views, {units:,} units)",
            unit="ms",
            values=p95s,
            floor=floor_p95s,
            floor_name="p95 of the floor endpoint (session auth) on the same server",
            ratio=ratios,
            goal=f"≤ {PRESENCE_GOAL:g}{TIMES} floor",
            met=med <= PRESENCE_GOAL,
            note=(
                f"{len(page)} sequential requests a run under gunicorn, cycling through the "
                f"views; p50 {spread(p50s, 'ms')}; {confirmations:,} follow confirmations. "
                f"Per view: {slowest}. Set-based: one GROUP BY per kind of row over the "
                f"whole organisation, rolled up the unit tree in Python, kept in the cache "
                f"until something it counts changes (or "
                f"SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS pass); counting afresh took "
                f"{spread(uncached, 'ms')} in-process." + miss(med, PRESENCE_GOAL, "x")
            ),
        )
    ]


def unit_closest_to(people: int, at_most: int | None = None) -> tuple[OrgUnit, int]:
    """The unit whose subtree holds the number of active people closest to
    ``people`` (and no more than ``at_most``)."""
    direct = Counter(
        dict(User.objects.filter(is_active=True).values_list("unit__path").annotate(n=Count("id")))
    )
    totals: Counter = Counter()
    for path, count in direct.items():
        parts = (path or "").split("/")
        for depth in range(1, len(parts) + 1):
            totals["/".join(parts[:depth])] += count
    if at_most is not None:
        totals = Counter({path: n for path, n in totals.items() if n <= at_most})
    best = min(totals, key=lambda path: (abs(totals[path] - people), -totals[path]))
    return OrgUnit.objects.get(path=best), totals[best]


def run_probe(bench: Bench, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "bench.report_probe", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        # The exception itself (the traceback's last line) and where it was raised.
        where = next(
            (line.strip() for line in reversed(lines) if line.strip().startswith("File ")), ""
        )
        raise RuntimeError(f"report failed: {lines[-1] if lines else '?'} ({where})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def part_reports(bench: Bench) -> list[Outcome]:
    if not routed("/reports/kpi/"):
        return [Skipped("Reports (HTML, PDF, CSV)", "`/reports/kpi/` is not routed yet")]
    unit, people = unit_closest_to(bench.size.unit_people)
    root = OrgUnit.objects.get(parent=None)
    everyone = User.objects.filter(is_active=True).count()
    smallest = OrgUnit.objects.exclude(children__isnull=False).order_by("pk").first()
    start, end = kpi_year_range(bench.year)
    outcomes: list[Outcome] = []

    def sql_params(of: OrgUnit) -> str:
        return json.dumps(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "tz": bench.tz,
                "path": of.path,
                "prefix": of.path + "/%",
            }
        )

    listing_from = getattr(importlib.import_module("scoring.reports"), "PDF_TABLE_MAX_ROWS", None)

    def measure(label, of, fmt, goal_seconds=None, memory_goal_mb=None, of_people=0):
        suffix = f"&format={fmt}" if fmt else ""
        path = f"/reports/kpi/?year={bench.year}&unit={of.pk}{suffix}"
        warmup = f"/reports/kpi/?year={bench.year}&unit={smallest.pk}{suffix}"
        seconds, growth, floors, floor_growth, sizes = [], [], [], [], []
        for _ in range(bench.size.heavy_runs):
            if memory_goal_mb:  # its memory too: in a fresh process, like the report
                floor = run_probe(
                    bench, "sql", "--sql", REPORT_ROWS_SQL, "--params", sql_params(of)
                )
            else:
                floor = report_probe.probe_sql(REPORT_ROWS_SQL, json.loads(sql_params(of)))
            page = run_probe(
                bench, "page", "--user", str(bench.hr.pk), "--path", path, "--warmup-path", warmup
            )
            if page["status"] != 200:
                raise RuntimeError(f"{path} answered {page['status']}")
            floors.append(floor["seconds"])
            floor_growth.append(floor["growth_mb"])
            seconds.append(page["seconds"])
            growth.append(page["growth_mb"])
            sizes.append(page["bytes"])
        med = statistics.median(seconds)
        figure = Figure(
            name=label,
            unit="s",
            values=seconds,
            floor=floors,
            floor_name="the same rows from SQL, streamed to CSV (server-side cursor)",
            ratio=[v / f for v, f in zip(seconds, floors, strict=True)],
            goal=f"< {goal_seconds:g} s" if goal_seconds else "none set",
            met=(med < goal_seconds) if goal_seconds else None,
            note=(
                f"{statistics.median(sizes) / 1e6:.1f} MB of output; peak memory growth "
                f"{spread(growth, 'MB')}; in a fresh process through the whole Django stack "
                f"(test client, after one warm-up report of a small unit)."
                + (
                    f" Below 1{TIMES}: the report reads the stored KPI scores, the floor "
                    f"counts them from the shares."
                    if med < statistics.median(floors)
                    else ""
                )
                + (
                    " WeasyPrint lays out every box: the PDF's cost is layout, not the query"
                    + (
                        f" (over {listing_from:,} people the PDF lists them as monospaced "
                        "lines, a handful of boxes a page, instead of table cells)."
                        if listing_from and of_people > listing_from
                        else "."
                    )
                    if fmt == "pdf"
                    else ""
                )
                + (
                    f" Missed by {med - goal_seconds:.1f} s."
                    if goal_seconds and med >= goal_seconds
                    else ""
                )
            ),
        )
        outcomes.append(figure)
        if memory_goal_mb:
            gmed = statistics.median(growth)
            outcomes.append(
                Figure(
                    name=f"{label}: peak memory growth",
                    unit="MB",
                    values=growth,
                    floor=floor_growth,
                    floor_name="growth while streaming the same rows from SQL",
                    goal=f"< {memory_goal_mb} MB, constant",
                    met=gmed < memory_goal_mb,
                    note=(
                        "Resident-set peak during the request minus resident set before it. "
                        + (
                            f"Missed by {gmed - memory_goal_mb:.0f} MB: the export holds rows in "
                            "memory instead of streaming them."
                            if gmed >= memory_goal_mb
                            else "Streams: growth stays near the SQL floor's."
                        )
                    ),
                )
            )

    pdf_unit, pdf_people, pdf_note = unit, people, ""
    pdf_limit = getattr(importlib.import_module("scoring.reports"), "PDF_MAX_ROWS", None)
    if pdf_limit and people > pdf_limit:
        # The app refuses (redirects) a PDF of more rows than this, by design.
        target = min(pdf_limit, bench.size.pdf_people)
        pdf_unit, pdf_people = unit_closest_to(target, at_most=pdf_limit)
        pdf_note = (
            f" A PDF of the {people:,}-person unit is refused by design (at most "
            f"{pdf_limit:,} rows, scoring.reports.PDF_MAX_ROWS; the page offers Excel/CSV "
            f"instead), so a unit that fits was measured."
        )
    try:
        outcomes.append(measure_pdf_cold_start(bench, unit_closest_to(60)))
    except Exception as exc:
        label = "Report PDF cold start, 60 people"
        log.error("%s failed:\n%s", label, traceback.format_exc())
        outcomes.append(Failed(label, " ".join(f"{type(exc).__name__}: {exc}".split())[:400]))
    for label, of, of_people, fmt, goal, memory, extra in (
        (f"Report HTML, {people:,}-person unit ({unit.path})", unit, people, "", 2, None, ""),
        (f"Report PDF, {pdf_people:,}-person unit", pdf_unit, pdf_people, "pdf", None, None,
         pdf_note),
        (f"Report CSV, whole organisation ({everyone:,} people)", root, everyone, "csv", None,
         50, ""),
    ):  # fmt: skip
        try:
            measure(label, of, fmt, goal, memory, of_people)
            if extra and isinstance(outcomes[-1], Figure):
                outcomes[-1].note += extra
        except Exception as exc:
            log.error("%s failed:\n%s", label, traceback.format_exc())
            outcomes.append(Failed(label, " ".join(f"{type(exc).__name__}: {exc}".split())[:400]))
    return outcomes


def submission_request(bench: Bench, tokens: dict[int, str], combo, path: str) -> load.Request:
    user_id, campaign_id, platform, handle = combo
    url = post_url(platform, handle, bench.next_post())
    return load.json_request(
        "POST",
        path,
        {"campaign": campaign_id, "url": url, "source": "api"},
        {"Authorization": f"Token {tokens[user_id]}"},
    )


def profile_submissions(bench: Bench, count: int):
    """In-process CPU per submission and per floor request, and a cProfile of
    ``count // 2`` submissions (bench.profile_submission)."""
    from bench import profile_submission

    combos = bench.take("submit", count)
    tokens = bench.tokens({user_id for user_id, *_ in combos})

    def senders(path: str) -> list:
        sent = []
        for combo in combos:
            request = submission_request(bench, tokens, combo, path)
            client = Client(HTTP_AUTHORIZATION=request.headers["Authorization"])
            sent.append(profile_submission.sender(client, path, request.body))
        return sent

    # Every token through the authentication, untimed, before each phase: floor and
    # submission then both find it in the token cache (when there is one), as in the
    # load runs, neither pays its first read. The cache keeps them longer here than its
    # 30 seconds: under the profiler the phase runs for longer than that.
    warming = senders("/bench/floor/")

    def warm() -> None:
        for send in warming:
            send()

    with override_settings(SHAREKPI_API_TOKEN_CACHE_SECONDS=3600):
        return profile_submission.profile(
            senders("/api/v1/shares/"), senders("/bench/floor/"), warm=warm
        )


def profile_text(result) -> str:
    return (
        f"In-process (Django test client, no gunicorn), CPU per request: submission "
        f"{result.cpu_ms:.2f} ms, floor {result.floor_cpu_ms:.2f} ms.\n"
        f"cProfile of {result.requests} submissions:\n\n{result.summary}"
    )


def measure_pdf_cold_start(bench: Bench, unit_and_people: tuple[OrgUnit, int]) -> Figure:
    """The first PDF a freshly started web process serves (it imports the WSGI
    module first, as a gunicorn worker does, which warms WeasyPrint and its fonts),
    against the same PDF right after it in that process (the floor)."""
    of, people = unit_and_people
    path = f"/reports/kpi/?year={bench.year}&unit={of.pk}&format=pdf"
    cold, warm, start = [], [], []
    for _ in range(bench.size.heavy_runs):
        page = run_probe(bench, "page", "--user", str(bench.hr.pk), "--path", path, "--as-server")
        if page["status"] != 200:
            raise RuntimeError(f"{path} answered {page['status']}")
        cold.append(page["seconds"])
        warm.append(page["again_seconds"])
        start.append(page["start_seconds"])
    ratios = [c / w for c, w in zip(cold, warm, strict=True)]
    ratio = statistics.median(ratios)
    return Figure(
        name=f"Report PDF cold start, {people} people",
        unit="s",
        values=cold,
        floor=warm,
        floor_name="the same PDF again in that process (warm)",
        ratio=ratios,
        goal=f"≤ 2{TIMES} the warm PDF",
        met=ratio <= 2,
        note=(
            f"The first PDF of a {people}-person unit ({of.path}) in a fresh process "
            f"that imported sharekpi.wsgi first, as a gunicorn worker does at start "
            f"(URLs loaded, WeasyPrint and its fonts warmed: {spread(start, 's')} at "
            f"start, before the worker serves)."
            + (f" Missed: {ratio:.2f}{TIMES}." if ratio > 2 else "")
        ),
    )


SUBMIT_SLICE = 500  # requests of one kind in a row, at most about (part_submission)


def part_submission(bench: Bench) -> list[Outcome]:
    name = "Share submission"
    if not routed("/api/v1/shares/"):
        return [Skipped(name, "`/api/v1/shares/` is not routed yet")]
    size = bench.size
    per_run = size.submit_requests
    warmup = 40
    combos = bench.take("submit", per_run * size.runs + warmup + 1)
    tokens = bench.tokens({user_id for user_id, *_ in combos})

    def request(combo, path):
        return submission_request(bench, tokens, combo, path)

    def warm_request(combo):
        return load.json_request("GET", "/bench/floor/", None, request(combo, "").headers)

    # Queries per request, measured once in-process with the test client.
    queries = {}
    Client(HTTP_AUTHORIZATION=request(combos[-1], "").headers["Authorization"]).get(
        "/bench/floor/"
    )  # the token in the cache first, as in the timed runs
    for label, path in (("api", "/api/v1/shares/"), ("floor", "/bench/floor/")):
        probe = request(combos[-1], path)
        client = Client(HTTP_AUTHORIZATION=probe.headers["Authorization"])
        with CaptureQueriesContext(connection) as captured:
            answer = client.post(path, probe.body, content_type="application/json")
        if answer.status_code != 201:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.content[:300]!r}")
        queries[label] = len(captured)
    combos = combos[:-1]
    profiled = profile_submissions(bench, 2 * per_run)
    (bench.var_dir / "submission-profile.txt").write_text(profile_text(profiled))

    port = bench.web()
    load.run(
        port,
        [request(c, p) for c in combos[:warmup] for p in ("/api/v1/shares/", "/bench/floor/")],
        concurrency=size.clients,
    )
    combos = combos[warmup:]
    rates, floor_rates, p95s, floor_p95s = [], [], [], []
    errors: Counter = Counter()
    samples: list[str] = []
    locks = LockWaits()
    web_pids = process_group_pids(bench._web.pid)
    floor_cpu: dict[str, float] = Counter()
    submission_cpu: dict[str, float] = Counter()

    def measured(spent: Counter, port: int, requests: list[load.Request]) -> load.LoadResult:
        """``load.run`` of the requests, adding the CPU seconds of each part of the machine
        to ``spent``."""
        by_part = CpuByPart({"web app": web_pids})
        by_part.start()
        machine_before = machine_cpu_seconds()
        result = load.run(port, requests, concurrency=size.clients)
        parts = by_part.stop()
        parts["rest of the machine"] = machine_cpu_seconds() - machine_before - sum(parts.values())
        spent.update(parts)
        return result

    for run in range(size.runs):
        batch = combos[run * per_run : (run + 1) * per_run]
        # The batch's tokens through the authentication once, untimed, so that floor and
        # submission alike find them in the token cache (accounts.authentication).
        load.run(port, [warm_request(c) for c in batch], concurrency=size.clients)
        # Floor and submissions take turns in slices of about SUBMIT_SLICE requests, so
        # that a slower spell of the machine (another tenant, a checkpoint) falls on both
        # alike rather than on one of them: the run's figure is its slices' together.
        slices = max(1, len(batch) // SUBMIT_SLICE)
        floors, results = [], []
        for part in range(slices):
            chunk = batch[part::slices]
            floors.append(measured(floor_cpu, port, [request(c, "/bench/floor/") for c in chunk]))
            submissions = [request(c, "/api/v1/shares/") for c in chunk]
            with LockWaits() as sampled:
                results.append(measured(submission_cpu, port, submissions))
            locks.active += sampled.active
            locks.waits.update(sampled.waits)
        floor, result = load.combined(floors), load.combined(results)
        errors.update({k: v for k, v in result.statuses.items() if k != 201})
        samples.extend(result.sample_errors)
        rates.append(result.throughput(201))
        floor_rates.append(floor.throughput(201))
        p95s.append(result.percentile(0.95) * 1000)
        floor_p95s.append(floor.percentile(0.95) * 1000)
    if sum(errors.values()) > 0.01 * per_run * size.runs:
        raise RuntimeError(f"too many failed submissions {dict(errors)}: {samples[:2]}")
    ratios = [v / f for v, f in zip(rates, floor_rates, strict=True)]
    p95_ratios = [v / f for v, f in zip(p95s, floor_p95s, strict=True)]
    med = statistics.median(ratios)
    sent = per_run * size.runs
    cpu = "; ".join(
        f"{part} {submission_cpu[part] * 1000 / sent:.2f} (floor "
        f"{floor_cpu[part] * 1000 / sent:.2f})"
        for part in submission_cpu
    )
    log.warning("   CPU per request under load, ms: %s", cpu)
    context = (
        f"{per_run:,} requests a run from {size.clients} keep-alive clients, gunicorn "
        f"{WEB_WORKERS} workers {TIMES} {WEB_THREADS} threads (gthread), token auth, each a new "
        f"URL for a distinct "
        f"(person, campaign, platform) on a campaign open today; verification tasks go to a "
        f"Redis queue no worker reads; each batch's tokens are read once, untimed, before "
        f"the floor and the submissions, which then both find them in the token cache "
        f"(shared Redis cache, as in production); within a run floor and submissions take "
        f"turns, {max(1, per_run // SUBMIT_SLICE)} slices each. {queries['api']} SQL queries "
        f"per submission "
        f"(floor: {queries['floor']}); in-process CPU per request {profiled.cpu_ms:.1f} ms "
        f"(floor: {profiled.floor_cpu_ms:.1f} ms; cProfile in the bench log, "
        f"submission-profile.txt); while it ran, {locks.summary()}. CPU per request under "
        f"load, ms: {cpu} (PostgreSQL: its backends for this database; Redis: the whole "
        f"shared server; the rest: PostgreSQL's own processes, the kernel, other work)."
    )
    return [
        Figure(
            name="Share submission throughput (POST /api/v1/shares/)",
            unit="req/s",
            values=rates,
            floor=floor_rates,
            floor_name="trivial token-authenticated DRF POST on the same server",
            ratio=ratios,
            ratio_style="%",
            goal="≥ 50% of floor",
            met=med >= 0.5,
            note=context + miss(med, 0.5, "%"),
        ),
        Figure(
            name="Share submission p95 latency",
            unit="ms",
            values=p95s,
            floor=floor_p95s,
            floor_name="p95 of the floor endpoint",
            ratio=p95_ratios,
            goal=f"≤ 2{TIMES} floor",
            met=statistics.median(p95_ratios) <= 2,
            note=f"Same runs; {size.clients} requests always in flight"
            + (f"; non-201 answers: {dict(errors)}" if errors else "")
            + "."
            + miss(statistics.median(p95_ratios), 2, "x"),
        ),
    ]


def verification_missing() -> str | None:
    try:
        from verification import services as verification
    except ImportError as exc:
        return f"verification.services does not import: {exc}"
    try:
        source = inspect.getsource(verification.run)
    except (AttributeError, OSError, TypeError):
        return "verification.services has no run()"
    if "NotImplementedError" in source and len(source.splitlines()) < 6:
        return "verification.services.run is still the placeholder"
    if not module_exists("verification.verifiers"):
        return "verification.verifiers is not there yet"
    return None


class FakePlatformProcess:
    def __init__(self, bench: Bench, delay: float):
        self.proc = bench.processes.start(
            [sys.executable, "-m", "bench.fake_platform", "--delay", str(delay)],
            log_name="fake-platform.log",
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
        )
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the fake platform server did not start (see fake-platform.log)")
        self.address = json.loads(line)["address"]
        self.port = int(self.address.rsplit(":", 1)[1])

    def stats(self, reset: bool = False) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/reset" if reset else "/", headers={"Host": "bench.stats"})
        body = json.loads(conn.getresponse().read())
        conn.close()
        return body


def part_verification(bench: Bench) -> list[Outcome]:
    name = "Verification throughput"
    reason = verification_missing()
    if reason:
        return [Skipped(name, reason)]
    from verification import fetch, tasks
    from verification.models import PlatformPolicy, VerificationPolicy

    size = bench.size
    processes = int(os.environ.get("BENCH_VERIFY_PROCESSES", size.verify_processes))
    concurrency = size.verify_concurrency
    threads = concurrency // processes
    fake = FakePlatformProcess(bench, FETCH_LATENCY)
    host_map = dict.fromkeys(sorted(fetch.allowed_hosts()), fake.address)
    for platform in VERIFY_PLATFORMS:
        PlatformPolicy.objects.update_or_create(
            platform=platform, defaults={"policy": VerificationPolicy.EVIDENCE}
        )
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-verify"
    worker_env = {
        "SHAREKPI_TASK_QUEUE": queue,
        "SHAREKPI_FETCH_TEST_HOST_MAP": json.dumps(host_map),
        "SHAREKPI_VERIFY_NETWORK": "on",
        # The production per-host rate limit (5/s by default) would be all this
        # measures; the bench measures the workers, the limit is policy.
        "SHAREKPI_RATE_LIMIT_PER_HOST": "0",
    }

    def start_worker(n: int) -> subprocess.Popen:
        return bench.processes.start(
            [
                sys.executable, "-m", "celery", "-A", "sharekpi", "worker", "--pool=threads",
                f"--concurrency={threads}", "--loglevel=WARNING", "-Q", queue,
                "-n", f"{queue}-{n}@%h", "--without-gossip", "--without-mingle",
                "--without-heartbeat",
            ],
            log_name=f"worker-verify-{n}.log",
            env=worker_env,
        )  # fmt: skip

    workers = [start_worker(n) for n in range(processes)]

    def make_shares(count: int) -> list[int]:
        now = timezone.now()
        shares = []
        for user_id, campaign_id, platform, handle in bench.take("verify", count):
            parsed = platforms.parse(post_url(platform, handle, bench.next_post()))
            shares.append(
                Share(
                    staff_id=user_id,
                    campaign_id=campaign_id,
                    url=parsed.normalized_url,
                    normalized_url=parsed.normalized_url,
                    platform=parsed.platform,
                    post_id=parsed.post_id or "",
                    author_handle=parsed.author_handle or "",
                    status=ShareStatus.PENDING,
                    source="api",
                    submitted_at=now,
                )
            )
        return [share.pk for share in Share.objects.bulk_create(shares, batch_size=1000)]

    def verify(ids: list[int], timeout: float) -> float:
        began = time.perf_counter()
        for pk in ids:
            tasks.verify_share.apply_async(args=[pk], queue=queue)
        pending = Share.objects.filter(pk__gte=min(ids), pk__lte=max(ids), status="pending")
        while pending.exists():
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("the Celery worker died (see worker-verify.log)")
            if time.perf_counter() - began > timeout:
                raise RuntimeError(
                    f"{pending.count()} of {len(ids)} shares still pending after {timeout:.0f}s"
                )
            time.sleep(0.05)
        return time.perf_counter() - began

    try:
        verify(make_shares(30), timeout=120)  # warm-up: worker ready, connections open
        rates, share_rates, peaks, per_share = [], [], [], []
        cpu_ms, worker_ms, busy = [], [], []
        parts_ms: dict[str, list[float]] = {}
        outcomes: Counter = Counter()
        bound = concurrency / FETCH_LATENCY
        for _ in range(size.runs):
            ids = make_shares(size.verify_shares)
            fake.stats(reset=True)
            by_part = CpuByPart(
                {"workers": [w.pid for w in workers], "fake platform server": [fake.proc.pid]}
            )
            by_part.start()
            cpu_before = machine_cpu_seconds()
            workers_before = sum(process_cpu_seconds(w.pid) for w in workers)
            elapsed = verify(ids, timeout=max(300, 40 * size.verify_shares / bound))
            cpu_ms.append((machine_cpu_seconds() - cpu_before) * 1000 / len(ids))
            worker_ms.append(
                (sum(process_cpu_seconds(w.pid) for w in workers) - workers_before)
                * 1000
                / len(ids)
            )
            busy.append((machine_cpu_seconds() - cpu_before) / elapsed / (os.cpu_count() or 1))
            spent = by_part.stop()
            spent["rest of the machine"] = (machine_cpu_seconds() - cpu_before) - sum(
                spent.values()
            )
            for part, seconds in spent.items():
                parts_ms.setdefault(part, []).append(seconds * 1000 / len(ids))
            stats = fake.stats()
            rates.append(stats["served"] / elapsed)
            share_rates.append(len(ids) / elapsed)
            peaks.append(stats["peak_in_flight"])
            per_share.append(stats["served"] / len(ids))
            outcomes.update(
                dict(Share.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))
            )
    finally:
        for worker in workers:
            bench.processes.stop(worker)
        fake.proc.stdin.close()
        bench.processes.stop(fake.proc)
    ratios = [rate / bound for rate in rates]
    med = statistics.median(ratios)
    return [
        Figure(
            name=(
                f"Verification: {size.verify_shares:,} shares, "
                f"{processes} worker{'s' if processes > 1 else ''} {TIMES} {threads} threads"
            ),
            unit="fetches/s",
            values=rates,
            floor=[bound] * len(rates),
            floor_name=(
                f"concurrency bound: {concurrency} in flight ÷ {FETCH_LATENCY * 1000:.0f} ms"
            ),
            ratio=ratios,
            ratio_style="%",
            goal="≥ 70% of bound",
            met=med >= 0.7,
            note=(
                f"{spread(share_rates, 'shares/s')}, {statistics.median(per_share):.2f} fetches "
                f"per share, peak {max(peaks)} requests in flight at the fake platform server "
                f"(tests/fakeplatform.py, own process, answers after "
                f"{FETCH_LATENCY * 1000:.0f} ms); "
                f"x and tiktok shares under the evidence policy; each worker writes its "
                f"threads' decisions in shared transactions (verification.group_commit); outcomes "
                f"{dict(outcomes)}. CPU per share: {spread(worker_ms, 'ms')} in the workers, "
                f"{spread(cpu_ms, 'ms')} for the whole machine (PostgreSQL, Redis, the fake "
                f"server and the bench included; of that, "
                + ", ".join(
                    f"{part} {statistics.median(values):.2f} ms"
                    for part, values in parts_ms.items()
                    if part != "workers"
                )
                + " (PostgreSQL: its backends for this database; Redis: the whole shared server; "
                f"the rest: PostgreSQL's own processes, the kernel, other work)), which was "
                f"{statistics.median(busy):.0%} busy: "
                + (
                    "the CPU, not the number of requests in flight, is the limit here."
                    if statistics.median(busy) > 0.8
                    else "the CPU was not saturated."
                )
                + miss(med, 0.7, "%")
            ),
        )
    ]


def import_csv(run: int, rows: int, sections: list[tuple[str, str]]) -> bytes:
    """``rows`` new people for the staff CSV: most join existing sections
    (path, manager's staff_id) under their manager, one in twenty a new team
    below one."""
    rng = random.Random(run)
    out = io.StringIO()
    out.write("staff_id,full_name,email,unit,manager_staff_id,role,active\r\n")
    for n in range(rows):
        path, manager = rng.choice(sections)
        if rng.random() < 0.05:
            path = f"{path}/Imported team {rng.randint(1, 3)}"
        staff_id = f"IMP{run}-{n:05d}"
        first, last = (
            rng.choice(["Aina", "Boon", "Chitra", "Dev", "Erin"]),
            rng.choice(["Rahim", "Tan", "Kumar", "Lim", "Osman"]),
        )
        out.write(
            f'{staff_id},"{first} {last}",{staff_id.lower()}@import.example.org,'
            f"{path},{manager},staff,yes\r\n"
        )
    return out.getvalue().encode()


def part_import(bench: Bench) -> list[Outcome]:
    name = "Staff import"
    if not module_exists("accounts.management.commands.import_staff"):
        return [Skipped(name, "`manage.py import_staff` is not there yet")]
    rows = bench.size.import_rows
    # The generated tree's sections (before any import adds teams below them).
    sections = sorted(
        User.objects.filter(role=Role.MANAGER, unit__children__isnull=True)
        .exclude(unit__path__contains="/Imported team ")
        .values_list("unit__path", "staff_id")
        .distinct()
    )
    if not sections:
        raise RuntimeError("no section with a manager to import people into")
    values, floors = [], []
    for run in range(1, bench.size.heavy_runs + 1):
        data = import_csv(run, rows, sections)
        path = bench.var_dir / f"import-{run}.csv"
        path.write_bytes(data)
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_import_floor (staff_id text, full_name text, "
                "email text, unit text, manager_staff_id text, role text, active text) "
                "ON COMMIT DROP"
            )
            cursor.copy_expert(
                "COPY bench_import_floor FROM STDIN WITH (FORMAT csv, HEADER true)",
                io.BytesIO(data),
            )
        floors.append(time.perf_counter() - began)
        began = time.perf_counter()
        output = io.StringIO()
        call_command("import_staff", str(path), stdout=output, stderr=output)
        values.append(time.perf_counter() - began)
        if User.objects.filter(staff_id__startswith=f"IMP{run}-").count() != rows:
            raise RuntimeError(
                f"import run {run} did not create {rows} people: {output.getvalue()[-300:]}"
            )
    people = User.objects.count()
    return [
        Figure(
            name=f"Staff import: {rows:,}-row CSV, new people",
            unit="s",
            values=values,
            floor=floors,
            floor_name="COPY of the same CSV into a temporary table",
            ratio=[v / f for v, f in zip(values, floors, strict=True)],
            note=(
                f"`manage.py import_staff FILE` in-process (no interpreter start-up) into a "
                f"database of ~{people:,} people: validates every row, plans against a snapshot "
                f"of everyone, then bulk writes; {spread([rows / v for v in values], 'rows/s')}. "
                f"The floor only parses and stores text. Mail backend "
                f"`{settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}`: set-password e-mails for the "
                f"new people are built, not sent."
            ),
        )
    ]


# The digest's cost is per person and per batch (8 queries a batch whatever its size):
# at most this many batches a run (50,000 people) keep the large size's part to minutes.
DIGEST_BATCHES = 100


def part_digest(bench: Bench) -> list[Outcome]:
    """The weekly digest of everyone, batch after batch in this process (what the
    Celery batch tasks do, one worker), against rendering and sending as many e-mails
    with no query at all."""
    name = "Weekly digest"
    if not module_exists("notifications.digests"):
        return [Skipped(name, "notifications.digests is not there yet")]
    from django.core import mail
    from django.test.utils import override_settings

    from notifications import digests
    from notifications.mail import build_message
    from notifications.models import NotificationKind, NotificationSent

    today = timezone.localdate()
    campaigns = digests.open_campaigns(today)
    if not campaigns:
        raise RuntimeError("no campaign open today: run generate_bench_data")
    sample = User.objects.filter(is_active=True).exclude(email="").order_by("pk").first()
    values, floors, sent_counts, queries_per_batch = [], [], [], []
    runs = min(bench.size.heavy_runs, 2)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for run in range(1, runs + 1):
            week = f"bench-{run}-{bench.next_post()}"
            ranges = digests.plan()[:DIGEST_BATCHES]
            began = time.perf_counter()
            sent = 0
            for index, (first_pk, end_pk) in enumerate(ranges):
                if index == 0:
                    with CaptureQueriesContext(connection) as queries:
                        sent += digests.send_digest_batch(
                            week=week, first_pk=first_pk, end_pk=end_pk, today=today
                        )
                    queries_per_batch.append(len(queries))
                else:
                    sent += digests.send_digest_batch(
                        week=week, first_pk=first_pk, end_pk=end_pk, today=today
                    )
            values.append(time.perf_counter() - began)
            sent_counts.append(sent)
            # Floor: the same number of e-mails, same templates, contexts built in memory.
            todo = [campaign for campaign, _paths in campaigns]
            began = time.perf_counter()
            connection_ = mail.get_connection()
            with CaptureQueriesContext(connection) as floor_queries:
                for _ in range(sent):
                    message = build_message(
                        user=sample,
                        kind=NotificationKind.WEEKLY_DIGEST,
                        template="weekly_digest",
                        context=digests.digest_context(todo),
                    )
                    message.connection = connection_
                    message.send()
            floors.append(time.perf_counter() - began)
            if floor_queries:
                raise RuntimeError(f"the digest floor ran {len(floor_queries)} queries")
            NotificationSent.objects.filter(kind=NotificationKind.WEEKLY_DIGEST, key=week).delete()
    people = User.objects.filter(is_active=True).count()
    all_batches = len(digests.plan())
    batches = min(all_batches, DIGEST_BATCHES)
    covered = (
        f"{people:,} people"
        if batches == all_batches
        else f"{batches:,} of {all_batches:,} batches"
    )
    return [
        Figure(
            name=f"Weekly digest: {covered}, {statistics.median(sent_counts):,.0f} e-mails",
            unit="s",
            values=values,
            floor=floors,
            floor_name="rendering and sending as many e-mails, no queries",
            ratio=[v / f for v, f in zip(values, floors, strict=True)],
            goal=f"≤ 2{TIMES}",
            met=statistics.median([v / f for v, f in zip(values, floors, strict=True)]) <= 2,
            note=(
                f"{batches:,} batches of {digests.batch_size()} people by id range"
                + (
                    ""
                    if batches == all_batches
                    else f" (the first {batches:,} of {all_batches:,}: {people:,} people in all)"
                )
                + ", run one "
                f"after the other in this process (the beat task queues them as Celery tasks); "
                f"{queries_per_batch[0] if queries_per_batch else 0} queries a batch whatever "
                f"its size; sent-log rows written and read back per batch (each run its own "
                f"week key, removed after). Mail backend `dummy`: messages are rendered in "
                f"each person's language and built, not delivered."
            ),
        )
    ]


def miss(measured: float, goal: float, style: str) -> str:
    """' Missed by …' when a goal is missed, else ''."""
    if style == "x" and measured > goal:
        return (
            f" Missed: {measured:.2f}{TIMES} against ≤ {goal}{TIMES} "
            f"({(measured / goal - 1) * 100:.0f}% over)."
        )
    if style == "%" and measured < goal:
        return (
            f" Missed: {measured * 100:.0f}% against ≥ {goal * 100:.0f}% "
            f"({(goal - measured) * 100:.0f} points short)."
        )
    return ""


PARTS: list[tuple[str, Callable[[Bench], list[Outcome]]]] = [
    ("Scoring", part_scoring),
    ("Dashboard", part_dashboard),
    ("Presence report", part_presence),
    ("Reports", part_reports),
    ("Share submission", part_submission),
    ("Verification", part_verification),
    ("Staff import", part_import),
    ("Weekly digest", part_digest),
]


# --- BENCHMARKS.md ------------------------------------------------------------------------


def machine_and_versions(load_at_start: tuple[float, float, float]) -> list[str]:
    import celery
    import gunicorn
    import psycopg2
    import rest_framework

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    redis_version = "unknown"
    with contextlib.suppress(Exception):
        import redis

        redis_version = redis.Redis.from_url(settings.CELERY_BROKER_URL).info("server")[
            "redis_version"
        ]
    load_end = os.getloadavg()[1]
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {memory} RAM, Linux "
        f"{platform_module.release()}; 5-minute load average {load_at_start[1]:.1f} at the "
        f"start, {load_end:.1f} at the end (other work on the machine shares its CPUs "
        f"with the bench and inflates every figure; ratios suffer less than timings)",
        f"- Versions: Python {platform_module.python_version()}, Django {django.get_version()}, "
        f"DRF {rest_framework.VERSION}, Celery {celery.__version__}, gunicorn "
        f"{gunicorn.__version__}, psycopg2 {psycopg2.__version__.split()[0]}, PostgreSQL {pg}, "
        f"Redis {redis_version}",
    ]


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def section(bench: Bench, results, began: datetime.datetime, seconds: float) -> str:
    size = bench.size
    lines = [
        f"## Size {size.name}: {size.staff:,} staff, {size.shares:,} shares",
        "",
        f"- Run: `make bench SIZE={size.name}` on {began:%Y-%m-%d %H:%M} UTC, "
        f"{seconds / 60:.1f} min in all; each figure {size.runs} runs (reports and import "
        f"{size.heavy_runs}), shown as median (min{DASH}max)",
        *machine_and_versions(bench.load_at_start),
        f"- Data: `generate_bench_data --staff {size.staff} --shares {size.shares} --seed 42`"
        + (
            f" took {bench.generate_seconds:.0f} s"
            + (
                f" (goal at this size: a few minutes, ≤ 300 s: "
                f"{'met' if bench.generate_seconds <= 300 else '**missed**'})"
                if size.name == "large"
                else ""
            )
            if bench.generate_seconds
            else ""
        )
        + f"; KPI year {bench.year}",
        "",
        "| figure | result | floor | ratio to floor | goal | met? |",
        "|---|---|---|---|---|---|",
    ]
    notes, skipped = [], []
    for _part, outcomes in results:
        for outcome in outcomes:
            if isinstance(outcome, Skipped):
                lines.append(f"| {cell(outcome.name)} | skipped | — | — | — | — |")
                skipped.append(f"- {outcome.name}: skipped, {outcome.reason}.")
            elif isinstance(outcome, Failed):
                lines.append(
                    f"| {cell(outcome.name)} | error: {cell(outcome.error)} | — | — | — | — |"
                )
                notes.append(
                    f"- **{outcome.name}.** Not measured: it failed ({outcome.error}); "
                    f"the traceback is in the bench output."
                )
            else:
                floor = spread(outcome.floor, outcome.unit) if outcome.floor else "—"
                lines.append(
                    f"| {cell(outcome.name)} | {spread(outcome.values, outcome.unit)} | "
                    f"{floor} | {ratio_text(outcome)} | {outcome.goal} | {met_text(outcome)} |"
                )
                floor_name = f" Floor: {outcome.floor_name}." if outcome.floor_name else ""
                notes.append(f"- **{outcome.name}.** {outcome.note}{floor_name}")
    lines += ["", "What limits each line:", "", *notes]
    took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in bench.durations.items())
    lines += ["", f"Time per part (set-up included): {took}."]
    if skipped:
        lines += ["", "Not measured (the code is not there yet; detected when the bench ran):", ""]
        lines += skipped
    return "\n".join(lines) + "\n"


HEADER = """# Benchmarks

Speed figures for ShareKPI, each measured by `make bench` as a ratio to a
*floor*: the least the same work can cost on the same machine, measured in the
same run, right next to it. Ratios travel between machines; raw timings do not.

```sh
make bench SIZE=small   # 5,000 staff / 100,000 shares, under 2 minutes: try it
make bench SIZE=medium  # 25,000 staff / 1,000,000 shares: how each cost grows
make bench SIZE=large   # 100,000 staff / 5,000,000 shares: the reported size
```

`bench/run.sh` starts PostgreSQL and Redis on 127.0.0.1 if they are not up
(and leaves them running), creates its own database `sharekpi_bench_<size>`,
fills it with `manage.py generate_bench_data`, runs `bench/run_bench.py`
(its own gunicorn, Celery worker and fake platform server, on spare loopback
ports, Redis database 13), then stops everything it started and drops the
database (`BENCH_KEEP_DB=1` keeps it). Logs: `var/bench/<size>/`. Each run
rewrites its own size's section below and leaves the others as they were.
A part whose code is not there yet is skipped and listed as such; a part that
fails shows "error: …" in its row and the others still run.

The data (`generate_bench_data`, by COPY): a four-level org tree (about 40
people a section, one manager per unit, one HR admin), social accounts on the
platforms each person uses, 100 closed campaigns over the KPI year (last
year; windows of one to four weeks, 30 % for one or two divisions or
departments) plus 4 open today, and shares at most one per person, campaign
and platform: ~80 % verified, 8 % pending, 7 % needs review, 4 % rejected,
1 % removed, ~3 % logged after the window closed. With `--presence` (what
`bench/run.sh` passes): a third of the accounts proven, required platforms (everyone,
plus tiktok for every third division, none for one department), three must-follow
official accounts (one for two divisions), "I follow" confirmations from 50 to 70 % of
each audience, last month's spot checks of 2 % of them, daily follower snapshots of
every official account and one follow drive.

The floors, line by line: scoring, the bare SQL aggregate of distinct verified
campaigns per person; share submission, the dashboard and the presence report, a
trivial token/session-authenticated DRF endpoint on the same gunicorn; verification,
the concurrency bound (requests in flight ÷ the fake platform's 200 ms);
reports, the same rows straight from SQL through a server-side cursor into
CSV (the report PDF cold start: the same PDF again, warm, in that process);
staff import, COPY of the same CSV into a temporary table; the weekly
digest, rendering and sending (dummy backend) as many e-mails from contexts built
in memory, with no query. The load
generator is Python threads (`bench/load.py`) on the same machine: client,
server and PostgreSQL share its CPUs, for the floor as for the figure.
"""


def write_benchmarks(size: str, text: str) -> None:
    """Rewrite this size's section; keep the other size's and the hand-written notes
    (between ``<!-- bench:notes:start -->`` and ``<!-- bench:notes:end -->``)."""
    sections = {}
    if BENCHMARKS.exists():
        current = BENCHMARKS.read_text()
        for name in (*SIZES, "notes"):
            start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
            if start in current and end in current:
                sections[name] = current.split(start, 1)[1].split(end, 1)[0].strip("\n") + "\n"
    sections[size] = text
    parts = [HEADER]
    for name in ("large", "medium", "small"):
        body = sections.get(name) or f"## Size {name}\n\nNot run yet.\n"
        parts.append(f"<!-- bench:{name}:start -->\n{body}<!-- bench:{name}:end -->\n")
    if "notes" in sections:
        parts.append(f"<!-- bench:notes:start -->\n{sections['notes']}<!-- bench:notes:end -->\n")
    BENCHMARKS.write_text("\n".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), required=True)
    parser.add_argument("--parts", help="Comma-separated part names to run (default: all).")
    parser.add_argument("--generate-seconds", type=float)
    parser.add_argument("--no-write", action="store_true", help="Do not touch BENCHMARKS.md.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stdout)
    logging.getLogger("bench").setLevel(logging.INFO)

    began = datetime.datetime.now(datetime.UTC)
    started = time.monotonic()
    bench = Bench(SIZES[args.size], args.generate_seconds)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parts = PARTS
    if args.parts:
        wanted = {p.strip().lower() for p in args.parts.split(",")}
        parts = [(n, f) for n, f in PARTS if n.lower() in wanted or f.__name__[5:] in wanted]
    try:
        results = bench.run_parts(parts)
    finally:
        bench.processes.stop_all()
    text = section(bench, results, began, time.monotonic() - started)
    (bench.var_dir / "BENCHMARKS-section.md").write_text(text)
    if not args.no_write:
        write_benchmarks(args.size, text)
        log.warning("BENCHMARKS.md: size %s section written", args.size)


if __name__ == "__main__":
    main()
