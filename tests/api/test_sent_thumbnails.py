"""The agent sends the grid's thumbnail beside the screenshot: the server keeps a good one as sent
and reads only the screenshot's header; a broken one, or none (an older agent), and the server
makes its own. A token is checked before any image is: an unknown device costs no image work.

Rule: docs/rules.md#screenshots
"""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import select

from agent.capture import thumbnail
from bot.services import devices
from bot.services.images import thumbnail_key
from storage import repo
from storage.tables import Screenshot, Slot as SlotRow
from tests.api.conftest import NOW
from tests.api.world import API, Slot, bearer, screenshot


@pytest.fixture
def later(clock):
    clock.advance(minutes=30)  # uploads come after the slots they describe


def _send(api, token, shot: bytes, thumb: bytes | None, session_id: int = 1, start=NOW):
    files = {"meta": (None, Slot(session_id, start).meta(), "application/json"), "screenshot": ("shot.jpg", shot, "image/jpeg")}
    if thumb is not None:
        files["thumbnail"] = ("thumbnail.webp", thumb, "image/webp")
    return api.post(f"{API}/slots", files=files, headers=bearer(token))


def _stored(ctx) -> tuple[list, bytes | None]:
    with ctx.unit() as s:
        shots = list(s.exec(select(Screenshot)))
    return shots, (ctx.blobs.get(thumbnail_key(shots[0].blob_key)) if shots else None)


def _webp(size: tuple[int, int], frames: int = 1) -> bytes:
    out, pictures = io.BytesIO(), [Image.new("RGB", size, (10 * n, 90, 160)) for n in range(frames)]
    pictures[0].save(out, "WEBP", save_all=frames > 1, append_images=pictures[1:])
    return out.getvalue()


JPEG = screenshot("JPEG", size=(1600, 1000))


def test_the_agents_thumbnail_is_stored_as_sent(ctx, api, agent, session_id, later):
    sent, _ = thumbnail(JPEG)
    assert _send(api, agent, JPEG, sent, session_id).status_code == 201
    (shot,), stored = _stored(ctx)
    assert stored == sent and (shot.width, shot.height) == (1600, 1000)


def test_an_agent_that_sends_no_thumbnail_gets_the_servers(ctx, api, agent, session_id, later):
    assert _send(api, agent, JPEG, None, session_id).status_code == 201
    _, stored = _stored(ctx)
    assert Image.open(io.BytesIO(stored)).size == (360, 225)


@pytest.mark.parametrize("thumb", [
    b"RIFF not a webp at all",
    _webp((360, 225))[:-40],  # cut short
    _webp((720, 450)),  # larger than a grid cell needs
    _webp((225, 225)),  # not the screenshot's proportions
    _webp((360, 225), frames=3),  # animated
    screenshot("PNG", size=(360, 225)),  # not a WebP
    b"RIFF" + b"\0" * (64 * 1024 + 1),  # over the size bound
], ids=["garbage", "truncated", "too-large", "wrong-proportions", "animated", "png", "too-many-bytes"])
def test_a_broken_thumbnail_costs_no_slot_the_server_makes_its_own(ctx, api, agent, session_id, later, thumb):
    assert _send(api, agent, JPEG, thumb, session_id).status_code == 201
    (shot,), stored = _stored(ctx)
    assert stored != thumb and Image.open(io.BytesIO(stored)).size == (360, 225)


def test_a_screenshot_cut_short_is_refused_even_with_a_good_thumbnail(ctx, api, agent, session_id, later):
    sent, _ = thumbnail(JPEG)
    answer = _send(api, agent, JPEG[:-300], sent, session_id)
    assert answer.status_code == 422 and "not a readable" in answer.json()["detail"]
    with ctx.unit() as s:
        assert s.exec(select(SlotRow)).all() == [] and _stored(ctx) == ([], None)


def _huge_png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("L", size).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize("image", [
    _huge_png((8192, 8192)),  # 67 million pixels: a checked image would be refused as out of bounds
    _huge_png((6000, 6000))[:-4000],  # within bounds and cut short: a decode would find it unreadable
], ids=["bomb", "huge-and-truncated"])
def test_an_unknown_device_is_refused_before_its_image_is_looked_at(ctx, api, session_id, later, image):
    answer = _send(api, "not-a-token-of-any-device", image, None)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert "pair the device again" in answer.json()["detail"]
    with ctx.unit() as s:
        assert s.exec(select(SlotRow)).all() == []


def test_a_revoked_device_is_still_refused_after_its_token_was_seen(ctx, api, agent, session_id, later, clock):
    sent, _ = thumbnail(JPEG)
    assert _send(api, agent, JPEG, sent, session_id).status_code == 201  # the process now knows the token
    with ctx.unit() as s:
        device = repo.device_by_token_hash(s, token_hash=devices.digest(agent))
    devices.revoke(ctx, device.id, now=clock.now)  # 10:30
    clock.advance(minutes=15)
    answer = _send(api, agent, JPEG, sent, session_id, start=NOW + timedelta(minutes=30))
    assert answer.status_code in (401, 403), answer.text
    with ctx.unit() as s:
        assert len(s.exec(select(SlotRow)).all()) == 1
