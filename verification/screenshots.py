"""Screenshots staff attach to their shares in review and to their appeals: checked by
their bytes, seen only by their owner and HR."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Share, ShareStatus

# The byte checks are shared with the ownership proofs of accounts (sharekpi.screenshots).
from sharekpi.screenshots import (  # noqa: F401 - re-exported, public here as before
    SCREENSHOT_TYPES,
    CleanScreenshot,
    ScreenshotRefused,
    check_screenshot,
    clean_screenshot,
    open_image,
    screenshot_max_bytes,
    screenshot_type,
)


def checked_image(upload) -> CleanScreenshot:
    """An uploaded screenshot decoded, checked and encoded again: store its
    ``content`` under its ``extension`` (ScreenshotRefused says what is wrong).
    Shares in review and appeals alike."""
    return clean_screenshot(upload)


def may_see_screenshot(user: User, share: Share) -> bool:
    return bool(user.is_authenticated and (user.pk == share.staff_id or user.is_hr_admin))


@transaction.atomic
def attach_screenshot(*, share: Share, staff: User, upload) -> Share:
    """Save an image the owner of a share in review took of their post."""
    locked = Share.objects.select_for_update().get(pk=share.pk)
    if locked.staff_id != staff.pk:
        raise ScreenshotRefused(_("Only the person who logged this share may add a screenshot."))
    if locked.status != ShareStatus.NEEDS_REVIEW:
        raise ScreenshotRefused(
            _(
                "A screenshot can be added only while the share is waiting for review "
                "(this one is %(status)s)."
            )
            % {"status": locked.get_status_display().lower()}
        )
    clean = checked_image(upload)
    old_name = locked.screenshot.name
    locked.screenshot.save(
        f"share-{locked.pk}-{uuid.uuid4().hex}.{clean.extension}", clean.content, save=False
    )
    locked.save(update_fields=["screenshot", "updated_at"])
    if old_name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return locked
