"""An appeal decided → one e-mail to the person who appealed, in their language."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import ShareStatus
from notifications.models import NotificationKind, NotificationOptOut
from tests.notifications.conftest import share_of
from verification.appeals import decide_appeal
from verification.models import Appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def decide(people, django_capture_on_commit_callbacks):
    def run(person, campaign, decision="overturn", number=1):
        share = share_of(person, campaign, number, status=ShareStatus.REJECTED)
        appeal = Appeal.objects.create(
            share=share,
            staff=person,
            note="It is my own post.",
            appealed_status=ShareStatus.REJECTED,
            appealed_status_at=timezone.now(),
        )
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            decide_appeal(
                appeal=appeal, actor=people["hana"], decision=decision, reason="Checked it."
            )
        return appeal

    return run


def test_an_overturned_appeal_is_mailed_once(people, campaign, decide, mailoutbox):
    decide(people["alice"], campaign)
    # The share became verified too: that status sends nothing of its own.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@example.gov.my"]
    assert "Road safety week" in message.subject
    assert "Overturned" in message.body
    assert "Checked it." in message.body
    assert "https://sharekpi.example.gov.my/appeals/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://sharekpi.example.gov.my/notifications/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_upheld_appeal_is_mailed_in_the_person_s_language(people, campaign, decide, mailoutbox):
    decide(people["budi"], campaign, decision="uphold")
    assert len(mailoutbox) == 1
    assert "Checked it." in mailoutbox[0].body
    assert mailoutbox[0].extra_headers["Content-Language"] == "id"


def test_not_sent_when_turned_off(people, campaign, decide, mailoutbox):
    NotificationOptOut.objects.create(user=people["alice"], kind=NotificationKind.APPEAL_DECIDED)
    decide(people["alice"], campaign)
    assert mailoutbox == []


def test_filing_an_appeal_sends_nothing(
    people, campaign, django_capture_on_commit_callbacks, mailoutbox
):
    share = share_of(people["alice"], campaign, status=ShareStatus.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        Appeal.objects.create(
            share=share,
            staff=people["alice"],
            note="Mine.",
            appealed_status=ShareStatus.REJECTED,
            appealed_status_at=timezone.now(),
        )
    assert mailoutbox == []
