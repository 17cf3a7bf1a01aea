"""Must-follow official accounts: HR adds them (parsed by the platform rules), with an
audience from the org tree; a post link, a staff member's own handle or a duplicate is
refused with a message; staff see those they must follow, with my_follow."""

import pytest

from accounts.models import Role, SocialAccount
from audit.models import AuditEntry
from campaigns.models import OfficialAccount
from presence import selectors, services
from presence.models import FollowRequirement
from tests.factories import UserFactory, make_unit

from .helpers import official

pytestmark = pytest.mark.django_db
API = "/api/v1/official-accounts/"
PAGE = "/presence/must-follow/"


@pytest.fixture
def hr():
    return UserFactory(staff_id="hana", role=Role.HR_ADMIN)


def test_hr_adds_one_from_a_profile_link_with_an_audience(client, hr):
    comms = make_unit("HQ/Comms")
    client.force_login(hr)
    response = client.post(
        API,
        {
            "platform": "x",
            "handle": "https://twitter.com/Governor_Prov?s=20",
            "name": "Governor",
            "units": [comms.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "platform": "x",
        "handle": "governor_prov",
        "name": "Governor",
        "profile_url": "https://x.com/governor_prov",
        "must_follow": True,
        "units": [comms.pk],
        "my_follow": None,
    }
    entry = AuditEntry.objects.get(action="official_account.created")
    assert entry.after["units"] == ["HQ/Comms"] and entry.after["handle"] == "governor_prov"


def test_a_post_link_is_refused_with_a_message(client, hr):
    client.force_login(hr)
    post = "https://x.com/governor/status/1790123456789012345"
    response = client.post(API, {"platform": "x", "handle": post, "name": "Governor"})
    assert response.status_code == 400
    assert "a post, not a profile" in response.json()["handle"][0]
    response = client.post(PAGE, {"platform": "x", "handle": post, "name": "Governor"})
    assert response.status_code == 200 and "a post, not a profile" in response.content.decode()
    assert not OfficialAccount.objects.exists()


def test_a_staff_members_own_handle_is_refused(client, hr):
    SocialAccount.objects.create(user=UserFactory(), platform="tiktok", handle="alice.t")
    client.force_login(hr)
    response = client.post(API, {"platform": "tiktok", "handle": "@Alice.T", "name": "Gov"})
    assert response.status_code == 409
    assert "registered as a staff member's own account" in response.json()["detail"]
    response = client.post(PAGE, {"platform": "tiktok", "handle": "alice.t", "name": "Gov"})
    assert "registered as a staff member&#x27;s own account" in response.content.decode()
    assert not OfficialAccount.objects.exists()


def test_the_same_official_account_twice_is_refused(client, hr):
    official("governor")
    client.force_login(hr)
    response = client.post(API, {"platform": "x", "handle": "@GOVERNOR", "name": "Again"})
    assert (
        response.status_code == 409 and "already an official account" in response.json()["detail"]
    )


def test_only_hr_may_add(client):
    for role in (Role.STAFF, Role.MANAGER):
        client.force_login(UserFactory(role=role))
        response = client.post(API, {"platform": "x", "handle": "gov", "name": "Gov"})
        assert response.status_code == 403
    with pytest.raises(services.PresenceRefused):
        services.save_official_account(
            actor=UserFactory(role=Role.MANAGER), platform="x", handle="gov", name="Gov"
        )
    assert not OfficialAccount.objects.exists()


def test_audience_includes_the_units_below_and_none_means_everyone():
    comms, finance = make_unit("HQ/Comms"), make_unit("HQ/Finance")
    digital = make_unit("HQ/Comms/Digital")
    everyone = official("province")
    comms_only = official("commsoffice", units=[comms])
    official("optional", must_follow=False)
    in_digital, in_finance = UserFactory(unit=digital), UserFactory(unit=finance)
    assert list(selectors.must_follow_for(in_digital)) == [comms_only, everyone]
    assert list(selectors.must_follow_for(in_finance)) == [everyone]
    assert list(selectors.must_follow_for(UserFactory(unit=None))) == [everyone]


def test_staff_get_those_they_must_follow_hr_and_managers_all(client):
    comms, finance = make_unit("HQ/Comms"), make_unit("HQ/Finance")
    official("province")
    official("commsoffice", units=[comms])
    client.force_login(UserFactory(unit=finance))
    assert [row["handle"] for row in client.get(API).json()] == ["province"]
    client.force_login(UserFactory(unit=finance, role=Role.MANAGER))
    assert {row["handle"] for row in client.get(API).json()} == {"province", "commsoffice"}


def test_hr_edits_the_audience_and_it_is_audited(client, hr):
    comms = make_unit("HQ/Comms")
    account = official("governor")
    client.force_login(hr)
    response = client.post(
        f"/presence/must-follow/{account.pk}/edit/",
        {
            "platform": "x",
            "handle": "governor",
            "name": "Governor",
            "must_follow": "on",
            "units": [comms.pk],
        },
    )
    assert response.status_code == 302
    assert list(FollowRequirement.objects.get(official_account=account).units.all()) == [comms]
    entry = AuditEntry.objects.get(action="official_account.updated")
    assert entry.before["units"] == [] and entry.after["units"] == ["HQ/Comms"]
    page = client.get(PAGE).content.decode()
    assert "HQ/Comms" in page and "@governor" in page
