"""/me/notifications/ turns each kind on or off (all on at first); each e-mail's
unsubscribe link works without logging in, for its person and kind only."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from campaigns.models import ShareStatus
from notifications import preferences
from notifications.mail import unsubscribe_token
from notifications.models import NotificationKind, NotificationOptOut
from tests.notifications.conftest import share_of

pytestmark = pytest.mark.django_db


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_every_kind_is_on_at_first(people):
    client = logged_in(people["alice"])
    html = client.get("/me/notifications/").content.decode()
    for kind in (
        NotificationKind.SHARE_STATUS,
        NotificationKind.APPEAL_DECIDED,
        NotificationKind.WEEKLY_DIGEST,
    ):
        assert f'name="{kind}"' in html
    assert html.count("checked") == 3
    assert NotificationKind.TEAM_SUMMARY not in html  # staff have no team


def test_managers_also_choose_the_team_summary(people):
    html = logged_in(people["bob"]).get("/me/notifications/").content.decode()
    assert f'name="{NotificationKind.TEAM_SUMMARY}"' in html


def test_turning_kinds_off_and_on(people):
    alice = people["alice"]
    client = logged_in(alice)
    response = client.post("/me/notifications/", {NotificationKind.SHARE_STATUS: "on"})
    assert response.status_code == 302
    assert preferences.enabled_kinds(alice) == {NotificationKind.SHARE_STATUS}
    client.post(
        "/me/notifications/",
        {NotificationKind.SHARE_STATUS: "on", NotificationKind.WEEKLY_DIGEST: "on"},
    )
    assert preferences.enabled_kinds(alice) == {
        NotificationKind.SHARE_STATUS,
        NotificationKind.WEEKLY_DIGEST,
    }
    assert AuditEntry.objects.filter(action="notification.turned_off").count() == 2
    assert AuditEntry.objects.filter(action="notification.turned_on").count() == 1


def test_the_email_link_unsubscribes_without_login(people, campaign, change_status, mailoutbox):
    change_status(share_of(people["alice"], campaign), ShareStatus.REJECTED, "No.")
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://sharekpi.example.gov.my")
    assert path in mailoutbox[0].body.replace("https://sharekpi.example.gov.my", "")
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    # Opening the link changes nothing (mail scanners open links); the button does.
    assert not NotificationOptOut.objects.exists()
    response = anonymous.post(path)
    assert response.status_code == 200
    assert 'id="unsubscribed"' in response.content.decode()
    assert list(NotificationOptOut.objects.values_list("user__staff_id", "kind")) == [
        ("alice", NotificationKind.SHARE_STATUS)
    ]
    # Only that kind: the digest and appeal e-mails stay on.
    assert NotificationKind.WEEKLY_DIGEST in preferences.enabled_kinds(people["alice"])


def test_one_click_post_from_the_mail_program(people):
    token = unsubscribe_token(people["siti"].pk, NotificationKind.WEEKLY_DIGEST)
    response = Client(enforce_csrf_checks=True).post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert NotificationKind.WEEKLY_DIGEST not in preferences.enabled_kinds(people["siti"])
    assert NotificationKind.SHARE_STATUS in preferences.enabled_kinds(people["siti"])


def test_a_link_only_works_for_its_own_person_and_kind(people):
    token = unsubscribe_token(people["alice"].pk, NotificationKind.WEEKLY_DIGEST)
    # Another person's or another kind's payload under this signature breaks it.
    payload, stamp, signature = token.split(":")
    other_person = unsubscribe_token(people["siti"].pk, NotificationKind.WEEKLY_DIGEST)
    other_kind = unsubscribe_token(people["alice"].pk, NotificationKind.SHARE_STATUS)
    forged = [f"{t.split(':')[0]}:{stamp}:{signature}" for t in (other_person, other_kind)]
    for bad in (*forged, f"{payload}:{stamp}:{signature[:-2]}xx", "nonsense"):
        response = Client().post(f"/notifications/unsubscribe/{bad}/")
        assert response.status_code == 404, bad
    assert not NotificationOptOut.objects.exists()
    # Logged in as someone else, the link still turns off alice's digest only.
    Client().post(f"/notifications/unsubscribe/{token}/")
    logged_in(people["siti"]).post(f"/notifications/unsubscribe/{token}/")
    assert list(NotificationOptOut.objects.values_list("user__staff_id", "kind")) == [
        ("alice", NotificationKind.WEEKLY_DIGEST)
    ]


def test_the_unsubscribe_page_speaks_the_person_s_language(people):
    token = unsubscribe_token(people["siti"].pk, NotificationKind.WEEKLY_DIGEST)
    html = Client().get(f"/notifications/unsubscribe/{token}/").content.decode()
    assert '<html lang="ms">' in html


def test_my_data_holds_my_choices_and_what_was_sent(people):
    import json

    from accounts.personal_data import stream

    NotificationOptOut.objects.create(user=people["alice"], kind=NotificationKind.WEEKLY_DIGEST)
    part = json.loads("".join(stream(people["alice"])))["notifications"]
    assert part["turned_off"] == [NotificationKind.WEEKLY_DIGEST]
    assert part["sent"] == []
