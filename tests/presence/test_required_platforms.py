"""Required platforms per unit: inherited down the tree (the nearest unit with an entry
decides, [] = no requirement), set by HR only, audited; the page and the API."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit, Role
from audit.models import AuditEntry
from presence import selectors, services
from presence.models import RequiredPlatforms
from tests.factories import UserFactory, make_unit

pytestmark = pytest.mark.django_db
API = "/api/v1/required-platforms/"


@pytest.fixture
def hr():
    return UserFactory(staff_id="hana", role=Role.HR_ADMIN)


def test_inherited_down_the_tree_and_overridden(hr):
    hq = make_unit("HQ")
    digital = make_unit("HQ/Comms/Digital")
    finance = make_unit("HQ/Finance")
    lab = make_unit("HQ/Comms/Digital/Lab")
    services.set_required_platforms(unit=hq, platforms=["x", "facebook"], actor=hr)
    services.set_required_platforms(unit=digital, platforms=["tiktok"], actor=hr)
    assert selectors.required_platforms_for_unit(finance) == ["facebook", "x"]
    assert selectors.required_platforms_for_unit(lab) == ["tiktok"]
    services.set_required_platforms(unit=digital, platforms=[], actor=hr)
    assert selectors.required_platforms_for_unit(lab) == []  # [] = no requirement from here
    services.set_required_platforms(unit=digital, platforms=None, actor=hr)
    assert selectors.required_platforms_for_unit(lab) == ["facebook", "x"]  # inherits again
    assert selectors.required_platforms_for_unit(make_unit("Region")) == []
    assert selectors.required_platforms_for(UserFactory(unit=lab)) == ["facebook", "x"]
    assert selectors.required_platforms_for(UserFactory(unit=None)) == []


def test_many_units_in_two_queries(hr):
    units = [make_unit(f"HQ/Dept{i}/Team") for i in range(30)]
    services.set_required_platforms(unit=make_unit("HQ"), platforms=["x"], actor=hr)
    services.set_required_platforms(unit=make_unit("HQ/Dept3"), platforms=["youtube"], actor=hr)
    with CaptureQueriesContext(connection) as queries:
        by_unit = selectors.required_platforms_by_unit(units)
    assert len(queries) == 1
    assert by_unit[units[0].pk] == ["x"] and by_unit[units[3].pk] == ["youtube"]
    with CaptureQueriesContext(connection) as queries:
        every = selectors.required_platforms_by_unit()
    assert len(queries) == 2 and len(every) == OrgUnit.objects.count()


def test_writes_are_audited_and_a_no_change_is_not(hr):
    unit = make_unit("HQ")
    services.set_required_platforms(unit=unit, platforms=["X", "x", "facebook"], actor=hr)
    services.set_required_platforms(unit=unit, platforms=["facebook", "x"], actor=hr)
    services.set_required_platforms(unit=unit, platforms=None, actor=hr)
    entries = list(AuditEntry.objects.order_by("seq").values_list("action", "after", "before"))
    assert entries == [
        ("required_platforms.set", {"unit": "HQ", "platforms": ["facebook", "x"]}, None),
        ("required_platforms.cleared", None, {"platforms": ["facebook", "x"], "unit": "HQ"}),
    ]


def test_only_hr_and_only_known_platforms(hr):
    unit = make_unit("HQ")
    manager = UserFactory(role=Role.MANAGER, unit=unit)
    with pytest.raises(services.PresenceRefused):
        services.set_required_platforms(unit=unit, platforms=["x"], actor=manager)
    with pytest.raises(services.PresenceRefused) as refused:
        services.set_required_platforms(unit=unit, platforms=["myspace"], actor=hr)
    assert "myspace" in refused.value.message
    assert not RequiredPlatforms.objects.exists()


def test_api_get_for_all_put_for_hr(client, hr):
    hq, finance = make_unit("HQ"), make_unit("HQ/Finance")
    client.force_login(hr)
    body = [{"unit": hq.pk, "platforms": ["x", "tiktok"]}, {"unit": finance.pk, "platforms": []}]
    response = client.put(API, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {"unit": hq.pk, "platforms": ["tiktok", "x"]},
        {"unit": finance.pk, "platforms": []},
    ]
    client.force_login(UserFactory(unit=finance))
    assert client.get(API).json() == response.json()
    assert client.put(API, [], content_type="application/json").status_code == 403
    client.force_login(hr)
    response = client.put(
        API, [{"unit": finance.pk, "platforms": None}], content_type="application/json"
    )
    assert response.json() == [{"unit": hq.pk, "platforms": ["tiktok", "x"]}]


def test_api_bad_input_writes_nothing(client, hr):
    hq = make_unit("HQ")
    client.force_login(hr)
    bad = [{"unit": hq.pk, "platforms": ["x"]}, {"unit": 999999, "platforms": ["x"]}]
    assert client.put(API, bad, content_type="application/json").status_code == 400
    bad = [{"unit": hq.pk, "platforms": ["orkut"]}]
    assert client.put(API, bad, content_type="application/json").status_code == 400
    assert not RequiredPlatforms.objects.exists()


def test_hr_page_sets_and_shows_inheritance(client, hr):
    hq, finance = make_unit("HQ"), make_unit("HQ/Finance")
    client.force_login(hr)
    response = client.post(
        "/presence/required-platforms/", {"unit": hq.pk, "platforms": ["x", "youtube"]}
    )
    assert response.status_code == 302
    page = client.get("/presence/required-platforms/").content.decode()
    assert "HQ/Finance" in page and "from HQ" in page and "YouTube" in page
    client.post("/presence/required-platforms/", {"unit": finance.pk, "platforms": []})
    assert selectors.required_platforms_for_unit(finance) == []
    client.post("/presence/required-platforms/", {"unit": finance.pk, "inherit": "on"})
    assert selectors.required_platforms_for_unit(finance) == ["x", "youtube"]


def test_the_page_opens_a_unit_with_its_own_setting(client, hr):
    finance = make_unit("HQ/Finance")
    services.set_required_platforms(unit=finance, platforms=["linkedin"], actor=hr)
    client.force_login(hr)
    page = client.get("/presence/required-platforms/", {"unit": finance.pk}).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="platforms" value="(\w+)"[^>]*checked', page)
    assert ticked == ["linkedin"]
