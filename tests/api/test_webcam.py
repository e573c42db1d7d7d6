"""The webcam over the agent API and the diary pages: a frame is kept only where the client asked
for it and the freelancer consented on the device; both parties see it, nobody else; it goes
with its slot. Rule: docs/rules.md#webcam"""

import io
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from bot import jobs
from bot.services import contracts, member_data
from bot.services.context import Context
from storage.tables import Slot as SlotRow
from storage.tables import WebcamFrame
from tests.api.world import (ALICE, API, BOB, CAROL, Clock, Slot, bearer, clock_in, hire, make_app, pair_agent, screenshot,
                             upload)
from tests.web.conftest import diary_path

NOW = __import__("tests.api.conftest", fromlist=["NOW"]).NOW  # Wednesday 2026-11-18 10:00 UTC


def camera_frame(seed: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (seed * 40 % 256, 90, 160)).save(out, "JPEG", quality=60)
    return out.getvalue()


def send(client: TestClient, token: str, slot: Slot, frame: bytes | None):
    files = {"meta": (None, slot.meta(), "application/json"), "screenshot": ("shot.webp", screenshot(), "image/webp")}
    if frame is not None:
        files["webcam"] = ("webcam.jpg", frame, "image/jpeg")
    return client.post(f"{API}/slots", files=files, headers=bearer(token))


def consent(client: TestClient, token: str, given: bool, at):
    return client.post(f"{API}/events", json={"kind": "webcam_consent", "at": at.isoformat(), "given": given},
                       headers=bearer(token))


def frames(ctx: Context) -> list[WebcamFrame]:
    with ctx.unit() as s:
        return list(s.exec(select(WebcamFrame).order_by(WebcamFrame.id)))


def starts(ctx: Context) -> dict:
    with ctx.unit() as s:
        return {slot.id: slot.start for slot in s.exec(select(SlotRow))}


@pytest.fixture
def world(ctx):
    """A contract with webcam=on since Monday, bob's paired laptop, bob clocked in at NOW."""
    contract_id = hire(ctx, NOW - timedelta(days=2), webcam=True)
    token = pair_agent(ctx, NOW - timedelta(days=1))
    session_id = clock_in(ctx, NOW)
    clock = Clock(NOW + timedelta(minutes=1))
    with TestClient(make_app(ctx, clock), follow_redirects=False) as client:
        yield client, clock, token, session_id, contract_id


def test_the_state_asks_for_consent_until_the_device_gives_it(ctx, world):
    client, clock, token, _, _ = world
    assert client.get(f"{API}/state", headers=bearer(token)).json()["webcam"] == "needs_consent"
    assert consent(client, token, True, NOW).status_code == 200
    assert client.get(f"{API}/state", headers=bearer(token)).json()["webcam"] == "on"
    assert consent(client, token, False, NOW + timedelta(seconds=30)).status_code == 200
    assert client.get(f"{API}/state", headers=bearer(token)).json()["webcam"] == "needs_consent"


def test_a_consent_event_without_its_answer_is_refused_and_changes_nothing(ctx, world):
    client, _, token, _, _ = world
    answer = client.post(f"{API}/events", json={"kind": "webcam_consent", "at": NOW.isoformat()}, headers=bearer(token))
    assert answer.status_code == 422 and '"given": true' in answer.json()["detail"]
    assert client.get(f"{API}/state", headers=bearer(token)).json()["webcam"] == "needs_consent"


def test_without_consent_the_frame_is_dropped_and_the_slot_kept(ctx, world):
    client, clock, token, session_id, _ = world
    clock.advance(minutes=15)
    assert send(client, token, Slot(session_id, NOW), camera_frame()).status_code == 201
    with ctx.unit() as s:
        assert len(list(s.exec(select(SlotRow)))) == 1
    assert frames(ctx) == []


def test_with_consent_both_parties_see_the_frame_and_nobody_else(ctx, world):
    client, clock, token, session_id, contract_id = world
    consent(client, token, True, NOW)
    clock.advance(minutes=15)
    frame = camera_frame()
    assert send(client, token, Slot(session_id, NOW), frame).status_code == 201
    (kept,) = frames(ctx)
    assert ctx.blobs.get(kept.blob_key) == frame and not kept.blurred
    for who in (BOB, ALICE):
        path = diary_path(ctx, who, contract_id, now=clock.now)
        page = client.get(path + "?day=2026-11-18")
        assert f'/webcam/{kept.slot_id}"' in page.text
        got = client.get(f"{path}/webcam/{kept.slot_id}")
        assert got.status_code == 200 and got.content == frame and got.headers["content-type"] == "image/jpeg"
    hire(ctx, NOW - timedelta(days=1), freelancer=CAROL)  # carol's own contract: her link shows only it
    carols = diary_path(ctx, CAROL, contract_id + 1, now=clock.now)
    assert client.get(f"{carols}/webcam/{kept.slot_id}").status_code == 404
    assert client.get(f"/diary/not-a-token/webcam/{kept.slot_id}").status_code == 403


