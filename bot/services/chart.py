"""The week's hours per day as a small bar chart (PNG), for the weekly review message.

Drawn in a four-colour palette with labels stamped from a cache: thousands of contracts close
at once on Monday, so each chart has to cost well under a millisecond.
"""

import io
from dataclasses import dataclass
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

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


@cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=12)


@cache
def _stamp(text: str) -> Image.Image:
    """The text as a one-bit mask, drawn once per distinct label."""
    left, top, right, bottom = _font().getbbox(text, mode="1")  # one-bit glyphs are wider
    mask = Image.new("1", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=1, font=_font())
    return mask


def _write(image: Image.Image, text: str, x: int, y: int, colour: int = INK, centred: bool = False) -> None:
    mask = _stamp(text)
    image.paste(colour, (x - mask.width // 2 if centred else x, y), mask)


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def hours_chart(title: str, bars: list[Bar]) -> bytes:
    top_hours = max(8, -(-max((bar.total for bar in bars), default=0) // 60))
    top_hours += top_hours % 2  # gridlines every two hours
    scale = (HEIGHT - TOP - BOTTOM) / (top_hours * 60)
    image = _frame(title, top_hours, tuple(bar.label for bar in bars)).copy()
    draw = ImageDraw.Draw(image)
    slot = (WIDTH - LEFT - RIGHT) / max(len(bars), 1)
    for index, bar in enumerate(bars):
        _bar(image, draw, bar, int(LEFT + index * slot), int(slot), scale)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # speed over a few hundred bytes
    return out.getvalue()


@lru_cache(maxsize=64)
def _frame(title: str, top_hours: int, labels: tuple[str, ...]) -> Image.Image:
    """Title, legend, grid and day names: the same for every chart of a week close."""
    image = Image.new("P", (WIDTH, HEIGHT), WHITE)
    image.putpalette(PALETTE)
    draw = ImageDraw.Draw(image)
    _write(image, title, 8, 10)
    x = WIDTH - RIGHT
    for colour, name in reversed(LEGEND):
        x -= _stamp(name).width + 18
        draw.rectangle((x, 12, x + 9, 21), fill=colour)
        _write(image, name, x + 13, 10)
    scale = (HEIGHT - TOP - BOTTOM) / (top_hours * 60)
    for hours in range(0, top_hours + 1, 2):
        y = HEIGHT - BOTTOM - round(hours * 60 * scale)
        draw.line((LEFT, y, WIDTH - RIGHT, y), fill=GRID)
        _write(image, f"{hours}h", 8, y - 6)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for index, label in enumerate(labels):
        _write(image, label, int(LEFT + index * slot + slot / 2), HEIGHT - BOTTOM + 8, centred=True)
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
