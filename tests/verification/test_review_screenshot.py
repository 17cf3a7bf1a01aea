"""Screenshots staff attach to their own share in review: what is accepted, and
who may see it (the owner and HR, never through a public media URL).

Actors: alice owns the share; carol is other staff; max manages alice's unit;
hana is HR.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Platform
from campaigns.models import Campaign, CampaignStatus, Share, ShareStatus
from tests.factories import HrAdminFactory, ManagerFactory, UserFactory
from tests.images import GIF, JPEG, PNG, WEBP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


@pytest.fixture
def carol():
    return UserFactory(staff_id="carol", unit="HQ/Comms")


@pytest.fixture
def max_():
    return ManagerFactory(staff_id="max", unit="HQ")


@pytest.fixture
def hana():
    return HrAdminFactory(staff_id="hana", unit="HQ")


@pytest.fixture
def share(alice):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Budget",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today,
        status=CampaignStatus.ACTIVE,
    )
    return Share.objects.create(
        staff=alice,
        campaign=campaign,
        url="https://www.facebook.com/alice/posts/1",
        normalized_url="https://www.facebook.com/alice/posts/1",
        platform=Platform.FACEBOOK,
        status=ShareStatus.NEEDS_REVIEW,
        status_reason="sampled for review",
    )


def upload(client, share, content: bytes, name: str = "shot.png", content_type="image/png"):
    return client.post(
        reverse("review:screenshot_upload", args=[share.pk]),
        {"screenshot": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.mark.parametrize(
    ("content", "content_type"),
    # A GIF's first frame is stored as PNG (sharekpi.screenshots).
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/png"), (WEBP, "image/webp")],
)
def test_owner_attaches_an_image(client, alice, share, content, content_type):
    client.force_login(alice)
    # The browser's name and type are ignored: the bytes decide.
    response = upload(client, share, content, name="whatever.txt", content_type="text/plain")

    assert response.status_code == 302
    share.refresh_from_db()
    assert share.screenshot.name.startswith("screenshots/")
    assert "whatever" not in share.screenshot.name
    served = client.get(reverse("review:screenshot", args=[share.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    # What is served is the image decoded and encoded again, not the upload's bytes.
    from PIL import Image

    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.size == (8, 6)


def test_upload_page_shows_the_share(client, alice, share):
    client.force_login(alice)
    page = client.get(reverse("review:screenshot_upload", args=[share.pk]))
    assert page.status_code == 200
    assert "sampled for review" in page.content.decode()


def test_a_file_that_is_not_an_image_is_refused(client, alice, share):
    client.force_login(alice)
    response = upload(client, share, b"<html><script>alert(1)</script></html>", name="x.png")
    assert response.status_code == 400
    assert "Only PNG, JPEG, WebP or GIF" in response.content.decode()
    share.refresh_from_db()
    assert not share.screenshot


def test_a_file_over_5_mb_is_refused(client, alice, share):
    client.force_login(alice)
    response = upload(client, share, PNG + b"\x00" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert "the limit is 5 MB" in response.content.decode()
    share.refresh_from_db()
    assert not share.screenshot


def test_only_while_in_review(client, alice, share):
    Share.objects.filter(pk=share.pk).update(status=ShareStatus.VERIFIED)
    client.force_login(alice)
    response = upload(client, share, PNG)
    assert response.status_code == 400
    share.refresh_from_db()
    assert not share.screenshot


def test_replacing_deletes_the_old_file(
    client, alice, share, media, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, share, PNG)
    share.refresh_from_db()
    first = media / share.screenshot.name
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, share, JPEG, name="b.jpg")
    share.refresh_from_db()
    assert share.screenshot.name.endswith(".jpg")
    assert not first.exists()


def test_others_cannot_upload(client, carol, max_, hana, share):
    for person in (carol, max_, hana):
        client.force_login(person)
        assert upload(client, share, PNG).status_code == 403
        assert client.get(reverse("review:screenshot_upload", args=[share.pk])).status_code == 403
    share.refresh_from_db()
    assert not share.screenshot


def test_who_may_see_the_screenshot(client, alice, carol, max_, hana, share):
    client.force_login(alice)
    upload(client, share, PNG)
    url = reverse("review:screenshot", args=[share.pk])

    assert client.get(url).status_code == 200  # the owner
    client.force_login(hana)
    assert client.get(url).status_code == 200  # HR
    for person in (carol, max_):  # other staff, even the owner's manager
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_media_url_does_not_serve_screenshots(client, alice, share):
    client.force_login(alice)
    upload(client, share, PNG)
    share.refresh_from_db()
    assert client.get("/media/" + share.screenshot.name).status_code == 404


def test_hr_sees_the_screenshot_in_the_queue(client, alice, hana, share):
    client.force_login(alice)
    upload(client, share, PNG)
    client.force_login(hana)
    page = client.get(reverse("review:review_queue")).content.decode()
    assert reverse("review:screenshot", args=[share.pk]) in page


def test_no_screenshot_is_404(client, alice, share):
    client.force_login(alice)
    assert client.get(reverse("review:screenshot", args=[share.pk])).status_code == 404