def test_a_withdrawal_stops_the_frames_of_the_slots_after_it(ctx, world):
    client, clock, token, session_id, _ = world
    consent(client, token, True, NOW)
    clock.advance(minutes=25)
    assert send(client, token, Slot(session_id, NOW), camera_frame(1)).status_code == 201
    consent(client, token, False, NOW + timedelta(minutes=10))
    assert send(client, token, Slot(session_id, NOW + timedelta(minutes=10)), camera_frame(2)).status_code == 201
    assert [starts(ctx)[f.slot_id] for f in frames(ctx)] == [NOW]


def test_a_contract_without_the_term_keeps_no_frame_even_with_consent(ctx, world):
    client, clock, token, session_id, contract_id = world
    consent(client, token, True, NOW)
    contracts.change_terms(ctx, ALICE, {"webcam": False}, now=NOW + timedelta(minutes=2))  # from the next slot
    clock.advance(minutes=25)
    assert send(client, token, Slot(session_id, NOW), camera_frame(1)).status_code == 201  # began under webcam=on
    assert send(client, token, Slot(session_id, NOW + timedelta(minutes=10)), camera_frame(2)).status_code == 201
    assert [starts(ctx)[f.slot_id] for f in frames(ctx)] == [NOW]
    assert client.get(f"{API}/state", headers=bearer(token)).json()["webcam"] == "off"


def test_an_agent_without_a_webcam_part_and_a_broken_frame_both_keep_their_slot(ctx, world):
    client, clock, token, session_id, _ = world
    consent(client, token, True, NOW)
    clock.advance(minutes=25)
    assert upload(client, token, Slot(session_id, NOW)).status_code == 201  # an older agent
    assert send(client, token, Slot(session_id, NOW + timedelta(minutes=10)), b"not a picture").status_code == 201
    with ctx.unit() as s:
        assert len(list(s.exec(select(SlotRow)))) == 2
    assert frames(ctx) == []


def test_the_frame_goes_with_its_slot_when_deleted_when_old_and_when_the_member_is_erased(ctx, world, tmp_path):
    client, clock, token, session_id, _ = world
    consent(client, token, True, NOW)
    clock.advance(minutes=35)
    for i in range(3):
        assert send(client, token, Slot(session_id, NOW + timedelta(minutes=10 * i)), camera_frame(i)).status_code == 201
    first, second, third = frames(ctx)
    gone = client.delete(f"{API}/slots/{NOW.isoformat().replace('+', '%2B')}", headers=bearer(token))
    assert gone.status_code == 200
    assert [f.id for f in frames(ctx)] == [second.id, third.id] and ctx.blobs.get(first.blob_key) is None

    ctx.retention_days = 30  # the retention job takes frames with the screenshots
    with ctx.engine.begin() as conn:
        conn.execute(WebcamFrame.__table__.update().where(WebcamFrame.id == second.id).values(created_at=NOW - timedelta(days=40)))
    jobs.JOBS["retention"](ctx, now=clock.now)
    assert [f.id for f in frames(ctx)] == [third.id] and ctx.blobs.get(second.blob_key) is None

    member_data.export(ctx, member_data.find(ctx, BOB.name), tmp_path / "bob.zip", now=clock.now)
    with zipfile.ZipFile(tmp_path / "bob.zip") as exported:  # the export holds the frame, the erasure takes it
        assert exported.read(f"webcam/{third.blob_key}") == camera_frame(2)
    member_data.erase(ctx, member_data.find(ctx, BOB.name))
    assert frames(ctx) == [] and ctx.blobs.get(third.blob_key) is None


def test_contract_show_says_whether_the_freelancer_consented(ctx, world):
    client, _, token, _, _ = world
    card = contracts.show(ctx, ALICE)
    assert card.webcam is True and "has not consented" in card.webcam_consent
    consent(client, token, True, NOW)
    assert contracts.show(ctx, ALICE).webcam_consent == "the freelancer consented on laptop"
