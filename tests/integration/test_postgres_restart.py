"""PostgreSQL restarted during a burst of API submissions: every 201 is in the
database afterwards, and every other answer was a 503 JSON with Retry-After.

The test runs its own throwaway PostgreSQL cluster (initdb + pg_ctl on a spare port,
as the postgres system user when run as root), never the shared server, and a real
gunicorn serving the app against it. Skips without PostgreSQL's server binaries
(fails under SHAREKPI_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class ThrowawayCluster:
    """A PostgreSQL cluster of its own in a temporary directory."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sharekpi-pg-"))
        self.data = self.dir / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                missing_service("running as root and there is no postgres system user")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run(
            [*self.as_user, *args], check=True, capture_output=True, timeout=timeout, cwd=self.dir
        )

    def pg_ctl(self, *args: str) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args)

    def init(self) -> ThrowawayCluster:
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A",
                 "trust", "--no-sync", "-E", "UTF8")  # fmt: skip
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.dir} -c fsync=off -c max_connections=50"
        )
        self.options = options
        self.start()
        self.run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                 "-U", "postgres", "sharekpi")  # fmt: skip
        return self

    def start(self) -> None:
        self.pg_ctl("-o", self.options, "-l", str(self.dir / "server.log"), "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/sharekpi"

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster():
    bindir = postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        missing_service("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    cluster = ThrowawayCluster(bindir)
    try:
        yield cluster.init()
    finally:
        cluster.destroy()


# One share per person, campaign and platform: a campaign for each submission.
CAMPAIGNS = 3000
SETUP = f"""
from campaigns.models import Campaign, CampaignStatus
from tests.factories import SocialAccountFactory, StaffFactory, days_from_today
alice = StaffFactory(staff_id="alice", unit="HQ/Comms")
SocialAccountFactory(user=alice, platform="x", handle="alice")
Campaign.objects.bulk_create(
    Campaign(title=f"Restart day {{n}}", status=CampaignStatus.ACTIVE,
             starts_on=days_from_today(-1), ends_on=days_from_today(30))
    for n in range({CAMPAIGNS})
)
print("CAMPAIGNS", *Campaign.objects.values_list("pk", flat=True))
"""


@pytest.fixture
def server(cluster, tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": cluster.url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_DEBUG": "off",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SHAREKPI_VAR_DIR": str(tmp_path / "var"),
        "SHAREKPI_VERIFY_NETWORK": "off",
        "CONN_MAX_AGE": "60",  # connections kept, so the restart breaks live ones
        "SHAREKPI_LOGIN_FAILURE_LIMIT": "1000",
        "PYTHONPATH": str(ROOT),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True,
                   timeout=300)  # fmt: skip
    setup = subprocess.run([*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    campaigns = [int(pk) for pk in setup.stdout.split("CAMPAIGNS")[1].split()]
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sharekpi.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/accounts/login/", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield base, campaigns
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def share_ids_in(cluster: ThrowawayCluster) -> set[int]:
    import psycopg2

    with psycopg2.connect(cluster.url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id FROM campaigns_share")
        return {row[0] for row in cursor.fetchall()}


def test_a_postgres_restart_during_a_burst_loses_no_acknowledged_share(cluster, server):
    base, campaigns = server
    token = requests.post(
        f"{base}/api/v1/auth/token/", json={"username": "alice", "password": "pw"}, timeout=10
    ).json()["token"]
    headers = {"Authorization": f"Token {token}"}
    answers: list[tuple[int, str, dict | None, str | None]] = []
    lock = threading.Lock()
    stop = threading.Event()
    next_campaign = iter(campaigns)

    def submit_until_stopped() -> None:
        session = requests.Session()
        while not stop.is_set():
            with lock:
                campaign = next(next_campaign, None)
            if campaign is None:
                return  # every campaign used (the assertion on 503s says if it was too soon)
            response = session.post(
                f"{base}/api/v1/shares/",
                json={"campaign": campaign, "url": f"https://x.com/alice/status/{campaign}"},
                headers=headers,
                timeout=30,
            )
            try:
                body = response.json()
            except ValueError:
                body = None
            if response.status_code == 503:
                time.sleep(0.1)  # as a client that honours Retry-After would, only sooner
            with lock:
                answers.append(
                    (
                        response.status_code,
                        response.headers.get("Content-Type", ""),
                        body,
                        response.headers.get("Retry-After"),
                    )
                )

    threads = [threading.Thread(target=submit_until_stopped) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        for _restart in range(2):
            cluster.stop()  # fast shutdown: open connections are cut
            time.sleep(1.5)
            cluster.start()
            time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    created = [body["id"] for status, _type, body, _retry in answers if status == 201]
    others = [answer for answer in answers if answer[0] != 201]
    assert created, "no submission got through"
    print(f"{len(created)} created, {len(others)} refused with 503 during the restarts")
    assert others, "the restarts were never seen: the test proves nothing"
    missing = set(created) - share_ids_in(cluster)
    assert not missing, f"acknowledged (201) but not in the database: {sorted(missing)}"
    for status, content_type, body, retry_after in others:
        assert status == 503, (status, content_type, body)
        assert content_type.startswith("application/json"), (status, content_type)
        assert body and "detail" in body, body
        assert retry_after, "a 503 says when to retry"
