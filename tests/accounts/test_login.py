import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return User.objects.create_user(
        "S1001", "Alice.Tan@Example.gov.my", "correct-horse", full_name="Alice Tan"
    )


def test_login_with_staff_id(client, alice):
    response = client.post(reverse("login"), {"username": "S1001", "password": "correct-horse"})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_with_email_any_case(client, alice):
    response = client.post(
        reverse("login"), {"username": "alice.TAN@example.gov.my", "password": "correct-horse"}
    )
    assert response.status_code == 302


def test_wrong_password_says_so_and_stays(client, alice):
    response = client.post(reverse("login"), {"username": "S1001", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()


def test_inactive_user_is_refused(client, alice):
    alice.is_active = False
    alice.save()
    assert authenticate(username="S1001", password="correct-horse") is None
    response = client.post(reverse("login"), {"username": "S1001", "password": "correct-horse"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_user_with_unusable_password_cannot_log_in():
    User.objects.create_user("S2", "s2@example.gov.my", None, full_name="No Password")
    assert authenticate(username="S2", password="") is None


def test_email_is_unique_whatever_the_case(alice):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user("S1002", "ALICE.tan@example.gov.my", "x", full_name="Clone")


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_logout_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_hr_admin_reaches_django_admin(client):
    hr = User.objects.create_user(
        "H1", "h1@example.gov.my", "pw", full_name="HR", role=Role.HR_ADMIN
    )
    client.force_login(hr)
    assert client.get("/admin/accounts/user/").status_code == 200


def test_token_auth_with_staff_id(client, alice):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "S1001", "password": "correct-horse"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
    bad = client.post(
        "/api/v1/auth/token/",
        {"username": "S1001", "password": "wrong"},
        content_type="application/json",
    )
    assert bad.status_code == 400
