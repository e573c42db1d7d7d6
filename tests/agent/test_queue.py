"""The durable queue: what is written survives the process, leaves only on upload, keeps within its disk budget."""

import json
from datetime import UTC, datetime, timedelta

from agent.queue import Queue
from agent.slotclock import OpenSlot

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def slot(minute: int, session: int = 1) -> OpenSlot:
    start = T0 + timedelta(minutes=10 * minute)
    return OpenSlot(session, start, 600, start, start, "memo", minutes=[[1, 2]] * 10)


def test_a_finished_slot_is_on_disk_before_anyone_uploads_it(tmp_path):
    Queue(tmp_path / "q.sqlite3", version="0.1").finish(slot(0), not_before=T0)
    reopened = Queue(tmp_path / "q.sqlite3")
    item = reopened.head()
    assert item and item.kind == "slot"
    assert json.loads(item.body)["slot_start"] == T0.isoformat() and json.loads(item.body)["agent_version"] == "0.1"


def test_items_leave_oldest_first_and_only_when_sent(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    for minute in range(3):
        queue.finish(slot(minute), not_before=T0)
    queue.add_event({"kind": "idle_stop", "at": T0.isoformat()}, not_before=T0)
    seen = []
    while item := queue.head():
        seen.append(json.loads(item.body).get("slot_start") or json.loads(item.body)["kind"])
        queue.sent(item.id, T0)
    assert seen == [(T0 + timedelta(minutes=10 * m)).isoformat() for m in range(3)] + ["idle_stop"]
    assert queue.pending() == 0 and queue.last_upload() == T0


def test_a_rejected_slot_is_kept_with_the_servers_reason(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    queue.finish(slot(0), not_before=T0)
    queue.reject(queue.head().id, "409 conflict: a different slot for this start")
    assert queue.head() is None
    [rejected] = queue.rejected()
    assert (rejected.what, rejected.reason) == (T0.isoformat(), "409 conflict: a different slot for this start")


def test_the_slot_being_recorded_is_checkpointed_with_its_screenshot(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    current = slot(0)
    queue.save_open(current, screenshot=b"jpeg")
    current.minutes[0] = [9, 9]
    queue.save_open(current)  # a later checkpoint keeps the screenshot already stored
    assert queue.head() is None  # not uploadable while open
    [back] = Queue(tmp_path / "q.sqlite3").open_slots()
    assert back.minutes[0] == [9, 9]
    queue.finish(back, not_before=T0)
    assert queue.head().shot == b"jpeg" and queue.open_slots() == []


def test_past_the_budget_the_oldest_screenshots_go_and_the_slots_stay(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3", max_bytes=250)
    for minute in range(5):
        queue.save_open(slot(minute), screenshot=bytes(100))
        queue.finish(slot(minute), not_before=T0)
    shots = []
    while item := queue.head():
        shots.append(item.shot is not None)
        queue.sent(item.id, T0)
    assert shots == [False, False, False, True, True]


def test_the_queue_file_is_private_and_versioned(tmp_path):
    from agent.home import AgentHome

    home = AgentHome(tmp_path / "home")
    Queue(home.queue_path)
    assert home.queue_path.name == "queue-v1.sqlite3"
    assert home.queue_path.stat().st_mode & 0o077 == 0


def test_a_slot_deleted_before_upload_never_becomes_uploadable(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    current, waiting = slot(1), slot(0)
    queue.finish(waiting, not_before=T0)
    queue.save_open(current, screenshot=b"jpeg")
    assert queue.holds(1, current.start) and queue.drop(1, waiting.start)
    current.discarded = True  # the slot being recorded, deleted in the tracker window
    queue.save_open(current)
    queue.finish(current, not_before=T0)
    assert queue.head() is None and not queue.holds(1, current.start) and queue.open_slots() == []
    assert not queue.drop(1, waiting.start)  # nothing left to delete here: the caller asks the server


def test_slots_an_older_server_refused_as_late_or_for_a_long_memo_go_again_and_others_stay_refused(tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    reasons = ["422 too_late: Too late: that week closed for changes on Monday 2026-03-09 12:00 (UTC).",
               "409 conflict: a different slot for this start",
               "422 invalid: memo: String should have at most 500 characters"]
    for minute, reason in enumerate(reasons):
        queue.finish(slot(minute), not_before=T0)
        queue.reject(queue.head().id, reason)
    assert queue.resend_refused_late() == 2
    again = []
    while item := queue.head():
        again.append(json.loads(item.body)["slot_start"])
        queue.sent(item.id, T0)
    assert again == [T0.isoformat(), (T0 + timedelta(minutes=20)).isoformat()]
    assert [r.reason for r in queue.rejected()] == [reasons[1]]
    assert queue.resend_refused_late() == 0
