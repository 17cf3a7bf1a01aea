"""An existing database upgrades to the new layout with ``migrate`` and keeps every row.

The code of the last release before verification/ and dashboard/ became apps of their
own (LAST_OLD_LAYOUT, taken from this repository's history with ``git archive``)
migrates a fresh database, fills it with ``seed_demo`` and makes the decisions the
demo does not (a review decision, a policy change, a scheme edit, the leaderboard
switch); then today's code migrates the same database. Every table the moved models
live in must hold exactly the same rows, today's models must read them all, the
content types must have followed the models, and no migration may be left to make.

Runs on SQLite always and on PostgreSQL when the suite runs against it (CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[1]
LAST_OLD_LAYOUT = "87e054c"  # main before "the new house" (issue 11)

# Tables whose models moved app (db_table kept) and the ones around them.
TABLES = [
    "accounts_user",
    "accounts_orgunit",
    "accounts_socialaccount",
    "campaigns_campaign",
    "campaigns_campaignpost",
    "campaigns_share",
    "campaigns_verificationattempt",
    "campaigns_reviewdecision",
    "campaigns_platformpolicy",
    "campaigns_platformpolicychange",
    "scoring_scoringscheme",
    "scoring_scoringband",
    "scoring_schemechange",
    "scoring_kpiscore",
    "scoring_yearclose",
    "scoring_shareweekstat",
    "scoring_campaignstaffstat",
    "scoring_campaignstafftally",
    "scoring_sharecountchange",
    "scoring_dashboardsettings",
]

# Each table's rows, read through the columns the old layout had: later migrations
# add columns (reason codes, replace, languages, ...) beside the old ones, which stay.
# The old tree's run prints its columns; today's run reads those same columns.
TABLE_DIGESTS = f"""
import hashlib, json, os
from django.db import connection
old_columns = json.loads(os.environ.get("OLD_COLUMNS", "{{}}"))
out = {{}}
with connection.cursor() as cursor:
    for table in {TABLES!r}:
        columns = old_columns.get(table) or [
            c.name for c in connection.introspection.get_table_description(cursor, table)
        ]
        wanted = ", ".join(connection.ops.quote_name(c) for c in columns)
        cursor.execute(f"SELECT {{wanted}} FROM {{connection.ops.quote_name(table)}} ORDER BY 1")
        rows = cursor.fetchall()
        out[table] = [len(rows), hashlib.sha256(repr(rows).encode()).hexdigest(), columns]
print(json.dumps(out))
"""

# Decisions the demo does not make, written by the old code's own services.
OLD_DECISIONS = """
from accounts.models import User
from campaigns import review
from campaigns.models import Share
from scoring import dashboard, selectors, services
from scoring.bands import Band
hr = User.objects.get(staff_id="hr001")
share = Share.objects.filter(status="needs_review").order_by("pk").first()
review.decide(share=share, reviewer=hr, decision="reject", reason="not the staff member's post")
review.set_policy(platform="facebook", policy="review", sample_percent=10, actor=hr)
bands = [Band(0, 0, 0), Band(1, 4, 1), Band(5, 15, 2), Band(16, 30, 3), Band(31, 49, 4),
         Band(50, None, 5)]
services.update_scheme(year=selectors.current_kpi_year(), bands=bands, actor=hr)
dashboard.set_leaderboard(enabled=True, actor=hr)
"""

# Today's models read every moved row, and their content types moved with them.
NEW_MODELS = """
import json
from django.contrib.contenttypes.models import ContentType
from dashboard import models as d
from verification import models as v
counts = {
    "campaigns_verificationattempt": v.VerificationAttempt.objects.count(),
    "campaigns_reviewdecision": v.ReviewDecision.objects.count(),
    "campaigns_platformpolicy": v.PlatformPolicy.objects.count(),
    "campaigns_platformpolicychange": v.PlatformPolicyChange.objects.count(),
    "scoring_shareweekstat": d.ShareWeekStat.objects.count(),
    "scoring_campaignstaffstat": d.CampaignStaffStat.objects.count(),
    "scoring_campaignstafftally": d.CampaignStaffTally.objects.count(),
    "scoring_sharecountchange": d.ShareCountChange.objects.count(),
    "scoring_dashboardsettings": d.DashboardSettings.objects.count(),
}
types = sorted(
    f"{ct.app_label}.{ct.model}"
    for ct in ContentType.objects.filter(
        model__in=["verificationattempt", "reviewdecision", "platformpolicy",
                   "platformpolicychange", "shareweekstat", "campaignstaffstat",
                   "sharecountchange", "campaignstafftally", "dashboardsettings"]
    )
)
leaderboard = d.DashboardSettings.load().leaderboard_enabled
from campaigns.models import CampaignPost
unkeyed = CampaignPost.objects.filter(post_id="").count()
print(json.dumps({"counts": counts, "types": types, "leaderboard": leaderboard,
                  "posts_without_id": unkeyed}))
