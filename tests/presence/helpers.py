"""Small arrangements shared by the presence tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import OfficialAccount
from presence.models import FollowRequirement
from tests.images import PNG  # a real image: screenshots are decoded


def png(name: str = "follow.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def not_an_image(name: str = "follow.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 not an image", content_type="image/png")


def official(handle: str = "governor", *, platform: str = "x", units=(), must_follow=True):
    """An official account that ``units`` (none: everyone) must follow."""
    account = OfficialAccount.objects.create(
        platform=platform,
        handle=handle,
        name=handle.title(),
        profile_url=f"https://x.com/{handle}",
    )
    requirement = FollowRequirement.objects.create(
        official_account=account, must_follow=must_follow
    )
    requirement.units.set(units)
    return account
