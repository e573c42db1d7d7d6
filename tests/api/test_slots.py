"""Slot uploads: checked, stored, idempotent, and accepted late only until the edit deadline."""

import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from bot.services import sessions
from storage.tables import Screenshot
from storage.tables import Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import API, BOB, CAROL, Slot, bearer, client_for, clock_in, hire, pair_agent, screenshot, upload


def _rows(ctx, table=SlotRow) -> list:
    with ctx.unit() as s:
        return list(s.exec(select(table)))


@pytest.fixture
def later(clock):
    clock.advance(minutes=30)  # uploads come after the slots they describe


def test_a_new_slot_is_recorded_with_its_screenshot(ctx, api, agent, session_id, later):
    image = screenshot()
    answer = upload(api, agent, Slot(session_id, NOW, active=7), image)
    assert answer.status_code == 201
    body = answer.json()
    assert body == {"id": body["id"], "slot_start": "2026-11-18T10:00:00Z", "counted_minutes": 10, "duplicate": False, "late": False}
    (row,), (shot,) = _rows(ctx), _rows(ctx, Screenshot)
    assert (row.active_minutes, row.memo, shot.slot_id) == (7, "landing page", row.id)
    assert shot.sha256 == hashlib.sha256(image).hexdigest() and ctx.blobs.get(shot.blob_key) == image


def test_the_same_slot_again_answers_200_with_the_same_id(ctx, api, agent, session_id, later):
    first = upload(api, agent, Slot(session_id, NOW))
    again = upload(api, agent, Slot(session_id, NOW))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["duplicate"] is True
    assert len(_rows(ctx)) == 1 and len(_rows(ctx, Screenshot)) == 1


def test_a_different_slot_for_the_same_start_is_a_conflict(ctx, api, agent, session_id, later):
    assert upload(api, agent, Slot(session_id, NOW, active=3)).status_code == 201
    other = upload(api, agent, Slot(session_id, NOW, active=9))
    assert (other.status_code, other.json()["error"]) == (409, "conflict")
    assert _rows(ctx)[0].active_minutes == 3


