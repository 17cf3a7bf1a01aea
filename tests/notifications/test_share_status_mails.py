"""A share rejected, removed or sent to review with something its owner can do → one
e-mail, in their language, saying what and what to do, with a link; after the commit,
and never in the way of the status change."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from campaigns import services as campaign_services
from campaigns.models import ShareStatus
from campaigns.reasons import Coded
from notifications.models import NotificationKind, NotificationOptOut, NotificationSent
from tests.notifications.conftest import share_of

pytestmark = pytest.mark.django_db


def test_a_rejected_share_gets_one_email_with_what_to_do(
    people, campaign, change_status, mailoutbox
):
    share = share_of(people["alice"], campaign)
    change_status(share, ShareStatus.REJECTED, "This is the official post, not your share.")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@example.gov.my"]
    assert "Road safety week" in message.subject
    assert "was rejected" in message.body
    assert "This is the official post, not your share." in message.body
    assert "appeal by" in message.body
    assert f"https://sharekpi.example.gov.my/appeals/new/{share.pk}/" in message.body
    assert message.extra_headers["Content-Language"] == "en"
    assert (
        NotificationSent.objects.filter(
            user=people["alice"], kind=NotificationKind.SHARE_STATUS
        ).count()
        == 1
    )


def test_a_removed_share_gets_an_email(people, campaign, change_status, mailoutbox):
    share = share_of(people["alice"], campaign, status=ShareStatus.VERIFIED)
    change_status(share, ShareStatus.REMOVED, Coded("removed.gone", {"platform": "Facebook"}))
    assert len(mailoutbox) == 1
    assert "no longer counts" in mailoutbox[0].body


def test_review_with_a_screenshot_to_add_links_the_upload(
    people, campaign, change_status, mailoutbox
):
    share = share_of(people["alice"], campaign, status=ShareStatus.PENDING)
    change_status(share, ShareStatus.NEEDS_REVIEW, Coded("review.policy", {"platform": "Facebook"}))
    assert len(mailoutbox) == 1
    assert "Attach a screenshot" in mailoutbox[0].body
    assert f"/review/shares/{share.pk}/screenshot/upload/" in mailoutbox[0].body


def test_review_asking_for_an_account_links_my_accounts(
    people, campaign, change_status, mailoutbox
):
    share = share_of(people["alice"], campaign, status=ShareStatus.PENDING)
    change_status(
        share,
        ShareStatus.NEEDS_REVIEW,
        Coded("review.no_account", {"platform": "Facebook", "author": "alice"}),
    )
    assert len(mailoutbox) == 1
    assert "https://sharekpi.example.gov.my/me/accounts/" in mailoutbox[0].body


def test_review_with_nothing_to_do_sends_nothing(people, campaign, change_status, mailoutbox):
    share = share_of(people["alice"], campaign, status=ShareStatus.PENDING)
    change_status(share, ShareStatus.NEEDS_REVIEW, "HR wants a look.")  # HR's words: no action
    change_status(share, ShareStatus.VERIFIED, Coded("verified.checks", {"platform": "Facebook"}))
    assert mailoutbox == []


def test_the_email_is_in_the_person_s_language(people, campaign, change_status, mailoutbox):
    shares = {}
    for number, name in enumerate(("siti", "budi", "alice"), start=1):
        shares[name] = change_status(
            share_of(people[name], campaign, number), ShareStatus.REJECTED, "No."
        )
    by_person = {m.to[0].split("@")[0]: m for m in mailoutbox}
    assert {p: m.extra_headers["Content-Language"] for p, m in by_person.items()} == {
        "siti": "ms",
        "budi": "id",
        "alice": "en",
    }
    # The appeal deadline is written as the person's language writes dates.
    for name, share in shares.items():
        deadline = timezone.localtime(share.status_changed_at + datetime.timedelta(days=14))
        with translation.override(people[name].language or "en"):
            assert date_format(deadline, "DATE_FORMAT") in by_person[name].body


def test_not_sent_when_turned_off(people, campaign, change_status, mailoutbox):
    NotificationOptOut.objects.create(user=people["alice"], kind=NotificationKind.SHARE_STATUS)
    change_status(share_of(people["alice"], campaign), ShareStatus.REJECTED, "No.")
    assert mailoutbox == []


def test_sent_once_even_when_the_task_runs_again(people, campaign, change_status, mailoutbox):
    from notifications import tasks

    share = change_status(share_of(people["alice"], campaign), ShareStatus.REJECTED, "No.")
    again = [[share.pk, share.status, share.status_changed_at.isoformat()]]
    tasks.send_share_status_mails.delay(again)
    tasks.send_share_status_mails.delay(again)
    assert len(mailoutbox) == 1


def test_a_status_that_moved_on_gets_no_stale_email(people, campaign, mailoutbox):
    from notifications import events

    share = share_of(people["alice"], campaign, status=ShareStatus.VERIFIED)
    stale = [[share.pk, ShareStatus.REJECTED, share.status_changed_at.isoformat()]]
    assert events.send_share_status_mails(stale) == 0
    assert mailoutbox == []


def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(
    people, campaign, django_capture_on_commit_callbacks, mailoutbox
):
    share = share_of(people["alice"], campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        campaign_services.change_share_status(
            share=share, new_status=ShareStatus.REJECTED, reason="No."
        )
        assert mailoutbox == []
    assert mailoutbox == []  # queued for after the commit, not sent inside it
    assert callbacks


def test_a_broken_mail_server_does_not_break_the_status_change(
    people, campaign, change_status, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.BrokenBackend"
    share = change_status(share_of(people["alice"], campaign), ShareStatus.REJECTED, "No.")
    assert share.status == ShareStatus.REJECTED
    # The claim is given back: a later run may still send it.
    assert not NotificationSent.objects.filter(user=people["alice"]).exists()
