"""Direct uploads: with an S3-compatible store the agent puts a slot's screenshot and thumbnail in
the bucket itself, and the server records the slot only once each named object is there with the
declared size and SHA-256 (checked by the store's own checksum, without downloading it).

The agent is the real one (its queue, uploader and HTTP client) against the server on a real
socket, with moto's S3 server as the bucket.
"""

import hashlib
import io
import random
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from fastapi.testclient import TestClient
from PIL import Image as PILImage
from sqlmodel import select

from agent import capture
from agent.client import ApiClient
from agent.queue import Queue
from agent.slotclock import OpenSlot
from agent.uploader import Uploader
from bot.services import links
from storage.blobs import open_blobs
from storage.tables import Screenshot, Slot as SlotRow
from tests.api.world import API, BOB, Clock, Slot, bearer, clock_in, hire, make_app, pair_agent, upload
from tests.blobs.conftest import object_keys
from tests.web.live import serving

NOW = datetime(2026, 11, 18, 10, 30, tzinfo=UTC)
START = NOW - timedelta(minutes=30)


def agent_jpeg(seed: int = 3) -> bytes:
    """A screenshot as the agent encodes one."""
    rng = random.Random(seed)
    picture = PILImage.new("RGB", (1280, 800), (40, 60, 90))
    for _ in range(20):
        x, y = rng.randrange(1200), rng.randrange(760)
        picture.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + 80, y + 40))
    return capture.encode(picture)


def queue_slot(path, session_id: int, shot: bytes) -> None:
    queue = Queue(path)
    slot = OpenSlot(session_id, START, 600, START, START + timedelta(minutes=4), minutes=[[5, 9]] * 10,
                    shot_at=START + timedelta(minutes=4))
    queue.save_open(slot, shot)
    queue.finish(slot, not_before=START)
    queue.close()


def run_agent(server: str, token: str, path) -> Queue:
    up = Uploader(path, ApiClient(server, token, timeout=10), rng=random.Random(1))
    up.slot_seconds = 2
    assert up.flush(seconds=20) == 1, up.problem
    return Queue(path)


@pytest.fixture
def world(ctx):
    contract_id = hire(ctx, NOW - timedelta(hours=1))
    token = pair_agent(ctx, NOW - timedelta(hours=1))
    return contract_id, token, clock_in(ctx, START)


def stored_checksum(endpoint: str, bucket: str, key: str) -> str | None:
    head = boto3.client("s3", endpoint_url=endpoint).head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    return head.get("ChecksumSHA256")


def test_the_real_agent_puts_the_screenshot_in_the_bucket_itself(ctx, world, s3_endpoint, bucket, tmp_path):
    contract_id, token, session_id = world
    ctx.blobs = open_blobs(f"s3://{bucket}/tally", tmp_path, endpoint_url=s3_endpoint)
    shot = agent_jpeg()
    queue_slot(tmp_path / "q.sqlite3", session_id, shot)
    with serving(make_app(ctx, Clock(NOW))) as server:
        queue = run_agent(server, token, tmp_path / "q.sqlite3")
    assert queue.pending() == 0 and queue.rejected() == []
    key, thumb = object_keys(s3_endpoint, bucket)
    assert thumb == f"{key}.thumb.webp" and key.startswith(f"tally/{contract_id}/2026/11/18/100000-")
    # Only a PUT through a presigned target carries a checksum the store keeps: the agent put both.
    assert stored_checksum(s3_endpoint, bucket, key) is not None
    assert stored_checksum(s3_endpoint, bucket, thumb) is not None
    with ctx.unit() as db:
        row = db.exec(select(Screenshot)).one()
    assert (row.size, row.sha256, row.width, row.height) == (len(shot), hashlib.sha256(shot).hexdigest(), 1280, 800)
    with TestClient(make_app(ctx, Clock(NOW))) as client:
        page = links.diary_link(ctx, BOB, contract_id, now=NOW).url.removeprefix(ctx.public_url)
        assert client.get(f"{page}/shots/{row.slot_id}").content == shot


