"""The hours-per-day chart of the weekly review message."""

import io

from PIL import Image

from bot.services.chart import BILLABLE, OVER, Bar, hours_chart


def bar_pixels(image: Image.Image, colour: int) -> list[int]:
    """How many pixels of `colour` each of the seven day columns has, below the legend."""
    width = (image.width - 44 - 16) / 7
    pixels = image.load()
    return [sum(1 for x in range(int(44 + d * width), int(44 + (d + 1) * width)) for y in range(44, image.height)
                if pixels[x, y] == colour) for d in range(7)]


def test_bars_grow_with_the_hours_and_show_over_limit_time_apart():
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    minutes = [480, 240, 0, 120, 600, 0, 60]
    bars = [Bar(day, m, 60 if day == "Fri" else 0, 0) for day, m in zip(days, minutes)]
    image = Image.open(io.BytesIO(hours_chart("Hours per day, 2026-W47", bars)))
    assert (image.format, image.size, image.mode) == ("PNG", (560, 260), "P")
    billable = bar_pixels(image, BILLABLE)
    assert billable[2] == billable[5] == 0
    assert billable[0] > billable[1] > billable[3] > billable[6] > 0
    assert abs(billable[0] - 2 * billable[1]) <= billable[1] // 10
    assert [count > 0 for count in bar_pixels(image, OVER)] == [False] * 4 + [True] + [False] * 2
