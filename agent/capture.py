"""The slot screenshot: every monitor, downscaled, blurred on the device when asked, compact.

Everything happens in memory; the bytes returned are the first and only form that is ever
written or sent, so a `blur` contract never has a sharp copy on disk.
"""

import ctypes
import io

from PIL import Image

from diary.terms import Screenshots

TARGET_WIDTH = 1280
MAX_BYTES = 90 * 1024
QUALITIES = (60, 45, 30)  # tried in turn until the image fits MAX_BYTES
BLUR_FACTOR = 12  # blur = shrink by this much and enlarge again: text becomes unreadable, layout stays


def take_screenshot(mode: Screenshots) -> bytes | None:
    if mode == Screenshots.OFF:
        return None
    screen = grab_all_monitors()
    image = blur(screen, target_size(screen.size)) if mode == Screenshots.BLUR else shrink(screen)
    data = encode(image)
    _give_back_memory()
    return data


def grab_all_monitors() -> Image.Image:
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss  # mss.MSS from 10.2 on, the factory before
    with factory() as screen:
        shot = screen.grab(screen.monitors[0])  # monitor 0 is the box around all of them
    return Image.frombuffer("RGB", shot.size, shot.raw, "raw", "BGRX", 0, 1)


def target_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if width <= TARGET_WIDTH:
        return size
    return TARGET_WIDTH, max(1, round(height * TARGET_WIDTH / width))


def shrink(image: Image.Image) -> Image.Image:
    """About 1280 px wide; BOX averages the pixels it drops and is the cheapest filter that does."""
    size = target_size(image.size)
    return image if size == image.size else image.resize(size, Image.Resampling.BOX, reducing_gap=2.0)


def blur(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Straight from the full screen to a few dozen pixels a row, then up to `size`: no sharp copy in between."""
    factor = max(1, round(image.width * BLUR_FACTOR / size[0]))
    return image.reduce(min(factor, *image.size)).resize(size, Image.Resampling.BILINEAR)


def encode(image: Image.Image) -> bytes:
    for quality in QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= MAX_BYTES:
            break
    return out.getvalue()


THUMB_BOX = (360, 225)  # the server's grid thumbnail: twice a grid cell, for high-DPI screens


def thumbnail(jpeg: bytes) -> tuple[bytes, tuple[int, int]]:
    """The grid's WebP thumbnail of a screenshot, and the screenshot's size: with direct uploads the
    server never sees the image, so the agent makes what it would have made."""
    with Image.open(io.BytesIO(jpeg)) as picture:
        size = picture.size
        picture.draft("RGB", (THUMB_BOX[0] * 2, THUMB_BOX[1] * 2))
        picture.thumbnail(THUMB_BOX)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "WEBP", quality=70, method=4)
    return out.getvalue(), size


def thumbnail_of(shot: bytes | None) -> bytes | None:
    """The thumbnail sent beside a screenshot in the slot's multipart, so the server need not decode
    the screenshot to make it; None when there is no screenshot or it cannot be read (the server
    then makes the thumbnail itself, or refuses the screenshot, as it would anyway)."""
    if shot is None:
        return None
    try:
        return thumbnail(shot)[0]
    except (OSError, SyntaxError, ValueError):  # Pillow's ways of saying "not an image I can read"
        return None


def image_size(jpeg: bytes) -> tuple[int, int]:
    """Read from the header only: nothing is decoded."""
    with Image.open(io.BytesIO(jpeg)) as picture:
        return picture.size


def _give_back_memory() -> None:
    """A screenshot passes through tens of MB; glibc keeps freed heap unless asked to return it."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: its allocator returns large blocks by itself
