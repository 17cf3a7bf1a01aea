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
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(
    case, role, tokens, wsgi_requests_keep_the_test_transaction
):
    case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)
