"""Hours as a small bar chart (PNG): the week's hours per day for the weekly review message,
and each freelancer's week for the workspace's weekly summary.

Drawn in a four-colour palette with labels stamped from a cache: thousands of contracts close
at once on Monday, so each chart has to cost well under a millisecond.
"""

import io
import math
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw

from bot.render import fonts

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 44, 36  # margins around the plot area
WHITE, INK, GRID, BILLABLE, OVER, DISPUTED = range(6)
PALETTE = [255, 255, 255, 40, 40, 40, 225, 225, 225, 54, 116, 196, 230, 140, 40, 150, 90, 180]
LEGEND = ((BILLABLE, "billable"), (OVER, "over limit"), (DISPUTED, "disputed"))


@dataclass(frozen=True)
class Bar:
    label: str  # "Mon"
    billable: int  # minutes, stacked from the bottom in this order
    over: int
    disputed: int

    @property
    def total(self) -> int:
        return self.billable + self.over + self.disputed


@dataclass(frozen=True)
class Stamp:
    mask: Image.Image  # one bit per pixel
    top: int  # rows above the top of a capital letter (script marks may rise into them)


@lru_cache(maxsize=4096)
def _stamp(text: str) -> Stamp:
    """The text as a one-bit mask, drawn once per distinct label; each piece in a font that has
    its glyphs (see render/fonts), so names in any script are readable."""
    pieces = list(fonts.runs(text))
    ascent = max((font.getmetrics()[0] for font, _ in pieces), default=0)
    descent = max((font.getmetrics()[1] for font, _ in pieces), default=0)
    widths = [math.ceil(font.getlength(piece, mode="1")) for font, piece in pieces]
    mask = Image.new("1", (max(sum(widths), 1), max(ascent + descent, 1)), 0)
    draw, x = ImageDraw.Draw(mask), 0
    for (font, piece), width in zip(pieces, widths, strict=True):
        draw.text((x, ascent), piece, fill=1, font=font, anchor="ls")
        x += width
    return Stamp(mask, ascent - _cap_height())


def _width(text: str) -> int:
    return sum(math.ceil(font.getlength(piece, mode="1")) for font, piece in fonts.runs(text))


@cache
def _cap_height() -> int:
    return -fonts.chain()[0].getbbox("H", anchor="ls")[1]


def _write(image: Image.Image, text: str, x: int, y: int, colour: int = INK, centred: bool = False) -> None:
    stamp = _stamp(text)
    image.paste(colour, (x - stamp.mask.width // 2 if centred else x, y - stamp.top), stamp.mask)


def _fit(text: str, width: int) -> str:
    """The text, cut short with an ellipsis where it would run into what is beside it."""
    cut = text
    while cut and _width(cut if cut == text else cut + "…") > width:
        cut = cut[:-1]
    return cut if cut == text else cut.rstrip() + "…"


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


# Hours between gridlines: the smallest that keeps at most a dozen of them.
STEPS = (2, 4, 5, 10, 20, 25, 50, 100)


def _axis(bars: list[Bar]) -> tuple[int, int]:
    """(top of the axis in hours, hours between gridlines)."""
    top_hours = max(8, -(-max((bar.total for bar in bars), default=0) // 60))
    step = next((step for step in STEPS if top_hours <= 12 * step), STEPS[-1])
    return -(-top_hours // step) * step, step


def hours_chart(title: str, bars: list[Bar]) -> bytes:
    top_hours, step = _axis(bars)
    scale = (HEIGHT - TOP - BOTTOM) / (top_hours * 60)
    image = _frame(title, top_hours, step, tuple(bar.label for bar in bars)).copy()
    draw = ImageDraw.Draw(image)
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    for index, bar in enumerate(bars):
        _bar(image, draw, bar, int(LEFT + index * slot), int(slot), scale)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # speed over a few hundred bytes
    return out.getvalue()


@lru_cache(maxsize=64)
def _frame(title: str, top_hours: int, step: int, labels: tuple[str, ...]) -> Image.Image:
    """Title, legend, grid and bar names: the same for every chart of a week close."""
    image = Image.new("P", (WIDTH, HEIGHT), WHITE)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    x = WIDTH - RIGHT
    for colour, name in reversed(LEGEND):
        x -= _stamp(name).mask.width + 18
        draw.rectangle((x, 12, x + 9, 21), fill=colour)
        _write(image, name, x + 13, 10)
    _write(image, _fit(title, x - 20), 8, 10)
    scale = (HEIGHT - TOP - BOTTOM) / (top_hours * 60)
    for hours in range(0, top_hours + 1, step):
        y = HEIGHT - BOTTOM - round(hours * 60 * scale)
        draw.line((LEFT, y, WIDTH - RIGHT, y), fill=GRID)
        _write(image, f"{hours}h", 8, y - 6)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for index, label in enumerate(labels):
        _write(image, _fit(label, int(slot) - 4), int(LEFT + index * slot + slot / 2), HEIGHT - BOTTOM + 8, centred=True)
    return image


def _bar(image: Image.Image, draw: ImageDraw.ImageDraw, bar: Bar, x: int, width: int, scale: float) -> None:
    base, left, right = HEIGHT - BOTTOM, x + width // 4, x + width - width // 4
    for colour, minutes in ((BILLABLE, bar.billable), (OVER, bar.over), (DISPUTED, bar.disputed)):
        height = round(minutes * scale)
        if height:
            draw.rectangle((left, base - height, right, base - 1), fill=colour)
            base -= height
    if bar.total:
        _write(image, _hours(bar.total), x + width // 2, base - 16, centred=True)
