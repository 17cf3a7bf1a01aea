"""Imported staff get a link to set their password, and the link works."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

CSV = (
    "staff_id,full_name,email,unit,manager_staff_id,role,active\n"
    "N100,Siti Aminah,siti@example.gov.my,HQ/Comms,,staff,yes\n"
)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_import_command_emails_new_staff_a_working_link(tmp_path, client):
    path = tmp_path / "staff.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_staff", str(path), "--base-url", "https://kpi.example.gov.my")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@example.gov.my"]
    assert "N100" in message.body
    link = link_in(message)
    assert link.startswith("https://kpi.example.gov.my/accounts/password/set/")
    path_only = link.removeprefix("https://kpi.example.gov.my")
    form_page = client.get(path_only, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sharing-is-caring-2026", "new_password2": "Sharing-is-caring-2026"},
    )
    assert authenticate(username="N100", password="Sharing-is-caring-2026") is not None


def test_no_links_with_set_password_or_no_links(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_staff", str(path), "--set-password", "pw12345678")
    assert mail.outbox == []
    User.objects.all().delete()
    call_command("import_staff", str(path), "--no-links")
    assert mail.outbox == []


def test_first_time_page_mails_staff_without_a_password(client):
    make_unit("HQ")
    User.objects.create_user("N200", "new@example.gov.my", None, full_name="New Person")
    response = client.post("/accounts/password/reset/", {"email": "NEW@example.gov.my"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/set/" in mail.outbox[0].body


def test_first_time_page_does_not_mail_inactive_staff(client):
    User.objects.create_user("N300", "gone@example.gov.my", None, full_name="Gone", is_active=False)
    client.post("/accounts/password/reset/", {"email": "gone@example.gov.my"})
    assert mail.outbox == []


def test_the_mail_to_imported_staff_says_their_organisation_added_them(tmp_path, settings):
    settings.SHAREKPI_ORGANISATION_NAME = "Agensi Contoh"
    path = tmp_path / "staff.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_staff", str(path), "--base-url", "https://kpi.example.gov.my")
    message = mail.outbox[0]
    assert message.subject == "Agensi Contoh has added you to ShareKPI: set your password"
    assert "Agensi Contoh has added you to ShareKPI" in message.body
    assert "If you did not ask for this" not in message.body
