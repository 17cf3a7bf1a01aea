"""Screenshots staff attach to their shares in review: checked by their bytes, seen
only by their owner and HR."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from campaigns.models import Share, ShareStatus

# The byte checks are shared with the ownership proofs of accounts (sharekpi.screenshots).
from sharekpi.screenshots import (  # noqa: F401 - re-exported, public here as before
    SCREENSHOT_TYPES,
    ScreenshotRefused,
    screenshot_max_bytes,
    screenshot_type,
)


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
    old_name = locked.screenshot.name
    locked.screenshot.save(f"share-{locked.pk}-{uuid.uuid4().hex}.{kind[0]}", upload, save=False)
    locked.save(update_fields=["screenshot", "updated_at"])
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return locked


def open_screenshot(share: Share):
    """(file, content type) of a share's screenshot; the type is read from its bytes."""
    handle = share.screenshot.open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = screenshot_type(head)
    return handle, (kind[1] if kind else "application/octet-stream")
