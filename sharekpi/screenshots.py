"""What an uploaded screenshot must be, checked by decoding it: pure checks every app
may use (verification for shares and appeals, accounts for ownership proofs).

The file's own name and the browser's content type are never trusted, nor are its
bytes kept: Pillow decodes the image (after its size in pixels is checked against
SHAREKPI_SCREENSHOT_MAX_PIXELS, so a decompression bomb is refused before it is
unpacked) and the pixels are encoded again into a new file of the type the decoder
found. Whatever else the upload carried (EXIF with the phone's location, comments,
a script or an archive appended to make a polyglot) is not in what is stored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

# Magic bytes → (extension, content type): the first, cheap gate (and how stored
# files are served), before the decoder has the last word.
SCREENSHOT_TYPES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "png", "image/png"),
    (b"\xff\xd8\xff", 0, "jpg", "image/jpeg"),
    (b"GIF87a", 0, "gif", "image/gif"),
    (b"GIF89a", 0, "gif", "image/gif"),
)

# What Pillow may decode, and what each decoded type is stored as (extension, content
# type, Pillow format). A GIF's first frame is stored as PNG: lossless, and a
# screenshot needs no animation.
DECODED_TYPES = {
    "PNG": ("png", "image/png", "PNG"),
    "JPEG": ("jpg", "image/jpeg", "JPEG"),
    "WEBP": ("webp", "image/webp", "WEBP"),
    "GIF": ("png", "image/png", "PNG"),
}
# Markers of markup or code inside an image file: a polyglot meant to be read as
# something else too. Refused, although re-encoding would drop them anyway. (Long
# markers only: short ones turn up by chance in the compressed data of big photos.)
POLYGLOT_MARKERS = (b"<script", b"<html", b"<?php", b"<!doctype", b"<iframe")


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


def screenshot_max_pixels() -> int:
    return int(getattr(settings, "SHAREKPI_SCREENSHOT_MAX_PIXELS", 25_000_000))


class ScreenshotRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanScreenshot:
    """An accepted screenshot: the re-encoded file to store, and its type."""

    extension: str
    content_type: str
    content: ContentFile
    width: int
    height: int


def _not_an_image() -> ScreenshotRefused:
    return ScreenshotRefused(
        _("Only PNG, JPEG, WebP or GIF images can be attached, and this file is none of them.")
    )


def clean_screenshot(upload) -> CleanScreenshot:
    """The uploaded image decoded and encoded again (see the module's docstring);
    ScreenshotRefused says why not."""
    from PIL import Image, ImageOps, UnidentifiedImageError

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
    data = upload.read(limit + 1)
    upload.seek(0)
    if screenshot_type(data[:16]) is None:
        raise _not_an_image()
    lowered = data.lower()
    if any(marker in lowered for marker in POLYGLOT_MARKERS):
        raise ScreenshotRefused(
            _("This file holds more than an image (markup or code). Attach a plain screenshot.")
        )
    max_pixels = screenshot_max_pixels()
    too_big = ScreenshotRefused(
        _(
            "The image is too large in pixels (at most %(limit)s million). "
            "Crop the screenshot or make it smaller."
        )
        % {"limit": f"{max_pixels / 1_000_000:g}"}
    )
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns (or raises) at its global limit; ours is lower.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(DECODED_TYPES))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_big from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _not_an_image() from None
        with image:
            if image.width * image.height > max_pixels:
                raise too_big
            if image.width < 1 or image.height < 1:
                raise _not_an_image()
            try:
                image.seek(0)
                image.load()
                # A photo's orientation lives in its EXIF, which is not kept: apply it.
                decoded = ImageOps.exif_transpose(image)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise too_big from None
            except (OSError, SyntaxError, ValueError, EOFError, KeyError, IndexError):
                raise _not_an_image() from None
            extension, content_type, save_as = DECODED_TYPES[image.format]
    return CleanScreenshot(
        extension=extension,
        content_type=content_type,
        content=ContentFile(_encode(decoded, save_as)),
        width=decoded.width,
        height=decoded.height,
    )


def _encode(image, save_as: str) -> bytes:
    """Only the pixels, in a new file: a fresh image has no metadata to carry over."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if save_as == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = ("LA" if image.mode in ("L", "LA", "1") else "RGBA") if has_alpha else None
        mode = mode or ("L" if image.mode in ("L", "1") else "RGB")
    pixels = image.convert(mode)
    fresh = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {"optimize": False}}
    fresh.save(out, format=save_as, **options[save_as])
    return out.getvalue()


def check_screenshot(upload) -> tuple[str, str]:
    """(extension, content type) an uploaded image would be stored as;
    ScreenshotRefused says why not. Store ``clean_screenshot(upload).content``,
    never the upload itself."""
    clean = clean_screenshot(upload)
    return clean.extension, clean.content_type


def open_image(field_file):
    """(file, content type) of a stored screenshot; the type is read from its bytes."""
    handle = field_file.open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = screenshot_type(head)
    return handle, (kind[1] if kind else "application/octet-stream")


def screenshot_response(field_file, *, filename: str):
    """A stored screenshot as the answer to the person allowed to see it (the caller
    checked that): shown inline, typed from its bytes, never sniffed, cached privately
    only, sandboxed; a file gone from storage is a 404."""
    from django.http import FileResponse, Http404

    try:
        handle, content_type = open_image(field_file)
    except FileNotFoundError:
        raise Http404("No screenshot") from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
