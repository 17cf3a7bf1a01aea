"""What an uploaded screenshot must be, checked by its bytes: pure checks every app
may use (verification for shares and appeals, accounts for ownership proofs).

The file's own name and the browser's content type are never trusted.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

# Magic bytes → (extension, content type).
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


def check_screenshot(upload) -> tuple[str, str]:
    """(extension, content type) of an uploaded image; ScreenshotRefused says why not."""
    limit = screenshot_max_bytes()
    if upload.size == 0:
        raise ScreenshotRefused(_("The file is empty."))
    if upload.size > limit:
        raise ScreenshotRefused(
            _(
                "The file is %(size).1f MB; the limit is %(limit).0f MB. "
                "Crop the screenshot or save it as JPEG."
            )
            % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )
    upload.seek(0)
    kind = screenshot_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise ScreenshotRefused(
            _("Only PNG, JPEG, WebP or GIF images can be attached, and this file is none of them.")
        )
    return kind


def open_image(field_file):
    """(file, content type) of a stored screenshot; the type is read from its bytes."""
    handle = field_file.open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = screenshot_type(head)
    return handle, (kind[1] if kind else "application/octet-stream")
