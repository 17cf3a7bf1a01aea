"""Error pages (403, 404, 500, CSRF failure) use the base layout, offer a way home
and follow the person's language; a 403 is logged as one line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import include, path, reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import StaffFactory


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("", include("sharekpi.urls"))]


def in_language(language: str, text: str) -> str:
    """``text`` as the catalogue of ``language`` has it (and it must have it)."""
    with translation.override(language):
        translated = gettext(text)
    assert translated != text, f"{text!r} is not translated into {language}"
    return translated


def assert_error_page(response, status: int, lang: str = "en") -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'class="topbar' in html  # the base layout's header
    assert f'href="{reverse("home")}"' in html  # a way home
    return html


@pytest.mark.django_db
def test_404_in_the_base_layout_in_the_persons_language(client):
    staff = StaffFactory()
    client.force_login(staff)
    html = assert_error_page(client.get("/no/such/page/"), 404)
    assert "Page not found" in html
    assert staff.full_name in html  # the header of a logged-in person
    # An anonymous visitor's error page follows the browser ...
    anonymous = Client()
    assert_error_page(anonymous.get("/no/such/page/", headers={"accept-language": "ms"}), 404, "ms")
    # ... a logged-in person's follows the language they chose, whatever the browser says.
    staff.language = "id"
    staff.save(update_fields=["language"])
    response = client.get("/no/such/page/", headers={"accept-language": "ms"})
    assert_error_page(response, 404, "id")


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/me/accounts/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_403_in_the_base_layout_and_logged_without_traceback(client, caplog):
    client.force_login(StaffFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        html = assert_error_page(client.get(reverse("review:review_queue")), 403)
    assert "You may not open this page" in html
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "the refusal is still logged"
    for record in records:
        assert record.exc_info is None
        assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_500_in_the_base_layout(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    html = assert_error_page(client.get("/boom/", headers={"accept-language": "id"}), 500, "id")
    assert in_language("id", "Something went wrong") in html


@pytest.mark.django_db
def test_csrf_failure_in_the_base_layout():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "x", "password": "y"}, headers={"accept-language": "ms"}
    )
    html = assert_error_page(response, 403, "ms")
    assert in_language("ms", "That form could not be sent") in html
