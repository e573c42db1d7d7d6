"""Fonts for text drawn into images, in any script: each character is drawn in the first font
that has a glyph for it, so a name in Arabic, Hindi or Japanese never shows as empty boxes.

The fonts come from the system's font packages (on Debian: fonts-noto-core for most scripts,
fonts-droid-fallback for Chinese, Japanese and Korean); Pillow's own font is the last resort.
A font "has" a character when drawing it gives something other than the font's missing-glyph
box, which is what a reader would see.
"""

import logging
import os
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger("tally.render")

SIZE = 12
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")
# Tried in this order; every other Noto Sans regular face found comes after these.
PREFERRED = ("NotoSans-Regular.ttf", "DejaVuSans.ttf", "NotoSansArabic-Regular.ttf", "NotoSansDevanagari-Regular.ttf",
             "NotoSansHebrew-Regular.ttf", "NotoSansThai-Regular.ttf", "NotoSansBengali-Regular.ttf")
CJK = ("DroidSansFallbackFull.ttf", "NotoSansCJK-Regular.ttc", "wqy-microhei.ttc")
NOTDEF_PROBE = "\U0010FFFF"  # a noncharacter: no font maps it, so it draws the missing-glyph box

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        for root, _, names in os.walk(folder):
            for name in names:
                found.setdefault(name, Path(root) / name)
    return found


@cache
def chain() -> tuple[Font, ...]:
    """The fonts in the order characters try them; Pillow's built-in font last."""
    files = _files()
    others = sorted(name for name in files if name.startswith("NotoSans") and name.endswith("-Regular.ttf"))
    names = list(dict.fromkeys([*PREFERRED, *CJK, *others]))
    fonts: list[Font] = [ImageFont.truetype(str(files[name]), SIZE) for name in names if name in files]
    if len(fonts) < 2:
        log.warning("few fonts found: names in non-Latin scripts may show as boxes in charts "
                    "(on Debian, install fonts-noto-core and fonts-droid-fallback)")
    return (*fonts, ImageFont.load_default(size=SIZE))


def _picture(font: Font, char: str) -> tuple:
    mask = font.getmask(char, mode="1")
    return mask.size, bytes(mask)


@cache
def has_glyph(font: Font, char: str) -> bool:
    """True when `font` draws `char` as something other than its missing-glyph box."""
    return _picture(font, char) != _picture(font, NOTDEF_PROBE)


def _rides_along(char: str) -> bool:
    """Spaces, joiners and combining marks are drawn in the font of the character before them,
    so that shaping (Arabic joining, Devanagari conjuncts) sees them together."""
    return char.isspace() or unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")


@cache
def font_for(char: str) -> Font:
    fonts = chain()
    return next((font for font in fonts if has_glyph(font, char)), fonts[0])


def runs(text: str) -> Iterator[tuple[Font, str]]:
    """`text` cut into pieces that one font draws whole, in reading order."""
    current: Font | None = None
    piece = ""
    for char in text:
        font = current if current is not None and _rides_along(char) else font_for(char)
        if font is not current and piece:
            yield current, piece
            piece = ""
        current, piece = font, piece + char
    if piece:
        yield current, piece
