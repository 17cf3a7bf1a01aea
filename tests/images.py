"""Real images for upload tests, made with Pillow (screenshots are decoded, so a few
magic bytes are no longer enough)."""

from __future__ import annotations

import io


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6), **save) -> bytes:
    from PIL import Image

    mode = "RGB" if fmt in ("JPEG",) else "RGBA"
    image = Image.new(mode, size, (200, 30, 40) if mode == "RGB" else (200, 30, 40, 255))
    if fmt == "GIF":
        image = image.convert("P")
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP")
