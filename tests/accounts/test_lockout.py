"""Login throttling: repeated failures lock one account (staff ID and e-mail being the
same account) or one address for a while, on the form and on the token endpoint;
other accounts are unaffected; the lock-out is audited; HR can unlock."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from accounts.models import Role, User
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def alice():
    return User.objects.create_user(
        "S1001", "alice@example.gov.my", "correct-horse", full_name="Alice", role=Role.STAFF
    )


@pytest.fixture
def bob():
    return User.objects.create_user(
        "S1002", "bob@example.gov.my", "battery-staple", full_name="Bob", role=Role.STAFF
    )


def fail_login(client, username, times, addr="10.0.0.1"):
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=addr)


@override_settings(AXES_FAILURE_LIMIT=3, AXES_LOCKOUT_PARAMETERS=["username"])
def test_staff_id_and_email_failures_count_for_one_account(client, alice, bob):
    fail_login(client, "S1001", 2)
    fail_login(client, "ALICE@example.gov.my", 1, addr="10.0.0.2")
    response = client.post(
        LOGIN, {"username": "S1001", "password": "correct-horse"}, REMOTE_ADDR="10.0.0.3"
    )
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.text
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login.locked_out").exists()
    # Bob is unaffected.
    ok = client.post(
        LOGIN, {"username": "S1002", "password": "battery-staple"}, REMOTE_ADDR="10.0.0.3"
    )
    assert ok.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, AXES_LOCKOUT_PARAMETERS=["ip_address"])
def test_one_address_is_locked_out(client, alice, bob):
    fail_login(client, "nobody", 3, addr="10.9.9.9")
    response = client.post(
        LOGIN, {"username": "S1002", "password": "battery-staple"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    elsewhere = client.post(
        LOGIN, {"username": "S1002", "password": "battery-staple"}, REMOTE_ADDR="10.9.9.8"
    )
    assert elsewhere.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, AXES_LOCKOUT_PARAMETERS=["username"])
def test_token_endpoint_locks_out_with_json_and_hr_can_unlock(client, alice):
    for _ in range(3):
        bad = client.post(
            TOKEN, {"username": "alice@example.gov.my", "password": "x"}, "application/json"
        )
    assert bad.status_code == 429
    assert "Too many failed log-ins" in bad.json()["detail"]
    good = client.post(
        TOKEN, {"username": "S1001", "password": "correct-horse"}, "application/json"
    )
    assert good.status_code == 429
    assert AuditEntry.objects.filter(action="login.locked_out").exists()
    # HR unlocks: the access attempt is deleted in the admin.
    hr = User.objects.create_user("H1", "h1@example.gov.my", "pw", role=Role.HR_ADMIN)
    client.force_login(hr)
    attempt = AccessAttempt.objects.get()
    page = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302
    client.logout()
    again = client.post(
        TOKEN, {"username": "S1001", "password": "correct-horse"}, "application/json"
    )
    assert again.status_code == 200


def test_set_password_mails_are_limited_per_address_and_hour(client, alice, mailoutbox, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SHAREKPI_PASSWORD_RESET_PER_HOUR = 2
    for _ in range(4):
        response = client.post("/accounts/password/reset/", {"email": "Alice@example.gov.my"})
        assert response.status_code == 302
    assert len(mailoutbox) == 2
    client.post("/accounts/password/reset/", {"email": "bob@example.gov.my"})
    assert len(mailoutbox) == 2  # nobody has that address; still no error
