"""Small arrangements shared by the presence tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import OfficialAccount
from presence.models import FollowRequirement

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


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