def _image(kind: str, size=(64, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("image, status, error, says", [
    (_image("JPEG"), 201, None, None),
    (_image("PNG"), 201, None, None),
    (_image("GIF"), 422, "invalid", "WebP, JPEG or PNG"),
    (b"this is not a picture", 422, "invalid", "not a readable"),
    (_image("PNG")[:60], 422, "invalid", "not a readable"),
    (b"\0" * (2 * 1024 * 1024 + 1), 413, "too_large", "2 MB"),
], ids=["jpeg", "png", "gif", "text", "truncated", "too-large"])
def test_screenshots_are_checked_before_anything_is_stored(ctx, api, agent, session_id, later, image, status, error, says):
    answer = upload(api, agent, Slot(session_id, NOW), image)
    assert answer.status_code == status
    if error:
        assert answer.json()["error"] == error and says in answer.json()["detail"]
        assert _rows(ctx) == [] and _rows(ctx, Screenshot) == []


def _post(api, token, files=None, **kw):
    return api.post(f"{API}/slots", files=files, headers=bearer(token), **kw)


def _meta(sid: int, /, **change) -> str:
    body = json.loads(Slot(sid, NOW).meta())
    body.update(change)
    return json.dumps(body)


@pytest.mark.parametrize("request_body, status, says", [
    (lambda sid: {"files": {"screenshot": ("a.webp", screenshot(), "image/webp")}}, 400, "meta"),
    (lambda sid: {"files": {"meta": (None, "{not json")}}, 400, "not valid JSON"),
    (lambda sid: {"files": {"meta": (None, _meta(sid, minutes=[]))}}, 422, "minutes"),
    (lambda sid: {"files": {"meta": (None, _meta(sid, slot_start="yesterday"))}}, 422, "slot_start"),
    (lambda sid: {"files": {"meta": (None, _meta(sid, slot_start="2026-11-18T10:00:00"))}}, 422, "timezone"),
    (lambda sid: {"files": {"meta": (None, _meta(sid)), "screenshot": (None, "text")}}, 400, "file"),
    (lambda sid: {"json": json.loads(_meta(sid))}, 400, "multipart"),
    (lambda sid: {"content": b"--x\r\nbroken", "headers_extra": {"content-type": "multipart/form-data; boundary=x"}},
     400, "meta"),
], ids=["no-meta", "meta-not-json", "ten-minutes", "bad-instant", "naive-instant", "screenshot-as-text", "json-body",
        "broken-multipart"])
def test_malformed_uploads_get_a_4xx_that_says_what_is_wrong(api, agent, session_id, later, request_body, status, says, ctx):
    kw = request_body(session_id)
    headers = {**bearer(agent), **kw.pop("headers_extra", {})}
    answer = api.post(f"{API}/slots", headers=headers, **kw)
    assert answer.status_code == status, answer.text
    assert says in answer.json()["detail"]
    assert _rows(ctx) == []


def test_an_oversized_body_is_refused_from_its_declared_length(api, agent, session_id):
    headers = {**bearer(agent), "content-type": "multipart/form-data; boundary=x", "content-length": str(50 * 1024 * 1024)}
    answer = api.post(f"{API}/slots", headers=headers, content=b"--x--\r\n")
    assert answer.status_code == 413


def test_an_endless_body_is_cut_off_at_the_bound(api, agent, session_id):
    def endless():
        chunk = b"x" * 65536
        for _ in range(100):  # 6.4 MB, more than any upload may be
            yield chunk

    headers = {**bearer(agent), "content-type": "multipart/form-data; boundary=x"}
    assert api.post(f"{API}/slots", headers=headers, content=endless()).status_code == 413


@pytest.mark.parametrize("change, status, error", [
    ({"session_id": 999}, 404, "not_found"),
    ({"slot_start": "2026-11-18T10:05:00+00:00", "screenshot_at": "2026-11-18T10:06:00+00:00"}, 422, "invalid"),
    ({"slot_start": "2026-11-18T11:00:00+00:00", "screenshot_at": "2026-11-18T11:01:00+00:00"}, 422, "invalid"),
    ({"screenshot_at": "2026-11-18T10:10:00+00:00"}, 422, "invalid"),
], ids=["unknown-session", "unaligned", "future", "screenshot-outside-slot"])
def test_slots_that_break_the_rules_are_refused(ctx, api, agent, session_id, later, change, status, error):
    files = {"meta": (None, _meta(session_id, **change)), "screenshot": ("a.webp", screenshot(), "image/webp")}
    answer = _post(api, agent, files)
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text


def test_another_freelancers_session_is_not_found(ctx, api, agent, session_id, later):
    hire(ctx, NOW, freelancer=CAROL)
    carol = pair_agent(ctx, NOW, freelancer=CAROL)
    answer = upload(api, carol, Slot(session_id, NOW))
    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")


def test_offline_uploads_count_until_the_weeks_edit_deadline_and_are_kept_late_after_it(ctx, clock):
    last_wednesday = NOW - timedelta(days=7)
    hire(ctx, last_wednesday)
    token = pair_agent(ctx, last_wednesday)
    session_id = clock_in(ctx, last_wednesday)
    sessions.clock_out(ctx, BOB, now=last_wednesday + timedelta(hours=1))
    clock.now = datetime.fromisoformat("2026-11-16T11:59:59+00:00")  # the Monday after that week, just before noon
    with client_for(ctx, clock) as api:
        assert upload(api, token, Slot(session_id, last_wednesday)).status_code == 201
        clock.advance(seconds=1)
        late = upload(api, token, Slot(session_id, last_wednesday + timedelta(minutes=10)))
    assert (late.status_code, late.json()["late"]) == (201, True)


class BrokenStore:
    def put(self, key: str, data: bytes, content_type: str) -> None:
        raise OSError("disk full")

    def get(self, key: str) -> bytes | None:
        return None

    def delete(self, key: str) -> None:
        return None


def test_a_slot_is_never_recorded_without_its_stored_screenshot(ctx, clock, agent, session_id):
    ctx.blobs = BrokenStore()
    clock.advance(minutes=30)
    with client_for(ctx, clock, raise_server_exceptions=False) as api:
        answer = upload(api, agent, Slot(session_id, NOW))
    assert answer.status_code == 500 and answer.json()["error"] == "internal"
    assert _rows(ctx) == []
