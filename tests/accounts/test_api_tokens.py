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


# --- the token cache (accounts.authentication, issue 15) ---------------------------


@pytest.fixture
def token_cache(settings):
    from django.core.cache import cache

    settings.SHAREKPI_API_TOKEN_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


def token_queries(client, key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    return response, [q["sql"] for q in captured if "authtoken_token" in q["sql"]]


def test_a_cached_token_needs_no_query(client, alice, token_cache):
    key = get_token(client)
    first, queried = token_queries(client, key)
    assert first.status_code == 200 and queried
    again, queried = token_queries(client, key)
    assert again.status_code == 200
    assert queried == []


def test_the_cache_holds_neither_the_key_nor_the_password(client, alice, token_cache):
    from django.core.cache import cache

    from accounts.authentication import cache_key

    key = get_token(client)
    token_queries(client, key)
    entry = cache.get(cache_key(key))
    assert entry is not None
    assert key not in repr(entry)
    assert alice.password not in repr(entry)


@pytest.mark.parametrize("how", ["revoked", "new_password", "deactivated", "admin_deleted"])
def test_a_cached_token_ends_at_once(client, alice, token_cache, how):
    key = get_token(client)
    assert token_queries(client, key)[0].status_code == 200  # cached now
    if how == "revoked":
        assert client.delete(TOKEN, HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    elif how == "new_password":
        alice.set_password("another-horse")
        alice.save()
    elif how == "deactivated":
        alice.is_active = False
        alice.save()
    else:
        Token.objects.filter(key=key).delete()
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_a_change_to_the_person_is_seen_at_once(client, alice, token_cache):
    from accounts.models import OrgUnit

    key = get_token(client)
    token_queries(client, key)
    alice.role = Role.MANAGER
    alice.save()
    _, queried = token_queries(client, key)
    assert queried  # read again
    token_queries(client, key)
    unit = OrgUnit.objects.create(name="HQ", path="HQ")
    User.objects.filter(pk=alice.pk).update(unit=unit)
    from accounts import authentication

    authentication.forget_users([alice.pk])  # what bulk writers (the staff import) call
    _, queried = token_queries(client, key)
    assert queried
    unit.name = "Headquarters"
    unit.save()
    _, queried = token_queries(client, key)
    assert queried


def test_the_staff_import_forgets_the_people_it_changes(client, alice, token_cache):
    from accounts import imports

    key = get_token(client)
    token_queries(client, key)
    imports._update_users([(alice.pk, {"is_active": False})])
    assert client.get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_no_cache_unless_asked(client, alice, settings):
    settings.SHAREKPI_API_TOKEN_CACHE_SECONDS = 0
    key = get_token(client)
    token_queries(client, key)
    _, queried = token_queries(client, key)
    assert queried


def test_my_token_page_shows_the_token_dates_and_revokes_it(client, alice):
    from audit.models import AuditEntry

    page = client.get("/me/token/")
    assert page.status_code == 302  # log in first
    key = get_token(client)
    client.force_login(alice)
    html = client.get("/me/token/").content.decode()
    assert "valid until" in html and key not in html
    assert "/me/token/" in client.get("/me/data/").content.decode()

    assert client.get("/me/token/revoke/").status_code == 405
    response = client.post("/me/token/revoke/", follow=True)
    assert "Your API token is revoked" in response.content.decode()
    assert not Token.objects.filter(user=alice).exists()
    assert AuditEntry.objects.filter(action="api_token.revoked", actor_id=alice.pk).count() == 1
    assert "You have no API token" in client.get("/me/token/").content.decode()
    response = client.post("/me/token/revoke/", follow=True)
    assert "You had no API token" in response.content.decode()
    assert AuditEntry.objects.filter(action="api_token.revoked").count() == 1


def test_an_expired_token_says_so(client, alice, settings):
    get_token(client)
    Token.objects.filter(user=alice).update(
        created=timezone.now() - datetime.timedelta(days=settings.SHAREKPI_API_TOKEN_DAYS + 1)
    )
    client.force_login(alice)
    assert "works no more" in client.get("/me/token/").content.decode()
