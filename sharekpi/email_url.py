"""``EMAIL_URL`` → Django's e-mail settings, so one environment variable configures mail.

    smtp://user:password@mail.example.gov.my:587     SMTP (STARTTLS when the port is 587)
    smtp+tls://user:password@host:587                SMTP with STARTTLS
    smtp+ssl://user:password@host:465                SMTP over TLS
    console://   dummy://   locmem://   file:///var/mail/sharekpi

User and password are percent-decoded (an ``@`` in a password is ``%40``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}


def parse(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    scheme, _plus, security = parts.scheme.lower().partition("+")
    if scheme not in BACKENDS or security not in ("", "tls", "ssl"):
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtp+tls://, smtp+ssl://, console://, "
            f"dummy://, locmem:// or file://, not {parts.scheme!r}://"
        )
    settings: dict[str, object] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme == "file":
        settings["EMAIL_FILE_PATH"] = unquote(parts.path)
        return settings
    if scheme != "smtp":
        return settings
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no mail server host")
    port = parts.port or (465 if security == "ssl" else 587 if security == "tls" else 25)
    settings.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port,
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_SSL=security == "ssl",
        EMAIL_USE_TLS=security == "tls" or (security == "" and port == 587),
    )
    query = parse_qs(parts.query)
    if "timeout" in query:
        settings["EMAIL_TIMEOUT"] = float(query["timeout"][0])
    return settings
