"""The production shape described in docker-compose.yml points at real code."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def command_of(service: str) -> str:
    command = compose()["services"][service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_web_runs_gunicorn_on_the_real_wsgi_module():
    match = re.search(r"gunicorn (\S+):(\w+)", command_of("web"))
    assert match, command_of("web")
    module = importlib.import_module(match.group(1))
    assert callable(getattr(module, match.group(2)))


def test_worker_and_beat_use_the_real_celery_app():
    from sharekpi.celery import app

    for service, verb in [("worker", "worker"), ("beat", "beat")]:
        match = re.search(r"celery -A (\S+) (\w+)", command_of(service))
        assert match and match.group(2) == verb, command_of(service)
        assert importlib.import_module(match.group(1)).celery_app is app


def test_app_services_get_database_and_broker_from_env():
    for service in ("web", "worker", "beat"):
        env = compose()["services"][service]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["DJANGO_DEBUG"] == "off"


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    env = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "off", "SHAREKPI_VAR_DIR": "/tmp/sharekpi-x"}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
         "'sharekpi.settings'; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_deploy_check_warns_about_the_test_host_map(settings):
    from verification.checks import check_fake_platform_map

    settings.DEBUG = False
    settings.SHAREKPI_FETCH_TEST_HOST_MAP = {}
    assert check_fake_platform_map(None) == []
    settings.SHAREKPI_FETCH_TEST_HOST_MAP = {"x.com": "127.0.0.1:9"}
    assert [w.id for w in check_fake_platform_map(None)] == ["verification.W001"]
