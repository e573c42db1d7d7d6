"""Keystrokes and mouse events in the diary: each slot's counts and its ten minutes as a strip,
and slots that did not count marked so, over HTTP and in a real browser."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.services import sessions
from storage.tables import WorkSession
from tests.api.world import ALICE, BOB, Slot, clock_in, hire, make_app, pair_agent, upload
from tests.web.conftest import NOW, diary_path
from tests.web.live import CHROMEDRIVER, CHROMIUM, chromium, serving

CUT_SHORT = NOW - timedelta(minutes=50)  # 11:10, the slot after bob's seven


@pytest.fixture
def cut_short(ctx, clock, worked) -> int:
    """bob's Wednesday, then one more slot at 11:10 whose screenshot instant (11:16) came after he
    clocked out (11:13): it was recorded, with 4 active minutes, and counts for nothing."""
    sessions.clock_out(ctx, BOB, now=CUT_SHORT + timedelta(minutes=3))
    token = pair_agent(ctx, NOW)
    with ctx.unit() as s:
        session_id = s.exec(select(WorkSession)).one().id
    with TestClient(make_app(ctx, clock)) as client:
        slot = Slot(session_id, CUT_SHORT, active=4, screenshot_at=CUT_SHORT + timedelta(minutes=6))
        assert upload(client, token, slot).status_code in (200, 201)
    return worked


def _cell(page: str, at: str) -> str:
    """The HTML of the cell of the slot starting at `at` (its opening tag first)."""
    [cell] = [c for c in page.split('<li class="cell')[1:] if f'<span class="time">{at}</span>' in c]
    return cell


def test_each_slot_shows_its_keys_mouse_and_minutes(ctx, pages, worked):
    """Rule: docs/rules.md#activity"""
    page = pages.get(diary_path(ctx, BOB, worked)).text
    first = _cell(page, "10:00")  # 3 active minutes of 5 keys and 9 mouse events each
    assert "15 keys" in first and "27 mouse" in first
    assert re.findall(r'class="minute (\w+)"', first) == ["active"] * 3 + ["idle"] * 7
    assert 'aria-label="Minutes of 10:00: 3 of 10 active"' in first
    manual = _cell(page, "09:00")
    assert "keys" not in manual and 'class="minute ' not in manual


def test_a_slot_that_did_not_count_is_marked(ctx, pages, cut_short):
    """Rule: docs/rules.md#segment-billing"""
    page = pages.get(diary_path(ctx, BOB, cut_short)).text
    cell = _cell(page, "11:10")
    assert 'uncounted' in cell.split(">")[0] and "0 min · not counted" in cell
    assert re.findall(r'class="minute (\w+)"', cell)[:4] == ["active"] * 4
    assert "Not counted (0 min" in page
    assert "uncounted" not in _cell(page, "10:00").split(">")[0]


needs_browser = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed")


@needs_browser
def test_the_strip_reads_in_a_browser_without_colour(ctx, clock, cut_short, tmp_path):
    """Rule: docs/rules.md#activity"""
    pytest.importorskip("selenium")
    with serving(make_app(ctx, clock)) as base, chromium(tmp_path / "profile") as driver:
        driver.get(base + diary_path(ctx, BOB, cut_short))
        cells = driver.find_elements("css selector", "#diary-grid .cell[data-slot]:not(.manual)")
        assert [c.find_element("css selector", ".counts").text for c in cells[:2]] == ["15 keys · 27 mouse", "20 keys · 36 mouse"]
        strip = cells[0].find_elements("css selector", ".minute")
        assert len(strip) == 10 and all(m.is_displayed() for m in strip)
        active, idle = strip[0], strip[5]
        # Told apart by shape, not by colour alone: a filled box, a hollow box of the same size.
        look = "let s = getComputedStyle(arguments[0]); return [s.backgroundColor, s.borderTopWidth, arguments[0].offsetHeight]"
        active_look, idle_look = driver.execute_script(look, active), driver.execute_script(look, idle)
        assert active_look[0] != idle_look[0] and idle_look[1] == "1px" and active_look[2] == idle_look[2] > 0
        assert active.get_attribute("title") == "10:00 +0 min: active (input)" and idle.get_attribute("title") == "10:00 +5 min: no input"
        assert [m.get_attribute("textContent") for m in strip[2:4]] == ["A", "i"]  # read out by screen readers
        short = driver.find_element("css selector", ".cell.uncounted")
        assert "not counted" in short.find_element("css selector", ".counted").text
        assert "outside the session" in driver.find_element("css selector", ".legend").text


@pytest.fixture
def with_minimum(ctx, clock) -> int:
    """Three tracked slots on a contract with a 2-hour weekly minimum, from its start."""
    contract_id = hire(ctx, NOW - timedelta(days=2), min_hours=Decimal("2"))
    token = pair_agent(ctx, NOW - timedelta(hours=3))
    session_id = clock_in(ctx, NOW - timedelta(hours=2))
    with TestClient(make_app(ctx, clock)) as client:
        for i in range(3):
            assert upload(client, token, Slot(session_id, NOW - timedelta(hours=2) + timedelta(minutes=10 * i))).status_code == 201
    return contract_id


def test_the_week_page_shows_the_hours_against_the_minimum(ctx, pages, with_minimum):
    """Rule: docs/rules.md#weekly-minimum"""
    page = pages.get(diary_path(ctx, BOB, with_minimum) + "?week=2026-W47").text
    assert 'id="week-minimum">0.5 h of a 2 h minimum<' in page and "a goal, not enforced" in page


@needs_browser
def test_the_week_page_reads_the_minimum_in_a_browser(ctx, clock, with_minimum, tmp_path):
    """Rule: docs/rules.md#weekly-minimum"""
    pytest.importorskip("selenium")
    with serving(make_app(ctx, clock)) as base, chromium(tmp_path / "profile") as driver:
        driver.get(base + diary_path(ctx, ALICE, with_minimum))
        driver.find_element("css selector", "a.weeklink").click()
        shown = driver.find_element("id", "week-minimum")
        assert shown.is_displayed() and shown.text == "0.5 h of a 2 h minimum"
        label = driver.execute_script("return arguments[0].previousElementSibling.textContent", shown)
        assert "Weekly minimum" in label and "not enforced" in label
