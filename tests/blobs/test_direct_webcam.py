"""The webcam frame from the real agent's queue, uploader and HTTP client to the server on a real
socket: put in the bucket by the agent itself with an S3-compatible store (moto), or carried in
the slot's multipart with a folder store; kept once consent was given, and shown through the link.

Rule: docs/rules.md#webcam
"""

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from agent.client import ApiClient
from agent.queue import Queue
from agent.slotclock import OpenSlot
from agent.wire import event_body
from bot.services import links
from storage.blobs import open_blobs
from storage.tables import WebcamFrame
from tests.api.world import BOB, Clock, clock_in, hire, make_app, pair_agent
from tests.blobs.conftest import object_keys
from tests.blobs.test_direct_uploads import NOW, START, agent_jpeg, run_agent
from tests.web.live import serving


def queue_slot_with_frame(path, session_id: int, shot: bytes, frame: bytes) -> None:
    queue = Queue(path)
    slot = OpenSlot(session_id, START, 600, START, START + timedelta(minutes=4), minutes=[[5, 9]] * 10,
                    shot_at=START + timedelta(minutes=4), webcam=True)
    queue.save_open(slot, shot, frame)
    queue.finish(slot, not_before=START)
    queue.close()


@pytest.mark.parametrize("store", ["bucket", "folder"])
def test_the_real_agent_sends_the_frame_and_both_parties_see_it(ctx, store, tmp_path, request):
    contract_id = hire(ctx, NOW - timedelta(hours=1), webcam=True)
    token = pair_agent(ctx, NOW - timedelta(hours=1))
    session_id = clock_in(ctx, START)
    if store == "bucket":
        endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("bucket")
        ctx.blobs = open_blobs(f"s3://{bucket}/tally", tmp_path, endpoint_url=endpoint)
    shot, frame = agent_jpeg(), agent_jpeg(seed=9)
    queue_slot_with_frame(tmp_path / "q.sqlite3", session_id, shot, frame)
    with serving(make_app(ctx, Clock(NOW))) as server:
        ApiClient(server, token).post_event(event_body("webcam_consent", START - timedelta(minutes=5), given=True))
        queue = run_agent(server, token, tmp_path / "q.sqlite3")
    assert queue.pending() == 0 and queue.rejected() == []
    with ctx.unit() as db:
        kept = db.exec(select(WebcamFrame)).one()
    assert (kept.sha256, kept.width, kept.height) == (hashlib.sha256(frame).hexdigest(), 1280, 800)
    assert ".webcam." in kept.blob_key and ctx.blobs.get(kept.blob_key) == frame
    if store == "bucket":
        assert any(key.endswith(kept.blob_key) for key in object_keys(endpoint, bucket))
    with TestClient(make_app(ctx, Clock(NOW))) as client:
        for who in (BOB,):
            page = links.diary_link(ctx, who, contract_id, now=NOW).url.removeprefix(ctx.public_url)
            assert client.get(f"{page}/webcam/{kept.slot_id}").content == frame
