"""HR configures the follower API keys in the admin: the key is written, never shown
back, kept when left empty, and every change is audited; snapshots and drives are
read-only there (they are entered on /presence/official/, validated and audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from presence.models import FollowerApiKey

pytestmark = pytest.mark.django_db


def test_hr_saves_a_key_that_is_never_shown_back(client, hr):
    client.force_login(hr)
    add = reverse("admin:presence_followerapikey_add")
    response = client.post(add, {"platform": "youtube", "secret": "AIza-secret", "enabled": "on"})
    assert response.status_code == 302
    key = FollowerApiKey.objects.get()
    assert key.secret == "AIza-secret" and key.updated_by == hr
    change = reverse("admin:presence_followerapikey_change", args=[key.pk])
    page = client.get(change).content.decode()
    assert "AIza-secret" not in page
    client.post(change, {"platform": "youtube", "secret": "", "enabled": ""})
    key.refresh_from_db()
    assert key.secret == "AIza-secret" and not key.enabled
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["follower_api_key.added", "follower_api_key.changed"]
    assert all("AIza-secret" not in str(e.after) for e in AuditEntry.objects.all())


def test_only_youtube_and_x_and_a_key_is_needed(client, hr):
    client.force_login(hr)
    add = reverse("admin:presence_followerapikey_add")
    refused = client.post(add, {"platform": "facebook", "secret": "x", "enabled": "on"})
    assert refused.status_code == 200 and "YouTube and X only" in refused.content.decode()
    empty = client.post(add, {"platform": "x", "secret": "", "enabled": "on"})
    assert empty.status_code == 200 and "Enter the key" in empty.content.decode()
    assert not FollowerApiKey.objects.exists()


def test_snapshots_and_drives_are_read_only_in_the_admin(client, hr):
    client.force_login(hr)
    assert client.get(reverse("admin:presence_followersnapshot_changelist")).status_code == 200
    assert client.get(reverse("admin:presence_followersnapshot_add")).status_code == 403
    assert client.get(reverse("admin:presence_followdrive_add")).status_code == 403


def test_official_page_shows_the_fetch_status_to_hr(client, hr):
    FollowerApiKey.objects.create(platform="x", secret="t", last_error="@gov: refused")
    client.force_login(hr)
    html = client.get(reverse("growth:official")).content.decode()
    assert "key configured" in html and "@gov: refused" in html
    assert "no key: nothing is fetched" in html  # YouTube


def test_dashboard_tile_links_to_the_report(client, hr):
    client.force_login(hr)
    html = client.get(reverse("dashboard:dashboard")).content.decode()
    assert f'href="{reverse("compliance:report")}"' in html
    assert reverse("growth:official") in html