"""


def _old_tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{LAST_OLD_LAYOUT}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        pytest.skip(f"commit {LAST_OLD_LAYOUT} is not in this clone's history (shallow clone?)")
    tree = tmp_path / "old"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", LAST_OLD_LAYOUT], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree


def _manage(tree: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"manage.py {args[0]} in {tree}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def postgres_database():
    """A database of its own on the suite's PostgreSQL server, dropped afterwards."""
    if connection.vendor != "postgresql":
        missing_service("PostgreSQL is not configured (set DATABASE_URL=postgres://…)")
    import psycopg2

    db = settings.DATABASES["default"]
    name = f"sharekpi_upgrade_{uuid.uuid4().hex[:12]}"
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db.get("PASSWORD") or None,
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{params['password']}" if params["password"] else ""
        yield f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _upgrade_keeps_everything(tmp_path: Path, database_url: str | None) -> None:
    old = _old_tree(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sharekpi.settings",
        "DJANGO_DEBUG": "on",
        "SHAREKPI_VAR_DIR": str(tmp_path / "var"),
        "SHAREKPI_VERIFY_NETWORK": "off",
        "CELERY_BROKER_URL": "memory://",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url

    _manage(old, env, "migrate", "--noinput", "-v0")
    _manage(old, env, "seed_demo")
    _manage(old, env, "shell", "-c", OLD_DECISIONS)
    before = _json(_manage(old, env, "shell", "-c", TABLE_DIGESTS))

    _manage(ROOT, env, "migrate", "--noinput", "-v0")
    old_columns = json.dumps({table: digest[2] for table, digest in before.items()})
    after = _json(_manage(ROOT, {**env, "OLD_COLUMNS": old_columns}, "shell", "-c", TABLE_DIGESTS))
    models = _json(_manage(ROOT, env, "shell", "-c", NEW_MODELS))

    assert after == before
    for table in ("campaigns_share", "campaigns_verificationattempt", "scoring_kpiscore"):
        assert before[table][0] > 0, f"the demo left {table} empty: nothing was tested"
    assert before["campaigns_reviewdecision"][0] == 1
    assert before["campaigns_platformpolicychange"][0] == 1
    assert before["scoring_schemechange"][0] == 1
    assert models["counts"] == {table: before[table][0] for table in models["counts"]}
    assert models["leaderboard"] is True
    assert models["posts_without_id"] == 0  # official posts got their post ids (0004)
    assert models["types"] == sorted(
        [f"verification.{m}" for m in ("verificationattempt", "reviewdecision")]
        + [f"verification.{m}" for m in ("platformpolicy", "platformpolicychange")]
        + [f"dashboard.{m}" for m in ("shareweekstat", "campaignstaffstat")]
        + [f"dashboard.{m}" for m in ("sharecountchange", "campaignstafftally")]
        + ["dashboard.dashboardsettings"]
    )
    _manage(ROOT, env, "makemigrations", "--check", "--dry-run")
    _manage(ROOT, env, "verify_audit")
    # And the upgraded database still takes new work through today's code.
    _manage(ROOT, env, "seed_demo")


@pytest.mark.integration
def test_an_sqlite_database_upgrades_without_losing_a_row(tmp_path):
    _upgrade_keeps_everything(tmp_path, None)


@pytest.mark.integration
def test_a_postgresql_database_upgrades_without_losing_a_row(tmp_path, postgres_database):
    _upgrade_keeps_everything(tmp_path, postgres_database)
