"""GET /api/v1/schema/ describes the campaigns and shares API."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_lists_the_campaign_and_share_paths(schema):
    paths = schema["paths"]

    assert set(paths["/api/v1/campaigns/"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/campaigns/{id}/"]
    assert set(paths["/api/v1/shares/"]) >= {"get", "post"}
    assert "get" in paths["/api/v1/shares/{id}/"]


def test_schema_describes_the_share_answers(schema):
    create = schema["paths"]["/api/v1/shares/"]["post"]
    body = schema["components"]["schemas"]["Share"]["properties"]

    assert {"201", "400", "409"} <= set(create["responses"])
    conflict = create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert conflict.endswith("/DuplicateShare")
    assert set(body) == {
        "id",
        "url",
        "normalized_url",
        "platform",
        "status",
        "campaign",
        "submitted_at",
        "source",
    }


def test_schema_lists_the_share_filters(schema):
    listing = schema["paths"]["/api/v1/shares/"]["get"]

    assert {p["name"] for p in listing["parameters"]} >= {"year", "status", "campaign", "staff_id"}