def test_with_a_folder_store_the_agent_sends_the_screenshot_in_the_slot_as_before(ctx, world, tmp_path):
    _, token, session_id = world
    shot = agent_jpeg()
    queue_slot(tmp_path / "q.sqlite3", session_id, shot)
    with serving(make_app(ctx, Clock(NOW))) as server:
        assert ApiClient(server, token).state().tracking  # the server is up and knows the device
        queue = run_agent(server, token, tmp_path / "q.sqlite3")
    assert queue.pending() == 0 and queue.rejected() == []
    with ctx.unit() as db:
        row = db.exec(select(Screenshot)).one()
    assert ctx.blobs.get(row.blob_key) == shot


# ---------------------------------------------------------------- the server's checks, one by one

def targets(client, token, session_id, parts=None, sizes=None, digests=None):
    shot = agent_jpeg()
    small, _ = capture.thumbnail(shot)
    images = {"screenshot": shot, "thumbnail": small}
    body = {"session_id": session_id, "slot_start": START.isoformat(), "parts": parts or list(images),
            "sizes": sizes or [len(v) for v in images.values()],
            "sha256s": digests or [hashlib.sha256(v).hexdigest() for v in images.values()]}
    return client.post(f"{API}/uploads", json=body, headers=bearer(token)), images


def put(target: dict, data: bytes) -> int:
    import httpx

    return httpx.put(target["url"], content=data, headers=target["headers"]).status_code


def slot_naming(session_id: int, answer: dict, images: dict, **changes) -> Slot:
    objects = {t["part"]: {"key": t["key"], "size": len(images[t["part"]]),
                           "sha256": hashlib.sha256(images[t["part"]]).hexdigest()} for t in answer["targets"]}
    objects["screenshot"] |= {"width": 1280, "height": 800}
    for part, change in changes.items():
        objects[part] |= change
    return Slot(session_id, START, extra={"objects": objects})


def post_meta(client, token, slot: Slot):
    return client.post(f"{API}/slots", files={"meta": (None, slot.meta(), "application/json")}, headers=bearer(token))


@pytest.fixture
def s3_client(ctx, world, s3_endpoint, bucket, tmp_path):
    ctx.blobs = open_blobs(f"s3://{bucket}/tally", tmp_path, endpoint_url=s3_endpoint)
    with TestClient(make_app(ctx, Clock(NOW))) as client:
        yield client


def slot_count(ctx) -> int:
    with ctx.unit() as db:
        return len(db.exec(select(SlotRow)).all())


def test_a_slot_naming_an_object_never_put_is_refused_and_nothing_is_recorded(ctx, world, s3_client):
    _, token, session_id = world
    answer, images = targets(s3_client, token, session_id)
    assert answer.status_code == 200
    refused = post_meta(s3_client, token, slot_naming(session_id, answer.json(), images))
    assert refused.status_code == 409 and refused.json()["error"] == "object_missing"
    assert slot_count(ctx) == 0


def test_a_slot_whose_object_differs_from_what_it_declares_is_refused(ctx, world, s3_client, s3_endpoint, bucket):
    _, token, session_id = world
    answer, images = targets(s3_client, token, session_id)
    for target in answer.json()["targets"]:
        assert put(target, images[target["part"]]) == 200
    # Someone with bucket access replaces the screenshot afterwards.
    key = answer.json()["targets"][0]["key"]
    boto3.client("s3", endpoint_url=s3_endpoint).put_object(Bucket=bucket, Key=f"tally/{key}", Body=b"not the screenshot")
    refused = post_meta(s3_client, token, slot_naming(session_id, answer.json(), images))
    assert refused.status_code == 409 and refused.json()["error"] == "object_mismatch"
    assert slot_count(ctx) == 0


