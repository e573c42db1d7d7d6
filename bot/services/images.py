"""Checks an uploaded screenshot before anything of it is stored, and keeps or makes its thumbnail.

An agent sends the grid's thumbnail beside the screenshot. Then only the screenshot's header is
read (format and size, bounded before anything is decoded), its ending shows that it is whole,
and only the small thumbnail is decoded (at most THUMB_BOX, MAX_THUMB_BYTES) and stored as sent:
decoding every screenshot at ingest cost the server about 30 ms of CPU per slot, the agent has
the picture at hand anyway. An agent that sends no thumbnail (or a broken one) gets the server's:
one bounded decode (at most MAX_PIXELS, JPEGs at a reduced scale), which is also the proof that
the file is whole. Either way the diary pages serve the stored thumbnail; they never decode a
screenshot per request.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from diary.refusal import Refusal

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 8192
# All monitors side by side: three 4K screens are 25 million pixels. An 8192x8192 PNG of a few
# hundred KB would need ~270 MB to decode: refused before any decoding.
MAX_PIXELS = 40_000_000
FORMATS = {"WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"image/webp": "webp", "image/jpeg": "jpg", "image/png": "png"}
THUMB_BOX = (360, 225)  # 16:10, twice the grid cell's width on a laptop, for sharp high-DPI screens
THUMB_TYPE = "image/webp"
# The agent's thumbnail: a WebP inside THUMB_BOX is 5-20 KB; anything larger is not one.
MAX_THUMB_BYTES = 64 * 1024


@dataclass(frozen=True)
class Image:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    thumbnail: bytes | None = None  # a WebP within THUMB_BOX, stored beside the screenshot
    # Set for an image the agent has already put in the bucket (a direct upload): `data` is empty.
    stored_key: str | None = None
    stored_size: int = 0

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return self.stored_size if self.stored_key else len(self.data)


def screenshot_key(contract_id: int, start: datetime, sha256: str, extension: str) -> str:
    """Where a slot's screenshot is stored: by contract and time, so a contract's files sit together."""
    return f"{contract_id}/{start.astimezone(UTC):%Y/%m/%d/%H%M%S}-{sha256[:16]}.{extension}"


UNREADABLE = Refusal("The screenshot is not a readable WebP, JPEG or PNG image.")


def thumbnail_key(blob_key: str) -> str:
    """Where a screenshot's thumbnail is stored: beside it, so whoever deletes one finds the other."""
    return f"{blob_key}.thumb.webp"


def delete_files(blobs, blob_key: str) -> None:
    """A screenshot's files: the image and its thumbnail (absent ones are no error in any store)."""
    blobs.delete(blob_key)
    blobs.delete(thumbnail_key(blob_key))


def inspect(data: bytes, sent_thumbnail: bytes | None = None) -> Image | Refusal:
    """The image, with its thumbnail, if it is a real WebP, JPEG or PNG of sane size; else why not.
    A good `sent_thumbnail` (the agent's) is kept and the screenshot is not decoded."""
    if len(data) > MAX_BYTES:
        return Refusal(f"The screenshot is larger than {MAX_BYTES // 1024 // 1024} MB.", "too_large")
    try:
        # Only our three formats are tried: Pillow would otherwise try dozens of others first.
        with PILImage.open(io.BytesIO(data), formats=tuple(FORMATS)) as picture:
            kind, (width, height) = picture.format, picture.size  # the header only: nothing decoded yet
            refusal = _check_size(width, height)
            if refusal:
                return refusal
            small = checked_thumbnail(sent_thumbnail, (width, height)) if sent_thumbnail else None
            if small is None:
                small = _shrink(picture)  # the one decode: reads the whole file, so a truncated one fails here
            elif not ends_whole(kind, data):
                return UNREADABLE
    except UnidentifiedImageError:
        return _unaccepted(data)
    except PILImage.DecompressionBombError:  # far beyond MAX_SIDE: Pillow will not even open it
        return Refusal("The screenshot's size is out of bounds.")
    except (OSError, SyntaxError, ValueError):
        return UNREADABLE
    return Image(data, FORMATS[kind], width, height, hashlib.sha256(data).hexdigest(), small)


def checked_thumbnail(data: bytes, screen: tuple[int, int]) -> bytes | None:
    """The agent's thumbnail as sent, if it is a whole, still WebP inside THUMB_BOX with the
    screenshot's proportions; None otherwise (the server then makes its own)."""
    if len(data) > MAX_THUMB_BYTES:
        return None
    try:
        with PILImage.open(io.BytesIO(data), formats=("WEBP",)) as picture:
            if getattr(picture, "n_frames", 1) != 1 or not _fits(picture.size, screen):
                return None
            picture.load()  # at most 81,000 pixels: the proof that it is whole
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    return data


def _fits(size: tuple[int, int], screen: tuple[int, int]) -> bool:
    (width, height), (screen_width, screen_height) = size, screen
    if not (0 < width <= THUMB_BOX[0] and 0 < height <= THUMB_BOX[1]):
        return False
    # Shrinking rounds each side to a whole pixel: the proportions may differ by a pixel or two.
    return abs(width * screen_height - height * screen_width) <= 2 * max(screen_width, screen_height)


# What every whole file of each format ends with (or, for WebP, how long its header says it is):
# without a decode, this is what shows that a screenshot was not cut short on its way.
JPEG_END, PNG_END = b"\xff\xd9", b"IEND\xaeB`\x82"


def ends_whole(kind: str, data: bytes) -> bool:
    if kind == "JPEG":
        return JPEG_END in data[-64:]  # encoders may pad after the end marker
    if kind == "PNG":
        return data.endswith(PNG_END)
    return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)  # RIFF: its own length


def _check_size(width: int, height: int) -> Refusal | None:
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or width * height > MAX_PIXELS:
        return Refusal(f"The screenshot's size {width}x{height} is out of bounds "
                       f"(at most {MAX_SIDE} pixels a side and {MAX_PIXELS // 1_000_000} million in all).")
    return None


def _shrink(picture: PILImage.Image) -> bytes:
    # A JPEG (what the agent sends) decodes straight at the smallest scale that still covers the
    # box, and the WebP is written with its fastest method: a grid cell does not need more, and
    # this runs once per upload on the ingest path.
    picture.draft("RGB", THUMB_BOX)
    picture.thumbnail(THUMB_BOX)
    out = io.BytesIO()
    picture.convert("RGB").save(out, "WEBP", quality=70, method=0)
    return out.getvalue()


def thumbnail(data: bytes) -> bytes | None:
    """The thumbnail of a stored screenshot that has none yet (uploaded before thumbnails were
    made at ingest); None if it cannot be made within the bounds above."""
    try:
        with PILImage.open(io.BytesIO(data), formats=tuple(FORMATS)) as picture:
            return None if _check_size(*picture.size) else _shrink(picture)
    except (UnidentifiedImageError, PILImage.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None


def _unaccepted(data: bytes) -> Refusal:
    """Why a file that is none of our formats is refused: named, when it is another image."""
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return UNREADABLE
    return Refusal(f"Screenshots must be WebP, JPEG or PNG, not {kind}.")
