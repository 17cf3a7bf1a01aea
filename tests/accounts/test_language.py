"""Which language a page speaks: the browser's, the person's saved choice (wins, and
is applied at login), or LANGUAGE_CODE; the switch saves the choice; a page, a form
error, an API error and an e-mail read in English, Malay and Indonesian.

Tests marked ``catalogue`` read our own ms and id catalogues (locale/, compiled): they
assert a few words the translators were asked to use (the vocabulary issue #13 names:
"kata laluan" in Malay, "kata sandi" in Indonesian) and otherwise that the text is the
catalogue's translation, not English.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogues():
    """Our compiled catalogues; the tests that need them say so when they are missing."""
    missing = [
        language
        for language in ("ms", "id")
        if not (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").exists()
    ]
    if missing:
        pytest.fail(
            f"no compiled catalogue for {', '.join(missing)} in locale/: run `make messages`",
            pytrace=False,
        )


@pytest.fixture
def alice():
    return User.objects.create_user(
        "S1001", "alice.tan@example.gov.my", "correct-horse", full_name="Alice Tan"
    )


def translated(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def lang_of(response) -> str:
    html = response.content.decode()
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


# --- how the language is chosen ------------------------------------------------------


@pytest.mark.parametrize("header, language", [("ms", "ms"), ("id-ID,id;q=0.9", "id"), ("en", "en")])
def test_anonymous_pages_follow_the_browser(client, header, language):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert lang_of(response) == language
    assert response["Content-Language"] == language


def test_a_browser_language_we_do_not_have_falls_back_to_language_code(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert lang_of(response) == settings.LANGUAGE_CODE == "en"


def test_language_code_setting_is_the_default(client, settings):
    settings.LANGUAGE_CODE = "ms"
    assert lang_of(client.get(reverse("login"))) == "ms"
    settings.LANGUAGE_CODE = "id"
    assert lang_of(client.get(reverse("login"))) == "id"


@pytest.mark.parametrize("value", ["ms", "id", "en", ""])
def test_language_code_from_the_environment(value):
    assert _settings_in_a_fresh_process(value) == (0, value or "en")


def test_an_unknown_language_code_is_refused_at_start():
    code, output = _settings_in_a_fresh_process("fr")
    assert code != 0
    assert "LANGUAGE_CODE must be one of en, ms or id" in output


def _settings_in_a_fresh_process(language_code: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "LANGUAGE_CODE": language_code,
        "DJANGO_SETTINGS_MODULE": "sharekpi.settings",
        "DJANGO_DEBUG": "on",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.LANGUAGE_CODE, end='')",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode == 0:
        return 0, result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    return result.returncode, result.stderr


def test_the_saved_language_wins_over_the_browser(client, alice):
    alice.language = "ms"
    alice.save()
    client.force_login(alice)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="id")
    assert lang_of(response) == "ms"


def test_the_saved_language_is_applied_at_login(client, alice):
    alice.language = "id"
    alice.save()
    response = client.post(
        reverse("login"),
        {"username": "S1001", "password": "correct-horse"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    # The next page speaks it, whatever the browser says and on any device.
    assert lang_of(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")) == "id"


def test_no_saved_language_follows_the_browser_after_login(client, alice):
    client.force_login(alice)
    assert lang_of(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ms")) == "ms"


def test_the_switch_saves_the_choice_and_audits_it(client, alice):
    client.force_login(alice)
    response = client.post("/i18n/setlang/", {"language": "id", "next": reverse("home")})
    assert response.status_code == 302
    assert response.url == reverse("home")
    alice.refresh_from_db()
    assert alice.language == "id"
    entry = AuditEntry.objects.get(action="user.language_set")
    assert entry.before == {"language": ""}
    assert entry.after == {"language": "id"}
    assert lang_of(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ms")) == "id"

    # Choosing the same language again changes nothing and writes nothing.
    client.post("/i18n/setlang/", {"language": "id", "next": reverse("home")})
    assert AuditEntry.objects.filter(action="user.language_set").count() == 1


def test_the_switch_refuses_an_unknown_language_and_saves_nothing(client, alice):
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "fr", "next": reverse("home")})
    alice.refresh_from_db()
    assert alice.language == ""
    assert not AuditEntry.objects.filter(action="user.language_set").exists()


def test_anonymous_switch_sets_the_cookie_only(client):
    response = client.post("/i18n/setlang/", {"language": "ms", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ms"
    assert lang_of(client.get(reverse("login"))) == "ms"


def test_the_switch_is_in_the_header_of_every_page(client):
    html = client.get(reverse("login")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


# --- the same things in each language ------------------------------------------------

# Django's and DRF's own catalogues (not ours): the required-field error.
REQUIRED = {
    "en": "This field is required.",
    "ms": "Medan ini diperlukan.",
    "id": "Bidang ini harus diisi.",
}


@pytest.mark.catalogue
@pytest.mark.parametrize(
    "language, log_in", [("en", "Log in"), ("ms", "Log masuk"), ("id", "Masuk")]
)
def test_the_login_page_in_each_language(client, catalogues, language, log_in):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert f"<h1>{log_in}</h1>" in html
    assert translated(language, "Use your staff ID or your work email.") in html
    if language != "en":
        assert "Use your staff ID or your work email." not in html


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_the_navigation_in_the_saved_language(client, catalogues, alice, language):
    alice.language = language
    alice.save()
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    my_shares = translated(language, "My shares")
    assert my_shares in html
    assert (my_shares == "My shares") == (language == "en")


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_a_form_error_in_each_language(client, language):
    response = client.post(
        reverse("login"), {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert REQUIRED[language] in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_an_api_field_error_in_each_language(client, language):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "S1001"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"password": [REQUIRED[language]]}
    assert response["Content-Language"] == language


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_an_api_error_of_ours_in_each_language(client, catalogues, alice, language):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "S1001", "password": "wrong"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    detail = response.json()["non_field_errors"][0]
    english = "Unable to log in with those credentials."
    assert detail == translated(language, english)
    assert (detail == english) == (language == "en")


@pytest.mark.catalogue
@pytest.mark.parametrize(
    "language, password_word", [("en", "password"), ("ms", "kata laluan"), ("id", "kata sandi")]
)
def test_the_password_email_in_the_browsers_language(
    client, catalogues, alice, language, password_word
):
    response = client.post(
        reverse("accounts:password_reset"),
        {"email": "alice.tan@example.gov.my"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert password_word in message.subject.lower()
    assert translated(language, "If you did not ask for this, ignore this email.") in message.body
    assert "S1001" in message.body
    assert "/accounts/password/set/" in message.body


@pytest.mark.catalogue
@pytest.mark.parametrize("language, password_word", [("ms", "kata laluan"), ("id", "kata sandi")])
def test_the_password_email_in_the_saved_language(
    client, catalogues, alice, language, password_word
):
    """Someone who chose a language gets their mail in it, from any browser."""
    alice.language = language
    alice.save()
    client.post(
        reverse("accounts:password_reset"),
        {"email": "alice.tan@example.gov.my"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    [message] = mail.outbox
    assert password_word in message.subject.lower()


def test_demo_users_who_read_malay_and_indonesian():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    languages = dict(
        User.objects.filter(staff_id__in=["stf001", "stf002", "stf003"]).values_list(
            "staff_id", "language"
        )
    )
    assert languages == {"stf001": "", "stf002": "ms", "stf003": "id"}
    assert "stf002" in out.getvalue() and "stf003" in out.getvalue()


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_error_pages_use_the_base_layout_in_the_readers_language(client, language):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert lang_of(response) == language
    assert f"<h1>{translated(language, 'Page not found')}</h1>" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["ms", "id"])
def test_drf_errors_in_each_language(client, catalogues, alice, language):
    """DRF has no Malay catalogue: ours carries its messages (sharekpi/api_messages.py)."""
    anonymous = client.get("/api/v1/shares/", HTTP_ACCEPT_LANGUAGE=language)
    assert anonymous.status_code in (401, 403)
    detail = anonymous.json()["detail"]
    assert detail == translated(language, "Authentication credentials were not provided.")
    assert detail != "Authentication credentials were not provided."
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user=alice)
    refused = api.delete("/api/v1/shares/", HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 405
    english = 'Method "{method}" not allowed.'
    assert refused.json()["detail"] == translated(language, english).format(method="DELETE")
    assert translated(language, english) != english
