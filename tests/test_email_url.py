"""EMAIL_URL: one variable for the mail server (sharekpi/email_url.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from sharekpi.email_url import parse


def test_smtp_with_starttls_and_a_percent_encoded_password():
    assert parse("smtp+tls://notify%40agency.gov.my:p%40ss:w0rd@mail.agency.gov.my:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.agency.gov.my",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "notify@agency.gov.my",
        "EMAIL_HOST_PASSWORD": "p@ss:w0rd",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_smtp_over_ssl_defaults_to_port_465_and_reads_the_timeout():
    settings = parse("smtp+ssl://mail.example.go.id?timeout=10")
    assert settings["EMAIL_PORT"] == 465
    assert settings["EMAIL_USE_SSL"] and not settings["EMAIL_USE_TLS"]
    assert settings["EMAIL_TIMEOUT"] == 10.0


def test_plain_smtp_on_port_25():
    settings = parse("smtp://relay.internal")
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_TLS"]) == (25, False)


@pytest.mark.parametrize("name", ["console", "dummy", "locmem"])
def test_the_other_backends(name):
    assert parse(f"{name}://")["EMAIL_BACKEND"] == f"django.core.mail.backends.{name}.EmailBackend"


def test_file_backend_takes_its_path():
    assert parse("file:///var/mail/sharekpi")["EMAIL_FILE_PATH"] == "/var/mail/sharekpi"


@pytest.mark.parametrize("url", ["imap://mail.example", "smtp+starttls://x", "smtp://"])
def test_a_wrong_url_says_what_is_expected(url):
    with pytest.raises(ImproperlyConfigured):
        parse(url)
