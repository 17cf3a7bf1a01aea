"""GET /api/v1/units/: the org tree for everyone logged in, paginated, ?under= by id or path."""

import pytest

from tests.factories import UserFactory, make_unit

pytestmark = pytest.mark.django_db
URL = "/api/v1/units/"


@pytest.fixture
def tree():
    return {
        "digital": make_unit("HQ/Comms/Digital"),
        "finance": make_unit("HQ/Finance"),
        "region": make_unit("Region"),
    }


def test_staff_read_the_whole_tree(client, tree):
    client.force_login(UserFactory(unit=tree["finance"]))
    body = client.get(URL).json()
    rows = {row["path"]: row for row in body["results"]}
    assert list(rows) == ["HQ", "HQ/Comms", "HQ/Comms/Digital", "HQ/Finance", "Region"]
    assert body["count"] == 5
    digital = rows["HQ/Comms/Digital"]
    assert digital == {
        "id": tree["digital"].pk,
        "path": "HQ/Comms/Digital",
        "name": "Digital",
        "parent": rows["HQ/Comms"]["id"],
    }
    assert rows["HQ"]["parent"] is None


def test_under_by_id_or_path(client, tree):
    client.force_login(UserFactory())
    comms = tree["digital"].parent
    by_id = [row["path"] for row in client.get(URL, {"under": comms.pk}).json()["results"]]
    by_path = [row["path"] for row in client.get(URL, {"under": "HQ/Comms"}).json()["results"]]
    assert by_id == by_path == ["HQ/Comms", "HQ/Comms/Digital"]


def test_unknown_under_is_a_400_naming_it(client, tree):
    client.force_login(UserFactory())
    response = client.get(URL, {"under": "Nowhere/At/All"})
    assert response.status_code == 400
    assert "Nowhere/At/All" in response.json()["under"][0]


def test_anonymous_is_refused(client, tree):
    assert client.get(URL).status_code == 401
