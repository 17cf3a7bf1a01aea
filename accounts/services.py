"""Writes about people that are not the staff import itself."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def send_set_password_links(*, users: Iterable[User], base_url: str) -> int:
    """Email each user a link to set their password (new staff from an import
    have no usable password until they do). One mail connection for all."""
    parts = urlsplit(base_url)
    context = {"protocol": parts.scheme or "https", "domain": parts.netloc}
    messages = []
    for user in users:
        if not user.is_active or not user.email:
            continue
        context |= {
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        subject = render_to_string("accounts/password_reset_subject.txt", context).strip()
        body = render_to_string("accounts/password_reset_email.txt", context)
        messages.append(EmailMessage(subject, body, to=[user.email]))
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def new_staff_without_password(staff_ids: Iterable[str]):
    """The users among ``staff_ids`` who still cannot log in (unusable password)."""
    return [
        user
        for user in User.objects.filter(staff_id__in=list(staff_ids), is_active=True)
        if not user.has_usable_password()
    ]
