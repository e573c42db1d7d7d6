"""Thumbnails are made once, at ingest, within a bounded decode, and stored: the diary grid never
decodes a screenshot per request. Screenshots from before keep working: theirs is made once."""

import io

from PIL import Image
from sqlmodel import select

from bot.services import edits
from bot.services.images import thumbnail_key
from bot.services.results import Done
from storage.tables import Screenshot, Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import BOB, Slot, screenshot, upload
from tests.web.conftest import diary_path


def _shot(ctx) -> Screenshot:
    with ctx.unit() as s:
        return s.exec(select(Screenshot)).one()


def _record(api, agent, session_id, clock, image=None):
    clock.advance(minutes=30)
    return upload(api, agent, Slot(session_id, NOW), image or screenshot(size=(1600, 1000)))


def test_the_thumbnail_is_stored_at_ingest_and_served_without_decoding_the_screenshot(ctx, api, agent, session_id, clock):
    assert _record(api, agent, session_id, clock).status_code == 201
    shot = _shot(ctx)
    stored = ctx.blobs.get(thumbnail_key(shot.blob_key))
    assert Image.open(io.BytesIO(stored)).size[0] <= 360
    ctx.blobs.delete(shot.blob_key)  # with the screenshot gone, only the stored thumbnail can answer
    path = diary_path(ctx, BOB, 1, NOW)
    thumb = api.get(f"{path}/shots/{shot.slot_id}?size=thumb")
    assert thumb.status_code == 200 and thumb.content == stored and thumb.headers["content-type"] == "image/webp"


def test_a_screenshot_from_before_gets_its_thumbnail_made_once_then_stored(ctx, api, agent, session_id, clock):
    _record(api, agent, session_id, clock)
    shot = _shot(ctx)
    ctx.blobs.delete(thumbnail_key(shot.blob_key))  # as uploads before this version left them
    path = diary_path(ctx, BOB, 1, NOW)
    first = api.get(f"{path}/shots/{shot.slot_id}?size=thumb")
    assert first.status_code == 200 and ctx.blobs.get(thumbnail_key(shot.blob_key)) == first.content
    ctx.blobs.delete(shot.blob_key)
    assert api.get(f"{path}/shots/{shot.slot_id}?size=thumb").content == first.content


def test_a_decompression_bomb_is_refused_before_it_is_decoded(ctx, api, agent, session_id, clock):
    out = io.BytesIO()
    Image.new("L", (8192, 8192)).save(out, "PNG", optimize=True)  # a few hundred KB, 67 million pixels
    answer = _record(api, agent, session_id, clock, out.getvalue())
    assert answer.status_code == 422 and "out of bounds" in answer.json()["detail"]
    with ctx.unit() as s:
        assert s.exec(select(SlotRow)).all() == []


def test_deleting_a_slot_deletes_its_thumbnail_too(ctx, api, agent, session_id, clock):
    _record(api, agent, session_id, clock)
    shot = _shot(ctx)
    assert isinstance(edits.delete_slot(ctx, BOB, shot.slot_id, now=clock.now), Done)
    assert ctx.blobs.get(shot.blob_key) is None and ctx.blobs.get(thumbnail_key(shot.blob_key)) is None
