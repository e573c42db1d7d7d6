"""Screenshots: size, weight and blur, on a synthetic desktop and on a real X screen."""

import io

import pytest
from PIL import Image

from agent.capture import MAX_BYTES, blur, encode, shrink, take_screenshot
from diary.terms import Screenshots
from tests.agent.desktop import desktop_image, edge_energy, paint_root


@pytest.mark.parametrize(
    "size, expected", [((1920, 1080), (1280, 720)), ((3840, 1080), (1280, 360)), ((1024, 768), (1024, 768))]
)
def test_screens_are_brought_to_about_1280_px_wide(size, expected):
    assert shrink(Image.new("RGB", size)).size == expected


def test_a_busy_desktop_fits_in_90_kib():
    data = encode(shrink(desktop_image()))
    assert len(data) <= MAX_BYTES
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_noise_that_cannot_compress_is_still_sent_at_the_lowest_quality():
    noise = Image.effect_noise((1280, 720), 80).convert("RGB")
    assert Image.open(io.BytesIO(encode(noise))).size == (1280, 720)


def test_blur_leaves_the_layout_but_no_readable_detail():
    sharp = shrink(desktop_image())
    blurred = blur(desktop_image(), sharp.size)
    assert blurred.size == sharp.size
    assert edge_energy(blurred) < edge_energy(sharp) / 8


@pytest.mark.parametrize("size", [(5, 5), (40, 3000)])
def test_even_a_tiny_screen_can_be_blurred(size):
    assert blur(Image.new("RGB", size), size).size == size


@pytest.fixture
def painted(xdisplay, monkeypatch):
    monkeypatch.setenv("DISPLAY", xdisplay)
    connection = paint_root(xdisplay, desktop_image())
    yield
    connection.close()


@pytest.mark.usefixtures("painted")
@pytest.mark.parametrize("mode", [Screenshots.ON, Screenshots.BLUR])
def test_a_real_screenshot_of_every_monitor(mode):
    image = Image.open(io.BytesIO(take_screenshot(mode)))
    assert image.size == (1280, 720)
    sharp = edge_energy(shrink(desktop_image()))
    if mode == Screenshots.BLUR:
        assert edge_energy(image) < sharp / 8
    else:
        assert edge_energy(image) > sharp / 2  # the text survived


def test_screenshots_off_takes_nothing():
    assert take_screenshot(Screenshots.OFF) is None  # not even a display is opened
