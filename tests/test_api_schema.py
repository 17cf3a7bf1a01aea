"""The OpenAPI schema tells the truth: schemathesis generates requests from
/api/v1/schema/ for every operation, as an HR admin and as a staff member, and every
answer must be no server error and exactly what the schema documents (status code,
content type, body, headers). Examples are bounded, so this runs in every test run."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks as sc_checks
from schemathesis.specs.openapi import checks as openapi_checks

from accounts.models import Role
from tests.factories import SocialAccountFactory, UserFactory, make_campaign, make_share

MAX_EXAMPLES = 20

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())

CHECKS = [
    sc_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]


@pytest.fixture
def tokens(db):
    """HR (hana) and staff (alice) with a token each, and a little data to find."""
    from rest_framework.authtoken.models import Token

    hana = UserFactory(staff_id="hana", role=Role.HR_ADMIN, unit="People")
    alice = UserFactory(staff_id="alice", role=Role.STAFF, unit="HQ/Comms")
    SocialAccountFactory(user=alice, platform="x", handle="alice")
    campaign = make_campaign(posts=["https://x.com/agency/status/1"])
    make_share(alice, campaign, "https://x.com/alice/status/2")
    return {
        "hr": Token.objects.create(user=hana).key,
        "staff": Token.objects.create(user=alice).key,
    }


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Django's test client does this too: a request must not close the connection
    that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["hr", "staff"])
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(
    case, role, tokens, wsgi_requests_keep_the_test_transaction
):
    case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)


def _schema() -> dict:
    return schema.raw_schema


def _request_schema(path: str, method: str) -> dict:
    body = _schema()["paths"][path][method]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[1]
    return _schema()["components"]["schemas"][ref]


def test_the_schema_states_the_constraints():
    campaign = _request_schema("/api/v1/campaigns/", "post")
    assert campaign["properties"]["title"]["minLength"] == 1  # non-blank title
    assert campaign["properties"]["title"]["pattern"] == r"\S"  # "   " is blank too
    review = _request_schema("/api/v1/shares/{id}/review/", "post")
    reject = next(s for s in review["oneOf"] if s["properties"]["decision"]["enum"] == ["reject"])
    assert "reason" in reject["required"]  # a reason is required to reject
    decide = _request_schema("/api/v1/appeals/{id}/decide/", "post")
    assert "reason" in decide["required"] and decide["properties"]["reason"]["minLength"] == 1
    for path in ("/api/v1/scores/", "/api/v1/scores/me/", "/api/v1/scoring-schemes/{year}/"):
        year = next(p for p in _schema()["paths"][path]["get"]["parameters"] if p["name"] == "year")
        assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (2000, 2999), path


def test_urls_have_the_format_they_really_have():
    components = _schema()["components"]["schemas"]
    for name in ("Share", "ShareListItem", "CampaignPost"):
        properties = components[name]["properties"]
        assert "format" not in properties["url"], name  # as given: https:// may be missing
        assert properties["normalized_url"]["format"] == "uri", name
    share = _request_schema("/api/v1/shares/", "post")
    assert share["properties"]["url"]["maxLength"] == 2000  # what the database holds


def test_every_operation_documents_its_errors():
    for path, operations in _schema()["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "503" in codes, (method, path)
            assert "Retry-After" in operation["responses"]["503"]["headers"], (method, path)
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
