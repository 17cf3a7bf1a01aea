"""Screenshots are decoded and encoded again (sharekpi.screenshots): the type comes
from the decoded image, metadata is not kept, polyglots and decompression bombs are
refused, and what is stored is only the pixels."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sharekpi.screenshots import ScreenshotRefused, clean_screenshot
from tests.images import GIF, JPEG, PNG, WEBP, image_bytes


def upload(content: bytes, name: str = "shot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def decoded(content: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(content))
    image.load()
    return image


@pytest.mark.parametrize(
    ("content", "extension", "content_type"),
    [
        (PNG, "png", "image/png"),
        (JPEG, "jpg", "image/jpeg"),
        (WEBP, "webp", "image/webp"),
        (GIF, "png", "image/png"),
    ],
)
def test_the_type_comes_from_the_decoded_image(content, extension, content_type):
    clean = clean_screenshot(upload(content, name="holiday.jpg"))
    assert (clean.extension, clean.content_type) == (extension, content_type)
    assert decoded(clean.content.read()).size == (8, 6)


def test_metadata_is_not_kept():
    from PIL import Image, PngImagePlugin

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (3.0, 8.0, 0.0)}  # GPS latitude
    photo = image_bytes("JPEG", exif=exif.tobytes(), comment=b"secret comment")
    assert b"PhoneMaker" in photo
    stored = clean_screenshot(upload(photo)).content.read()
    assert b"PhoneMaker" not in stored and b"secret comment" not in stored
    assert not decoded(stored).getexif()

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "alice@example.com")
    png = image_bytes("PNG", pnginfo=text)
    stored = clean_screenshot(upload(png)).content.read()
    assert b"alice@example.com" not in stored
    assert "Author" not in decoded(stored).info


def test_the_orientation_of_a_photo_is_applied_before_its_exif_is_dropped():
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    photo = image_bytes("JPEG", size=(40, 10), exif=exif.tobytes())
    clean = clean_screenshot(upload(photo))
    assert (clean.width, clean.height) == (10, 40)


@pytest.mark.parametrize(
    "content",
    [
        PNG + b"<script>alert(1)</script>",
        b"GIF89a/*\x00\x00\x00\x00*/=1;alert(1)//",  # a GIF/JavaScript polyglot
        JPEG + b"<html><body>hello</body></html>",
        PNG + b"<?php system($_GET['c']); ?>",
    ],
)
def test_polyglots_are_refused(content):
    with pytest.raises(ScreenshotRefused):
        clean_screenshot(upload(content))


def test_whatever_rides_behind_the_image_is_not_stored():
    zip_tail = b"PK\x03\x04" + b"payload-that-is-not-an-image" * 10
    stored = clean_screenshot(upload(PNG + zip_tail)).content.read()
    assert b"payload-that-is-not-an-image" not in stored
    assert decoded(stored).size == (8, 6)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header says width x height: what a decompression bomb looks
    like before it is unpacked."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    header = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 1024)
    body = b"IDAT" + idat
    data = struct.pack(">I", len(idat)) + body + struct.pack(">I", zlib.crc32(body))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + header + data + end


@pytest.mark.parametrize("size", [(100_000, 100_000), (20_000, 20_000), (6_000, 5_000)])
def test_decompression_bombs_are_refused_before_they_are_unpacked(size):
    with pytest.raises(ScreenshotRefused, match="too large in pixels"):
        clean_screenshot(upload(png_claiming(*size)))


def test_the_pixel_cap_is_a_setting(settings):
    settings.SHAREKPI_SCREENSHOT_MAX_PIXELS = 1000
    with pytest.raises(ScreenshotRefused, match="too large in pixels"):
        clean_screenshot(upload(image_bytes("PNG", size=(50, 50))))
    settings.SHAREKPI_SCREENSHOT_MAX_PIXELS = 2500
    assert clean_screenshot(upload(image_bytes("PNG", size=(50, 50)))).width == 50


@pytest.mark.parametrize(
    "content",
    [
        PNG[: len(PNG) // 2],  # truncated
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 80,  # the magic bytes and nothing real
        b"\xff\xd8\xff\xe0" + b"not a jpeg at all" * 5,
        b"%PDF-1.4 not an image",
        b"",
    ],
)
def test_what_does_not_decode_is_refused(content):
    with pytest.raises(ScreenshotRefused):
        clean_screenshot(upload(content))
