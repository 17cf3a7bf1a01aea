"""“I follow”: staff see on My accounts and on their home page which accounts they must
have and follow, confirm (time-stamped, optional screenshot checked like share
screenshots) and take it back; an account outside their audience is refused."""

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role, SocialAccount
from audit.models import AuditEntry
from presence import services
from presence.models import FollowConfirmation
from tests.factories import UserFactory, make_unit

from .helpers import not_an_image, official, png

pytestmark = pytest.mark.django_db


def api(pk):
    return f"/api/v1/official-accounts/{pk}/follow/"


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", unit=make_unit("HQ/Comms/Digital"))


def test_confirm_and_take_back_through_the_api(client, alice):
    governor = official("governor")
    client.force_login(alice)
    with time_machine.travel("2026-03-05 09:00 +08:00", tick=False):
        response = client.post(
            api(governor.pk), {"following": True}, content_type="application/json"
        )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "official_account": governor.pk,
        "following": True,
        "confirmed_at": "2026-03-05T09:00:00+08:00",
    }
    listed = client.get("/api/v1/official-accounts/").json()
    assert listed[0]["my_follow"] == {
        "following": True,
        "confirmed_at": "2026-03-05T09:00:00+08:00",
    }
    response = client.post(api(governor.pk), {"following": False}, content_type="application/json")
    assert response.json()["following"] is False
    row = FollowConfirmation.objects.get()
    assert not row.following and row.withdrawn_at is not None
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["follow.confirmed", "follow.withdrawn"]


def test_a_screenshot_is_checked_like_share_screenshots(client, alice):
    governor = official("governor")
    client.force_login(alice)
    response = client.post(api(governor.pk), {"following": "true", "screenshot": not_an_image()})
    assert response.status_code == 400 and "PNG, JPEG" in response.json()["screenshot"][0]
    assert not FollowConfirmation.objects.exists()
    response = client.post(api(governor.pk), {"following": "true", "screenshot": png()})
    assert response.status_code == 200
    confirmation = FollowConfirmation.objects.get()
    assert confirmation.screenshot.name.endswith(".png")
    assert client.get(f"/presence/follows/{confirmation.pk}/screenshot/").status_code == 200
    client.force_login(UserFactory())  # someone else: not theirs to see
    assert client.get(f"/presence/follows/{confirmation.pk}/screenshot/").status_code == 404


def test_an_account_outside_my_audience_is_refused(client, alice):
    finance_only = official("financeoffice", units=[make_unit("HQ/Finance")])
    optional = official("optional", must_follow=False)
    client.force_login(alice)
    for account in (finance_only, optional):
        response = client.post(
            api(account.pk), {"following": True}, content_type="application/json"
        )
        assert response.status_code == 403
        assert "not one of the accounts you are asked to follow" in response.json()["detail"]
        assert client.get(f"/me/follows/{account.pk}/").status_code == 404
        assert client.post(f"/me/follows/{account.pk}/", {"following": "yes"}).status_code == 404
    with pytest.raises(services.PresenceRefused):
        services.set_follow(user=alice, official_account=finance_only, following=True)
    assert not FollowConfirmation.objects.exists()


def test_taking_back_what_was_never_confirmed_is_a_400(client, alice):
    governor = official("governor")
    client.force_login(alice)
    response = client.post(api(governor.pk), {"following": False}, content_type="application/json")
    assert response.status_code == 400 and "following" in response.json()


def test_my_accounts_and_home_show_what_i_am_asked_to_have_and_follow(client, alice):
    from presence.models import RequiredPlatforms

    RequiredPlatforms.objects.create(unit=make_unit("HQ"), platforms=["x", "tiktok"])
    SocialAccount.objects.create(user=alice, platform="x", handle="alice")
    governor = official("governor")
    client.force_login(alice)
    page = client.get("/me/accounts/").content.decode()
    assert "Accounts you are asked to have" in page and "No account yet" in page
    assert "Official accounts you are asked to follow" in page and "Not confirmed" in page
    assert f"/me/follows/{governor.pk}/" in page
    home = client.get("/").content.decode()
    assert "Social presence" in home and "1 more platform" in home
    response = client.post(f"/me/follows/{governor.pk}/", {"following": "yes", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/me/accounts/").content.decode()
    assert "You follow it" in page and "non-follower" not in page.lower()


def test_the_follow_page_takes_a_screenshot_and_takes_it_back(client, alice):
    governor = official("governor")
    client.force_login(alice)
    response = client.post(f"/me/follows/{governor.pk}/", {"following": "yes", "screenshot": png()})
    assert response.status_code == 302
    assert FollowConfirmation.objects.get().screenshot
    assert "You confirmed following" in client.get(f"/me/follows/{governor.pk}/").content.decode()
    client.post(f"/me/follows/{governor.pk}/", {"following": "no"})
    confirmation = FollowConfirmation.objects.get()
    assert not confirmation.following and not confirmation.screenshot
    bad = client.post(
        f"/me/follows/{governor.pk}/", {"following": "yes", "screenshot": not_an_image()}
    )
    assert bad.status_code == 200 and "PNG, JPEG" in bad.content.decode()


def test_an_unsafe_next_is_ignored(client, alice):
    governor = official("governor")
    client.force_login(alice)
    response = client.post(
        f"/me/follows/{governor.pk}/", {"following": "yes", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/me/accounts/"


def test_nothing_shown_without_requirements(client):
    client.force_login(UserFactory(role=Role.STAFF))
    assert "Social presence" not in client.get("/").content.decode()
    assert timezone.now()


def test_my_data_holds_my_confirmations_and_their_audit(client, alice):
    import json

    governor = official("governor")
    services.set_follow(user=alice, official_account=governor, following=True)
    client.force_login(alice)
    response = client.get("/api/v1/me/data/")
    document = json.loads(b"".join(response.streaming_content))
    assert document["follow_confirmations"][0]["official_account"]["handle"] == "governor"
    assert document["follow_confirmations"][0]["following"] is True
    assert "follow.confirmed" in {entry["action"] for entry in document["audit_entries"]}
    assert document["spot_checks"] == []
