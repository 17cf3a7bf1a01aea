"""`manage.py check --deploy` is clean under the production settings of
docker-compose.yml, and every response carries the Content-Security-Policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def production_environment() -> dict[str, str]:
    """The app services' environment from docker-compose.yml, `${VAR:-default}` and
    `${VAR:?message}` read as compose reads them with nothing set in .env."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["web"]["environment"]
    given = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sharekpi.example.org",
    }

    def resolve(value: str) -> str:
        def one(match: re.Match) -> str:
            name, op, rest = match.group(1), match.group(2), match.group(3)
            if name in given:
                return given[name]
            if op == ":-":
                return rest
            raise AssertionError(f"docker-compose.yml needs {name} set: {rest}")

        return re.sub(r"\$\{(\w+)(:-|:\?)([^}]*)\}", one, str(value))

    return {name: resolve(value) for name, value in env.items()}


def test_compose_turns_https_on():
    env = production_environment()
    assert env["SECURE_SSL_REDIRECT"] == "on"
    assert env["SECURE_PROXY_SSL_HEADER"] == "on"
    assert int(env["SECURE_HSTS_SECONDS"]) >= 31536000


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SHAREKPI_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
        **production_environment(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/v1/schema/", "/nowhere/"])
def test_every_response_has_a_strict_content_security_policy(client, path, db):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "http" not in policy  # no other origin


def test_settings_turn_https_on_from_the_environment(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='sharekpi.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "on",
        "SHAREKPI_VAR_DIR": str(tmp_path),
        "SECURE_SSL_REDIRECT": "on",
        "SECURE_HSTS_SECONDS": "600",
        "SECURE_PROXY_SSL_HEADER": "on",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["True", "600", "('HTTP_X_FORWARDED_PROTO',", "'https')"], (
        result.stderr
    )
