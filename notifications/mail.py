"""Building and sending notification e-mails: in the person's language, with the
unsubscribe link of their kind, each sent at most once (the sent-log).

Sending is "claim, then send": a run writes its sent-log rows with its own claim
token (``INSERT … ON CONFLICT DO NOTHING``), reads back the rows that carry its token
— those it won, even against another worker running the same batch — and sends only
those. A message the mail server refuses gets its row removed, so the next run sends
it. A run that dies between claiming and sending loses those messages (at most once:
a person never gets the same e-mail twice).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import mail, signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import NotificationKind, NotificationSent

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def language_of(user) -> str:
    """The person's chosen language, else the organisation's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def absolute(path: str) -> str:
    """A link for an e-mail (no request to take the host from)."""
    return settings.SHAREKPI_BASE_URL.rstrip("/") + path


def unsubscribe_token(user_id: int, kind: str) -> str:
    """Signed (SECRET_KEY), so it turns off this kind for this person and nothing else."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """``(user id, kind)``; raises ``signing.BadSignature`` for anything not ours."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or value[1] not in NotificationKind.values
    ):
        raise signing.BadSignature("not an unsubscribe token")
    return value[0], value[1]


def unsubscribe_url(user_id: int, kind: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kind)]))


def build_message(*, user, kind: str, template: str, context: dict) -> mail.EmailMessage:
    """``notifications/<template>_subject.txt`` and ``_body.txt`` rendered in the
    person's language, with the List-Unsubscribe headers (RFC 2369, RFC 8058)."""
    unsubscribe = unsubscribe_url(user.pk, kind)
    language = language_of(user)
    with translation.override(language):
        context = {
            **context,
            "person": user,
            "kind_label": NotificationKind(kind).label,
            "unsubscribe_url": unsubscribe,
            "preferences_url": absolute(reverse("notifications:preferences")),
            "organisation": settings.SHAREKPI_ORGANISATION_NAME,
        }
        subject = " ".join(
            render_to_string(f"notifications/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"notifications/{template}_body.txt", context)
    return mail.EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            # Which kind of mail this is, whatever the language (mail filters, tests).
            "X-ShareKPI-Notification": kind,
        },
    )


@dataclass(frozen=True)
class Pending:
    """One e-mail to send at most once: its sent-log key and how to build it."""

    user_id: int
    kind: str
    key: str
    build: Callable[[], mail.EmailMessage | None]


def send_once(pending: Iterable[Pending]) -> int:
    """Claim each e-mail in the sent-log, send the ones this run won; how many went out.

    Three queries whatever the number of e-mails (claim, read back, release the
    failures), and one mail connection."""
    pending = list(pending)
    if not pending:
        return 0
    claim = uuid.uuid4().hex
    NotificationSent.objects.bulk_create(
        [NotificationSent(user_id=p.user_id, kind=p.kind, key=p.key, claim=claim) for p in pending],
        ignore_conflicts=True,
        batch_size=1000,
    )
    won = {
        (user_id, kind, key): pk
        for pk, user_id, kind, key in NotificationSent.objects.filter(claim=claim).values_list(
            "pk", "user_id", "kind", "key"
        )
    }
    sent, failed = 0, []
    connection = mail.get_connection()
    try:
        connection.open()
    except Exception:
        # The mail server is down: give every claim back, the task retries later.
        NotificationSent.objects.filter(claim=claim).delete()
        raise
    try:
        for item in pending:
            pk = won.get((item.user_id, item.kind, item.key))
            if pk is None:
                continue  # sent before, or by another run
            try:
                message = item.build()
                if message is None:
                    failed.append(pk)
                    continue
                message.connection = connection
                message.send()
            except Exception:
                log.exception(
                    "notification %s %s to user %s not sent", item.kind, item.key, item.user_id
                )
                failed.append(pk)
            else:
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:
            log.exception("closing the mail connection failed")
        if failed:
            NotificationSent.objects.filter(pk__in=failed).delete()
    return sent
