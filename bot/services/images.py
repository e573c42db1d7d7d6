"""Checks an uploaded screenshot before anything of it is stored."""

import hashlib
import io
from dataclasses import dataclass

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from diary.refusal import Refusal

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 8192
FORMATS = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class Image:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


UNREADABLE = Refusal("The screenshot is not a readable WebP, JPEG or PNG image.")


def inspect(data: bytes) -> Image | Refusal:
    """The image if it is a real WebP, JPEG or PNG of sane size; a refusal saying why not."""
    if len(data) > MAX_BYTES:
        return Refusal(f"The screenshot is larger than {MAX_BYTES // 1024 // 1024} MB.", "too_large")
    try:
        # Only our three formats are tried: Pillow would otherwise try dozens of others first.
        with PILImage.open(io.BytesIO(data), formats=tuple(FORMATS)) as picture:
            kind, (width, height) = picture.format, picture.size
            picture.verify()  # reads the whole file: a truncated image fails here
    except UnidentifiedImageError:
        return _unaccepted(data)
    except PILImage.DecompressionBombError:  # far beyond MAX_SIDE: Pillow will not even open it
        return Refusal("The screenshot's size is out of bounds.")
    except (OSError, SyntaxError, ValueError):
        return UNREADABLE
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return Refusal(f"The screenshot's size {width}x{height} is out of bounds.")
    return Image(data, FORMATS[kind], width, height, hashlib.sha256(data).hexdigest())


def _unaccepted(data: bytes) -> Refusal:
    """Why a file that is none of our formats is refused: named, when it is another image."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return UNREADABLE
    return Refusal(f"Screenshots must be WebP, JPEG or PNG, not {kind}.")
