"""The diary pages over HTTP: what each party sees, screenshots behind the link, deleting slots."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from tests.api.world import ALICE, BOB, CAROL, Slot, clock_in, hire, pair_agent, screenshot, upload
from tests.web.conftest import NOW, diary_path


def _total(page) -> str:
    return re.search(r'id="day-total">([^<]+)<', page.text)[1]


def _cells(page, mark: str) -> int:
    return len(re.findall(rf'<li class="cell[^"]*\b{mark}\b', page.text))


def _slot_ids(page) -> list[int]:
    return [int(x) for x in re.findall(r'data-slot="(\d+)"', page.text)]


def test_the_freelancer_sees_the_day_with_totals_marks_and_delete_buttons(ctx, pages, worked):
    page = pages.get(diary_path(ctx, BOB, worked))
    assert page.status_code == 200
    assert _total(page) == "1:30" and 'id="week-total">1:30<' in page.text
    assert len(_slot_ids(page)) == 9 and page.text.count('class="delete"') == 9
    assert (_cells(page, "manual"), _cells(page, "over"), _cells(page, "empty")) == (2, 3, 9)
    assert "Firefox" in page.text and "planning call" in page.text and "Tracking now" in page.text
    assert "You are viewing as the freelancer" in page.text


def test_the_client_sees_the_same_day_without_delete_buttons(ctx, pages, worked):
    page = pages.get(diary_path(ctx, ALICE, worked))
    assert page.status_code == 200 and _total(page) == "1:30"
    assert 'class="delete"' not in page.text and "You are viewing as the client" in page.text


def test_pages_keep_their_link_to_themselves(ctx, pages, worked):
    headers = pages.get(diary_path(ctx, BOB, worked)).headers
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_screenshots_come_full_size_or_as_thumbnails_through_the_link(ctx, pages, worked):
    path = diary_path(ctx, BOB, worked)
    slot_id = _slot_ids(pages.get(path))[2]  # the first tracked slot
    full = pages.get(f"{path}/shots/{slot_id}")
    thumb = pages.get(f"{path}/shots/{slot_id}?size=thumb")
    assert full.status_code == thumb.status_code == 200
    assert full.content == screenshot(size=(1280, 800), seed=0)
    assert thumb.headers["content-type"] == "image/webp" and len(thumb.content) < len(full.content)
    assert Image.open(io.BytesIO(thumb.content)).width <= 360
    again = pages.get(f"{path}/shots/{slot_id}", headers={"if-none-match": full.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_link_shows_nothing_of_another_contract(ctx, pages, clock, worked):
    hire(ctx, NOW - timedelta(days=1), freelancer=CAROL)
    carol_agent = pair_agent(ctx, NOW - timedelta(hours=1), freelancer=CAROL)
    session_id = clock_in(ctx, NOW - timedelta(hours=1), freelancer=CAROL)
    assert upload(pages, carol_agent, Slot(session_id, NOW - timedelta(hours=1))).status_code == 201
    carols_slot = max(_slot_ids(pages.get(diary_path(ctx, CAROL, worked + 1))))
    bobs_link = diary_path(ctx, BOB, worked)
    assert pages.get(f"{bobs_link}/shots/{carols_slot}").status_code == 404
    confirm = pages.post(f"{bobs_link}/slots/{carols_slot}/delete", data={"day": "2026-11-18", "confirm": "yes"})
    assert confirm.status_code == 404
    assert pages.get(f"{diary_path(ctx, CAROL, worked + 1)}/shots/{carols_slot}").status_code == 200


def _tampered(path: str) -> str:
    return path[:-1] + ("A" if path[-1] != "A" else "B")


@pytest.mark.parametrize("link", [
    lambda ctx, worked: _tampered(diary_path(ctx, BOB, worked)),
    lambda ctx, worked: diary_path(ctx, BOB, worked, now=NOW - timedelta(hours=25)),
    lambda ctx, worked: "/diary/not-a-token",
    lambda ctx, worked: "/diary/" + "é" * 20,
], ids=["tampered", "expired", "made-up", "non-ascii"])
@pytest.mark.parametrize("suffix", ["", "?week=2026-W47", "/shots/3", "/shots/3?size=thumb"])
def test_anything_but_a_genuine_link_gets_403(ctx, pages, worked, link, suffix):
    answer = pages.get(link(ctx, worked) + suffix)
    assert answer.status_code == 403
    assert "Not available" in answer.text and "image" not in answer.headers["content-type"]


def test_deleting_asks_first_then_removes_the_slots_time_and_screenshot(ctx, pages, worked):
    path = diary_path(ctx, BOB, worked)
    slot_id = _slot_ids(pages.get(path))[2]
    asked = pages.post(f"{path}/slots/{slot_id}/delete", data={"day": "2026-11-18"})
    assert asked.status_code == 200 and "cannot be undone" in asked.text
    assert _total(pages.get(path)) == "1:30"  # nothing happened yet
    done = pages.post(f"{path}/slots/{slot_id}/delete", data={"day": "2026-11-18", "at": "10:00", "confirm": "yes"})
    assert done.status_code == 303
    after = pages.get(done.headers["location"])
    assert _total(after) == "1:20" and "Deleted the slot at 10:00" in after.text
    assert slot_id not in _slot_ids(after)
    assert pages.get(f"{path}/shots/{slot_id}").status_code == 404


def test_the_client_may_not_delete(ctx, pages, worked):
    path = diary_path(ctx, ALICE, worked)
    slot_id = _slot_ids(pages.get(path))[2]
    answer = pages.post(f"{path}/slots/{slot_id}/delete", data={"day": "2026-11-18", "confirm": "yes"})
    assert answer.status_code == 403 and "Only the freelancer" in answer.text
    assert _total(pages.get(path)) == "1:30"


def test_after_the_edit_deadline_the_diary_is_read_only(ctx, pages, clock, worked):
    clock.now = NOW.replace(day=23, hour=12)  # Monday noon after the week
    path = diary_path(ctx, BOB, worked, now=clock.now) + "&day=2026-11-18".replace("&", "?")
    page = pages.get(path)
    assert _total(page) == "1:30" and 'class="delete"' not in page.text
    slot_id = _slot_ids(page)[2]
    base = path.split("?")[0]
    answer = pages.post(f"{base}/slots/{slot_id}/delete", data={"day": "2026-11-18", "confirm": "yes"})
    assert answer.status_code == 422 and "closed for edits" in answer.text


def test_the_week_view_has_day_totals_and_the_statement(ctx, pages, worked):
    page = pages.get(diary_path(ctx, ALICE, worked) + "?week=2026-W47")
    assert page.status_code == 200
    assert 'id="week-counted">1:30<' in page.text
    assert 'id="statement-total">40.00 USD<' in page.text  # one billable hour at 40/h; the rest is over the limit
    assert "day=2026-11-18" in page.text


@pytest.mark.parametrize("query, status", [
    ("?day=2026-11-17", 200), ("?day=yesterday", 422), ("?day=0001-01-01", 422), ("?day=9999-12-31", 422),
    ("?week=", 200), ("?week=2026-W99", 422), ("?week=last", 422), ("?week=9999-W52", 422),
])
def test_days_and_weeks_are_chosen_in_the_address(ctx, pages, worked, query, status):
    assert pages.get(diary_path(ctx, BOB, worked) + query).status_code == status
