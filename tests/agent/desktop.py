"""A desktop-like screen for screenshots: wallpaper, editor windows full of text, a task bar.

Used by the capture tests and the benchmark, painted onto the root window of an Xvfb display.
"""

import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageStat

WORDS = [
    "def",
    "return",
    "import",
    "class",
    "self",
    "for",
    "in",
    "if",
    "else",
    "while",
    "data",
    "slot",
    "report",
    "queue",
    "upload",
    "server",
    "agent",
    "minute",
    "screenshot",
    "tracking",
    "memo",
    "contract",
    "session",
    "idle",
    "billing",
    "week",
]


def desktop_image(width: int = 1920, height: int = 1080, seed: int = 7) -> Image.Image:
    rnd = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a gradient wallpaper
        draw.line([(0, y), (width, y)], fill=(30 + y * 60 // height, 60 + y * 40 // height, 110 + y * 80 // height))
    font = ImageFont.load_default(size=15)
    for x, y, w, h in [(60, 50, 1100, 760), (900, 240, 960, 700), (200, 600, 700, 420)]:
        _window(draw, rnd, font, x, y, w, h)
    draw.rectangle([0, height - 40, width, height], fill=(35, 35, 40))
    for i in range(8):
        draw.rectangle(
            [12 + i * 52, height - 34, 52 + i * 52, height - 6], fill=tuple(rnd.randrange(256) for _ in range(3))
        )
    return image


def _window(draw: ImageDraw.ImageDraw, rnd: random.Random, font, x: int, y: int, w: int, h: int) -> None:
    draw.rectangle([x, y, x + w, y + h], fill=(250, 250, 250), outline=(90, 90, 90))
    draw.rectangle([x, y, x + w, y + 28], fill=(60, 63, 70))
    draw.text((x + 10, y + 6), "editor - project/agent/client.py", fill=(230, 230, 230), font=font)
    for line_y in range(y + 38, y + h - 18, 19):
        indent = rnd.choice([0, 0, 4, 8, 12]) * 8
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 11)))
        colour = rnd.choice([(20, 20, 20), (0, 80, 160), (150, 40, 40), (40, 120, 40)])
        draw.text((x + 14 + indent, line_y), text, fill=colour, font=font)


def paint_root(display_name: str, image: Image.Image):
    """Makes `image` the root window's background; keep the returned connection open while it should show."""
    from Xlib import X, display

    screen = display.Display(display_name)
    root, depth = screen.screen().root, screen.screen().root_depth
    pixmap = root.create_pixmap(image.width, image.height, depth)
    gc = pixmap.create_gc()
    data, stride, rows = image.convert("RGBX").tobytes("raw", "BGRX"), image.width * 4, 32
    for y in range(0, image.height, rows):  # strips: one request must stay under the core size limit
        n = min(rows, image.height - y)
        pixmap.put_image(gc, 0, y, image.width, n, X.ZPixmap, depth, 0, data[y * stride : (y + n) * stride])
    root.change_attributes(background_pixmap=pixmap)
    root.clear_area(0, 0, image.width, image.height)
    screen.sync()
    return screen


def edge_energy(image: Image.Image) -> float:
    """Mean strength of edges: sharp text scores high, a blurred screen close to zero."""
    return ImageStat.Stat(image.convert("L").filter(ImageFilter.FIND_EDGES)).mean[0]
