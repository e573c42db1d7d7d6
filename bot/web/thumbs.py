"""Small copies of screenshots for the diary grid: a phone should not fetch sixty full screens."""

import io

from PIL import Image

THUMB_BOX = (360, 225)  # 16:10, twice the cell's width on a laptop for sharp high-DPI screens


def thumbnail(data: bytes) -> bytes:
    """A WebP no larger than THUMB_BOX; the input was checked (format and size) when it was uploaded."""
    with Image.open(io.BytesIO(data)) as picture:
        picture.draft("RGB", (THUMB_BOX[0] * 2, THUMB_BOX[1] * 2))  # JPEG decodes at a lower scale
        picture.thumbnail(THUMB_BOX)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "WEBP", quality=70, method=4)
    return out.getvalue()
