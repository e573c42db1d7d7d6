"""Names in any script on the charts Tally draws: no character may come out as the font's
missing-glyph box (the empty rectangle a reader sees instead of a letter)."""

import io

import pytest
from PIL import Image, ImageFont

from bot.render import fonts
from bot.services.chart import LEGEND, Bar, hours_chart

TITLES = {
    "Latin": "Website redesign, Zoë",
    "Cyrillic": "Анна Петрова",
    "Greek": "Ελένη Παπαδοπούλου",
    "Arabic": "محمد أحمد",
    "Devanagari": "प्रिया शर्मा",
    "Chinese": "王小明的网站",
    "Japanese": "山田たろう カタカナ",
    "dash": "—",
}
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def is_box(font, char: str) -> bool:
    """The glyph drawn for `char` is the one drawn for a character no font has."""
    def picture(text: str):
        mask = font.getmask(text, mode="1")
        return mask.size, bytes(mask)

    return picture(char) == picture("\U0010FFFF")


def boxes(text: str) -> list[str]:
    """The characters of `text` that the chart's fonts would draw as boxes."""
    return [char for font, piece in fonts.runs(text) for char in piece if not char.isspace() and is_box(font, char)]


def test_the_check_sees_boxes_where_a_latin_only_font_draws_them():
    latin_only = ImageFont.load_default(size=12)
    assert is_box(latin_only, "Ж") and is_box(latin_only, "王")
    assert not is_box(latin_only, "W")


@pytest.mark.parametrize("script", TITLES)
def test_a_title_in_each_script_is_drawn_without_a_single_box(script):
    assert boxes(TITLES[script]) == []


def test_every_other_text_on_the_chart_is_drawn_without_a_box():
    texts = [name for _, name in LEGEND] + DAYS + [f"{h}h" for h in range(0, 25, 2)] + ["12:50", "…"]
    assert [text for text in texts if boxes(text)] == []


def test_a_chart_titled_in_every_script_at_once_draws_the_title():
    title = " — ".join(TITLES[s] for s in ("Cyrillic", "Greek", "Arabic", "Devanagari", "Chinese"))
    image = Image.open(io.BytesIO(hours_chart(title, [Bar(day, 120, 0, 0) for day in DAYS]))).convert("L")
    ink = [x for x in range(image.width // 2) if any(image.getpixel((x, y)) < 128 for y in range(4, 30))]
    assert boxes(title) == []
    assert ink and max(ink) > image.width // 3  # the title runs across the left of the chart
