"""The uploader against the fake server: order, retries, rejection, never a loss."""

import json
import random
from datetime import UTC, datetime, timedelta

from agent.client import ApiClient
from agent.queue import Queue
from agent.slotclock import OpenSlot
from agent.uploader import Uploader, retry_delay
from tests.agent.fake_server import TOKEN

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def queue_slots(path, count: int, session: int = 1) -> list[datetime]:
    queue, starts = Queue(path), []
    for n in range(count):
        start = T0 + timedelta(minutes=10 * n)
        queue.finish(OpenSlot(session, start, 600, start, start, minutes=[[n, n]] * 10), not_before=T0)
        starts.append(start)
    queue.close()
    return starts


def uploader(server, path) -> Uploader:
    up = Uploader(path, ApiClient(server.url, TOKEN, timeout=3), rng=random.Random(4))
    up.slot_seconds = 2  # retries within a second or so
    return up


def test_slots_go_oldest_first_and_leave_the_queue(server, tmp_path):
    starts = queue_slots(tmp_path / "q.sqlite3", 4)
    up = uploader(server, tmp_path / "q.sqlite3")
    up.start()
    assert server.wait_until(lambda: len(server.api.slots) == 4)
    up.stop()
    assert [start for _, start in server.api.slots] == starts
    assert Queue(tmp_path / "q.sqlite3").pending() == 0


def test_while_the_server_is_down_nothing_is_lost_and_nothing_is_sent_twice(server, tmp_path):
    server.stop()
    starts = queue_slots(tmp_path / "q.sqlite3", 3)
    up = uploader(server, tmp_path / "q.sqlite3")
    up.start()
    assert not server.wait_until(lambda: server.api.slot_posts, seconds=2)
    assert up.problem and up.problem.startswith("offline")
    server.start()
    assert server.wait_until(lambda: len(server.api.slots) == 3)
    up.stop()
    assert sorted(start for _, start in server.api.slots) == starts and server.api.slot_posts == 3


def test_server_errors_are_retried_until_they_pass(server, tmp_path):
    queue_slots(tmp_path / "q.sqlite3", 1)
    server.api.fail_slots_with = 503
    up = uploader(server, tmp_path / "q.sqlite3")
    up.start()
    assert server.wait_until(lambda: server.api.slot_posts >= 2)
    server.api.fail_slots_with = None
    assert server.wait_until(lambda: len(server.api.slots) == 1)
    up.stop()
    assert Queue(tmp_path / "q.sqlite3").rejected() == []


def test_a_conflict_moves_the_slot_to_the_rejected_list_and_the_rest_go_on(server, tmp_path):
    path = tmp_path / "q.sqlite3"
    queue_slots(path, 2)
    api_client = ApiClient(server.url, TOKEN)
    first = Queue(path).head()
    different = json.loads(first.body) | {"memo": "another version of the same slot"}
    api_client.post_slot(json.dumps(different), None)  # the server already holds another report for it
    up = uploader(server, path)
    up.start()
    assert server.wait_until(lambda: Queue(path).pending() == 0)
    up.stop()
    [rejected] = Queue(path).rejected()
    assert rejected.what == T0.isoformat() and rejected.reason.startswith("409 conflict")
    assert (1, T0 + timedelta(minutes=10)) in server.api.slots


def test_an_upload_waits_for_its_spread_instant(server, tmp_path):
    path = tmp_path / "q.sqlite3"
    later = datetime.now(UTC) + timedelta(seconds=30)
    Queue(path).finish(OpenSlot(1, T0, 600, T0, T0, minutes=[[1, 1]] * 10), not_before=later)
    up = uploader(server, path)
    up.start()
    assert not server.wait_until(lambda: server.api.slot_posts, seconds=1)
    up.stop()
    assert up.flush(seconds=3) == 1  # on the way out, it goes regardless


def test_retry_delays_double_up_to_the_cap_with_jitter():
    rng = random.Random(0)
    delays = [retry_delay(failures, cap=300, rng=rng) for failures in range(1, 12)]
    assert all(2 ** (n - 1) / 2 <= d <= 2 ** (n - 1) for n, d in zip(range(1, 10), delays))
    assert 150 <= delays[-1] <= 300


def test_a_screenshot_travels_with_the_thumbnail_the_server_would_otherwise_decode_it_for(server, tmp_path):
    import io
    from email.parser import BytesParser
    from email.policy import HTTP

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((1920, 1080), 40).convert("RGB").save(out, "JPEG")
    path, shot = tmp_path / "q.sqlite3", out.getvalue()
    queue, slot = Queue(path), OpenSlot(1, T0, 600, T0, T0, minutes=[[1, 1]] * 10, shot_at=T0)
    queue.save_open(slot, shot)
    queue.finish(slot, not_before=T0)
    queue.close()
    up = uploader(server, path)
    up.start()
    assert server.wait_until(lambda: server.api.slot_posts == 1)
    up.stop()
    boundary = server.api.bodies[-1].split(b"\r\n", 1)[0][2:].decode()
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode() + server.api.bodies[-1])
    parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in message.iter_parts()}
    assert parts["screenshot"] == shot
    with Image.open(io.BytesIO(parts["thumbnail"])) as small:
        assert small.format == "WEBP" and small.size == (360, 203)  # the screen's proportions, within 360x225
