"""While the database is unreachable the API answers 503 JSON with Retry-After."""

import pytest
from django.db import InterfaceError, OperationalError
from rest_framework.authtoken.models import Token

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_api_answers_503_json_while_the_database_is_down(client, monkeypatch, error):
    user = UserFactory(staff_id="alice", role=Role.STAFF, unit="HQ")
    token = Token.objects.create(user=user)

    def boom(self, key):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr(
        "accounts.authentication.TokenAuthentication.authenticate_credentials", boom
    )
    response = client.get("/api/v1/scores/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "5"
    assert "database" in response.json()["detail"]
