"""GET /api/v1/scores/: managers and HR, scoped, a plain list."""

import datetime

import pytest
from django.urls import reverse

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date
SCORES = reverse("api:score-list")


def row(staff_id, full_name, unit, verified_shares, points):
    return {
        "staff_id": staff_id,
        "full_name": full_name,
        "unit": unit,
        "verified_shares": verified_shares,
        "points": points,
    }


def test_staff_are_refused(client, org):
    client.force_login(org["alice"])
    assert client.get(SCORES).status_code == 403


def test_manager_gets_their_subtree_as_a_plain_list(client, org):
    make_share(org["alice"], make_campaign(D(2025, 5, 1), D(2025, 5, 2)), local(2025, 5, 1))
    client.force_login(org["bob"])
    response = client.get(SCORES, {"year": 2025})
    assert response.status_code == 200
    assert response.json() == [
        row("ali", "Ali bin Abu", "HQ/Comms", 0, 0),
        row("bob", "Bob Lim", "HQ/Comms", 0, 0),
        row("alice", "Alice Tan", "HQ/Comms/Digital", 1, 1),
    ]


def test_manager_outside_their_subtree_is_a_404(client, org):
    client.force_login(org["bob"])
    assert client.get(SCORES, {"unit": "HQ/Finance"}).status_code == 404


def test_hr_sees_everyone_or_a_unit(client, org):
    client.force_login(org["hana"])
    assert len(client.get(SCORES, {"year": 2025}).json()) == 7
    finance = client.get(SCORES, {"year": 2025, "unit": "HQ/Finance"}).json()
    assert [row["staff_id"] for row in finance] == ["charlie", "dana"]
