"""Screenshots staff attach to their shares in review: checked by their bytes, seen
only by their owner and HR."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from campaigns.models import Share, ShareStatus

# Magic bytes → (extension, content type). The file's own name and the browser's
# content type are never trusted.
SCREENSHOT_TYPES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png", "image/png"),
    (b"\xff\xd8\xff", 0, "jpg", "image/jpeg"),
    (b"GIF87a", 0, "gif", "image/gif"),
    (b"GIF89a", 0, "gif", "image/gif"),
)


def screenshot_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of an image from its first bytes, or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    for magic, offset, ext, content_type in SCREENSHOT_TYPES:
        if head[offset : offset + len(magic)] == magic:
            return ext, content_type
    return None


def screenshot_max_bytes() -> int:
    return int(getattr(settings, "SHAREKPI_SCREENSHOT_MAX_BYTES", 5 * 1024 * 1024))


class ScreenshotRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def checked_image(upload) -> str:
    """The file extension of an uploaded screenshot, checked by its size and its bytes
    (ScreenshotRefused says what is wrong). Shares in review and appeals alike."""
    limit = screenshot_max_bytes()
    if upload.size == 0:
        raise ScreenshotRefused("The file is empty.")
    if upload.size > limit:
        raise ScreenshotRefused(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{limit / 1024 / 1024:.0f} MB. Crop the screenshot or save it as JPEG."
        )
    upload.seek(0)
    kind = screenshot_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ScreenshotRefused(
            "Only PNG, JPEG, WebP or GIF images can be attached, and this file is none of them."
        )
    return kind[0]


def may_see_screenshot(user: User, share: Share) -> bool:
    return bool(user.is_authenticated and (user.pk == share.staff_id or user.is_hr_admin))


@transaction.atomic
def attach_screenshot(*, share: Share, staff: User, upload) -> Share:
    """Save an image the owner of a share in review took of their post."""
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.staff_id != staff.pk:
        raise ScreenshotRefused("Only the person who logged this share may add a screenshot.")
    if locked.status != ShareStatus.NEEDS_REVIEW:
        raise ScreenshotRefused(
            "A screenshot can be added only while the share is waiting for review "
            f"(this one is {locked.get_status_display().lower()})."
        )
    ext = checked_image(upload)
    old_name = locked.screenshot.name
    locked.screenshot.save(f"share-{locked.pk}-{uuid.uuid4().hex}.{ext}", upload, save=False)
    locked.save(update_fields=["screenshot", "updated_at"])
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return locked


def open_screenshot(share: Share, field=None):
    """(file, content type) of a share's screenshot (or of another file field, e.g. an
    appeal's); the type is read from its bytes."""
    handle = (share.screenshot if field is None else field).open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = screenshot_type(head)
    return handle, (kind[1] if kind else "application/octet-stream")