def test_a_slot_declaring_another_size_is_refused(ctx, world, s3_client):
    _, token, session_id = world
    answer, images = targets(s3_client, token, session_id)
    for target in answer.json()["targets"]:
        put(target, images[target["part"]])
    slot = slot_naming(session_id, answer.json(), images, thumbnail={"size": 1234})
    refused = post_meta(s3_client, token, slot)
    assert refused.status_code == 409 and refused.json()["error"] == "object_mismatch"
    accepted = post_meta(s3_client, token, slot_naming(session_id, answer.json(), images))
    assert accepted.status_code == 201
    again = post_meta(s3_client, token, slot_naming(session_id, answer.json(), images))
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_a_recorded_slots_images_can_never_be_put_again(ctx, world, s3_client):
    """After the slot is recorded (say, approved since), /uploads gives no writable target for it:
    the images the client saw stay the ones recorded. A re-send still gets its 200."""
    _, token, session_id = world
    answer, images = targets(s3_client, token, session_id)
    for target in answer.json()["targets"]:
        put(target, images[target["part"]])
    assert post_meta(s3_client, token, slot_naming(session_id, answer.json(), images)).status_code == 201
    other_thumb = capture.thumbnail(agent_jpeg(seed=9))[0]
    later, _ = targets(s3_client, token, session_id, digests=[hashlib.sha256(images["screenshot"]).hexdigest(),
                                                              hashlib.sha256(other_thumb).hexdigest()])
    assert later.status_code == 200 and [t["url"] for t in later.json()["targets"]] == [None, None]
    again = post_meta(s3_client, token, slot_naming(session_id, later.json(), images))
    assert again.status_code == 200 and again.json()["duplicate"] is True


def test_an_agent_cannot_claim_another_contracts_object(ctx, world, s3_client, s3_endpoint, bucket):
    _, token, session_id = world
    answer, images = targets(s3_client, token, session_id)
    for target in answer.json()["targets"]:
        put(target, images[target["part"]])
    # The same bytes under a key of contract 999 (or anywhere else): not this slot's key.
    shot = images["screenshot"]
    stolen = "tally/999/2026/11/18/100000-" + hashlib.sha256(shot).hexdigest()[:16] + ".jpg"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.put_object(Bucket=bucket, Key=stolen, Body=shot, ChecksumAlgorithm="SHA256")
    slot = slot_naming(session_id, answer.json(), images, screenshot={"key": stolen.removeprefix("tally/")})
    del slot.extra["objects"]["thumbnail"]
    refused = post_meta(s3_client, token, slot)
    assert refused.status_code == 409 and refused.json()["error"] == "object_mismatch"
    escaping = slot_naming(session_id, answer.json(), images, screenshot={"key": "../other/x.jpg"})
    assert post_meta(s3_client, token, escaping).status_code == 409
    assert slot_count(ctx) == 0


def test_upload_targets_are_refused_with_a_reason(ctx, world, s3_client):
    contract_id, token, session_id = world
    mismatched, _ = targets(s3_client, token, session_id, sizes=[10])
    assert mismatched.status_code == 422 and "one size and one sha256 per part" in mismatched.json()["detail"]
    webcam, _ = targets(s3_client, token, session_id, parts=["webcam", "thumbnail"])  # a frame comes with its screenshot
    assert webcam.status_code == 422 and "carries the slot's screenshot" in webcam.json()["detail"]
    huge, _ = targets(s3_client, token, session_id, sizes=[3 * 1024 * 1024, 10])
    assert huge.status_code == 413
    others, _ = targets(s3_client, token, session_id + 1000)
    assert others.status_code == 404
    assert s3_client.post(f"{API}/uploads", json={}, headers=bearer("nope")).status_code == 401


@pytest.fixture
def api(ctx):
    with TestClient(make_app(ctx, Clock(NOW))) as client:
        yield client


def test_a_folder_store_says_direct_uploads_are_off(ctx, world, api):
    _, token, session_id = world
    answer, _ = targets(api, token, session_id)
    assert answer.status_code == 404 and answer.json()["error"] == "direct_off"


def test_old_slots_keep_their_fingerprint(ctx, world, api):
    """A slot recorded before `objects` existed, sent again by an agent that was offline across the
    upgrade, is still the same slot (200), not a conflict."""
    _, token, session_id = world
    first = upload(api, token, Slot(session_id, START))
    assert first.status_code == 201
    again = upload(api, token, Slot(session_id, START))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_the_agents_thumbnail_is_the_grid_size():
    small, size = capture.thumbnail(agent_jpeg())
    assert size == (1280, 800)
    with PILImage.open(io.BytesIO(small)) as picture:
        assert picture.format == "WEBP" and picture.size[0] <= 360 and picture.size[1] <= 225
