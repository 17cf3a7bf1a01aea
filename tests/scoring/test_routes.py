"""Every scoring route, walked for every role (the same rule as tests/test_access.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory, make_unit

ANON, STAFF, MANAGER, OTHER_MANAGER, HR = "anonymous", "staff", "manager", "other_manager", "hr"
ROLES = [ANON, STAFF, MANAGER, OTHER_MANAGER, HR]
LOGGED_IN = {STAFF, MANAGER, OTHER_MANAGER, HR}
MANAGERS_HR = {MANAGER, OTHER_MANAGER, HR}
YEAR = {"year": 2025}

# name → (method, url kwargs, roles allowed)
SCORING_ACCESS = {
    "scoring:my_kpi": ("get", None, LOGGED_IN),
    "scoring:kpi_report": ("get", None, MANAGERS_HR),
    "scoring:kpi_statement": ("get", {"staff_id": "alice"}, {STAFF, MANAGER, HR}),
    "scoring:scheme_current": ("get", None, {HR}),
    "scoring:scheme_edit": ("get", YEAR, {HR}),
    "scoring:year_list": ("get", None, {HR}),
    "scoring:year_close": ("post", YEAR, {HR}),
    "scoring:year_recompute": ("post", YEAR, {HR}),
    "scoring:year_reopen": ("post", YEAR, set()),  # superusers only
    "api:score-list": ("get", None, MANAGERS_HR),
    "api:score-me": ("get", None, LOGGED_IN),
    "api:scoring-scheme-detail": ("get", YEAR, LOGGED_IN),
}


@pytest.fixture
def people(db):
    comms, finance = make_unit("HQ/Comms"), make_unit("HQ/Finance")
    return {
        STAFF: UserFactory(staff_id="alice", role=Role.STAFF, unit=comms),
        MANAGER: UserFactory(staff_id="bob", role=Role.MANAGER, unit=comms),
        OTHER_MANAGER: UserFactory(staff_id="carol", role=Role.MANAGER, unit=finance),
        HR: UserFactory(staff_id="hana", role=Role.HR_ADMIN, unit=make_unit("People")),
    }


def is_denied(response, role: str) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return (
        role == ANON
        and response.status_code == 302
        and response["Location"].startswith(reverse("login"))
    )


@pytest.mark.parametrize("name", sorted(SCORING_ACCESS))
def test_scoring_route_access_for_every_role(name, people, client):
    method, kwargs, allowed = SCORING_ACCESS[name]
    url = reverse(name, kwargs=kwargs)
    for role in ROLES:
        client.logout()
        if role != ANON:
            client.force_login(people[role])
        response = getattr(client, method)(url)
        assert response.status_code != 500, (role, url)
        if role in allowed:
            assert not is_denied(response, role), (
                f"{role} should reach {url}: {response.status_code}"
            )
        else:
            assert is_denied(response, role), f"{role} must not reach {url}: {response.status_code}"


def test_superuser_reaches_reopen(client, people):
    root = UserFactory(staff_id="root", unit="People", is_superuser=True)
    client.force_login(root)
    response = client.post(reverse("scoring:year_reopen", kwargs=YEAR), {"reason": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("scoring:year_list")
