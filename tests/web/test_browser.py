"""A person opens a diary link in a real browser: grid, totals, screenshots, and deleting a slot."""

import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.api.world import ALICE, BOB, make_app
from tests.web.conftest import diary_path
from tests.web.live import CHROMEDRIVER, CHROMIUM, chromium, serving

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed "
                                "(apt-get install chromium chromium-driver)")
pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402  (after the skip above)

# Page screenshots are kept as artifacts in this folder when it is set (CI uploads it).
ARTIFACTS = Path(os.environ.get("TALLY_TEST_ARTIFACTS", "artifacts"))


def _wait_for_images(driver) -> list:
    thumbs = driver.find_elements("css selector", "#diary-grid img")
    for img in thumbs:  # lazy images load once they come into view
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
    driver.execute_script("window.scrollTo(0, 0)")
    WebDriverWait(driver, 10).until(lambda d: all(d.execute_script("return arguments[0].complete", img) for img in thumbs))
    return thumbs


def test_a_freelancer_sees_the_day_and_deletes_a_slot(ctx, clock, worked, tmp_path):
    with serving(make_app(ctx, clock)) as base, chromium(tmp_path / "profile") as driver:
        driver.get(base + diary_path(ctx, BOB, worked))
        grid = driver.find_element("id", "diary-grid")
        assert len(grid.find_elements("css selector", ".hour")) == 3  # 09:00, 10:00 and 11:00
        assert driver.find_element("id", "day-total").text == "1:30"
        assert driver.find_element("id", "week-total").text == "1:30"
        assert len(grid.find_elements("css selector", ".cell.manual")) == 2
        assert len(grid.find_elements("css selector", ".cell.over")) == 3
        thumbs = _wait_for_images(driver)
        assert len(thumbs) == 7 and all(driver.execute_script("return arguments[0].naturalWidth", t) > 0 for t in thumbs)
        _save(driver, tmp_path / "diary-laptop.png", ARTIFACTS / "diary-page.png")

        thumbs[0].click()  # enlarges the screenshot, which loads only now
        big = driver.find_element("css selector", ".lightbox:target img")
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return arguments[0].naturalWidth", big) > 0)
        assert big.is_displayed() and big.size["width"] > 2 * thumbs[0].size["width"]
        _save(driver, tmp_path / "diary-enlarged.png")
        driver.find_element("css selector", ".lightbox:target .lightbox-close").click()

        cell = grid.find_elements("css selector", ".cell[data-slot]:not(.manual)")[0]
        cell.find_element("css selector", ".delete button").click()
        assert "cannot be undone" in driver.find_element("css selector", ".confirm").text
        driver.find_element("id", "confirm-delete").click()
        assert driver.find_element("id", "day-total").text == "1:20"
        assert "Deleted the slot at 10:00" in driver.find_element("css selector", ".notice").text
        assert len(_wait_for_images(driver)) == 6


def test_the_page_reads_well_on_a_phone(ctx, clock, worked, tmp_path):
    with serving(make_app(ctx, clock)) as base, chromium(tmp_path / "profile", width=390, height=844) as driver:
        driver.get(base + diary_path(ctx, BOB, worked))
        _wait_for_images(driver)
        page_width = driver.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= driver.execute_script("return window.innerWidth")  # nothing sticks out sideways
        _save(driver, tmp_path / "diary-phone.png", ARTIFACTS / "diary-page-phone.png", full=True)


def test_the_week_page_says_where_the_time_went_per_app_and_title(ctx, clock, worked, tmp_path):
    """Rule: docs/rules.md#apps"""
    for who, width in ((ALICE, 1280), (BOB, 390)):
        with serving(make_app(ctx, clock)) as base, chromium(tmp_path / f"profile-{width}", width=width) as driver:
            driver.get(base + diary_path(ctx, who, worked) + "?week=2026-W47")
            section = driver.find_element("id", "apps")
            assert section.find_element("tag name", "h2").text == "Apps and windows"
            app = section.find_element("css selector", ".app-row")
            assert app.text.split() == ["Firefox", "1:10", "100%"]  # the seven tracked slots; manual time apart
            assert section.find_element("css selector", ".window-title").text == "Pull request #12"
            assert driver.find_element("id", "apps-counted").text == "1:10"
            assert driver.execute_script("return document.documentElement.scrollWidth") <= \
                driver.execute_script("return window.innerWidth")  # fits a phone too
            _save(driver, tmp_path / f"week-apps-{width}.png", ARTIFACTS / f"week-apps-{width}.png", full=True)


def test_an_expired_or_tampered_link_is_refused(ctx, clock, worked, tmp_path):
    path = diary_path(ctx, ALICE, worked)
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    with serving(make_app(ctx, clock)) as base, chromium(tmp_path / "profile") as driver:
        driver.get(base + tampered)
        assert "Not available" in driver.find_element("tag name", "h1").text
        assert httpx.get(base + tampered).status_code == 403
        assert httpx.get(base + tampered + "/shots/1").status_code == 403
        clock.advance(hours=25)
        driver.get(base + path)
        assert "expired" in driver.find_element("css selector", ".refused").text
        assert httpx.get(base + path).status_code == 403
        assert httpx.get(base + path + "/shots/1").status_code == 403


def _save(driver, path: Path, shared: Path | None = None, full: bool = False) -> None:
    if full:  # the whole page, as tall as it is
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(driver.get_window_size()["width"], height + 120)
    driver.save_screenshot(str(path))
    if shared is not None:
        shared.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, shared)
