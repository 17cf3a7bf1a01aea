"""API tokens expire, end with a new password or a deactivation, can be revoked by
their owner (DELETE auth/token/), and the admin never shows the key."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Role, User

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/scores/me/"


@pytest.fixture
def alice():
    return User.objects.create_user(
        "S1001", "alice@example.gov.my", "correct-horse", full_name="Alice", role=Role.STAFF
    )


def get_token(client):
    response = client.post(
        TOKEN, {"username": "S1001", "password": "correct-horse"}, "application/json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_a_token_expires_and_a_new_one_is_issued(client, alice, settings):
    settings.SHAREKPI_API_TOKEN_DAYS = 30
    key = get_token(client)
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - datetime.timedelta(days=31))
    expired = client.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    new = get_token(client)
    assert new != key
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {new}").status_code == 200


def test_a_new_password_or_deactivation_deletes_the_token(client, alice):
    get_token(client)
    alice.set_password("another-horse")
    alice.save()
    assert not Token.objects.filter(user=alice).exists()
    Token.objects.create(user=alice)
    alice.is_active = False
    alice.save()
    assert not Token.objects.filter(user=alice).exists()


def test_the_owner_revokes_their_token(client, alice):
    key = get_token(client)
    response = client.delete(TOKEN, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204
    assert not Token.objects.filter(user=alice).exists()
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_the_admin_never_shows_the_key(client, alice):
    key = get_token(client)
    hr = User.objects.create_user("H1", "h1@example.gov.my", "pw", role=Role.HR_ADMIN)
    client.force_login(hr)
    listing = client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    assert key not in listing.text
    token = Token.objects.get(key=key)
    detail = client.get(f"/admin/authtoken/tokenproxy/{token.pk}/change/")
    assert key not in detail.text
