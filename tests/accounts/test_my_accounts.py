"""My accounts API: add by handle / profile URL, post URL refused, someone else's 409,
replace and delete keep history."""

import pytest

from accounts.models import SocialAccount, SocialAccountChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/accounts/"


def test_add_replace_delete_keep_history(client):
    alice = UserFactory(staff_id="alice")
    client.force_login(alice)
    r = client.post(URL, {"platform": "tiktok", "handle": "https://www.tiktok.com/@Alice.T"})
    assert r.status_code == 201, r.json()
    assert r.json()["handle"] == "alice.t" and r.json()["proof_code"].startswith("SKPI-")
    r = client.post(URL, {"platform": "tiktok", "handle": "@alice2"})
    assert r.status_code == 201
    pk = r.json()["id"]
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not SocialAccount.objects.filter(user=alice).exists()
    changes = list(SocialAccountChange.objects.filter(user=alice).values_list("change", flat=True))
    assert changes == ["added", "replaced", "removed"]


def test_post_url_refused_and_someone_elses_is_409(client):
    bob = UserFactory(staff_id="bob")
    SocialAccount.objects.create(user=bob, platform="x", handle="bobby")
    client.force_login(UserFactory(staff_id="alice"))
    r = client.post(URL, {"platform": "x", "handle": "https://x.com/a/status/1790123456789012345"})
    assert r.status_code == 400 and "a post, not a profile" in r.json()["handle"][0]
    assert client.post(URL, {"platform": "x", "handle": "@Bobby"}).status_code == 409
