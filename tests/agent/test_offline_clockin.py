"""Clocking in with no network: the real agent under Xvfb against the fake server that goes away
and comes back; and an agent whose token was revoked, which stops asking."""

import random
import time
from datetime import UTC, datetime, timedelta
from urllib.request import Request, urlopen

import pytest

from agent.client import ApiClient
from agent.queue import Queue
from agent.slotclock import OpenSlot
from agent.uploader import Uploader
from agent.wire import event_body
from tests.agent.agentproc import AgentProcess
from tests.agent.fake_server import TOKEN

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LOCAL = -1


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay)
    proc.pair()
    server.api.slot_seconds, server.api.idle_minutes = 2, 100
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def _queued(agent) -> int:
    return (agent.status() or {}).get("queued", 0)


def _offline_start(agent, server, queued: int = 4) -> tuple[datetime, str]:
    agent.start()
    assert server.wait_until(lambda: server.api.requests >= 1)  # it has seen the server's state once
    server.stop()
    before = datetime.now(UTC)
    said = agent.cli("start", "on", "the", "train")
    assert said.returncode == 0 and "without a connection to the server" in said.stdout, said.stdout + said.stderr
    agent.wait_tracking()
    assert server.wait_until(lambda: _queued(agent) >= queued, seconds=20), agent.output()  # clock-in + 3 slots
    return before, said.stdout


def test_tally_agent_start_offline_tracks_at_once_and_every_slot_joins_the_session_once(agent, server):
    """Rule: docs/rules.md#offline-clock-in"""
    before, _ = _offline_start(agent, server)
    back = datetime.now(UTC)
    server.start()
    assert server.wait_until(lambda: server.api.events and _queued(agent) <= 1, seconds=20), agent.output()
    [clockin] = server.api.events
    assert clockin.kind == "local_clockin" and clockin.memo == "on the train"
    assert before <= clockin.at <= before + timedelta(seconds=10)  # its own instant, not the arrival's
    assert clockin.at < back - timedelta(seconds=3)  # it waited on the computer for the server
    time.sleep(3)  # a slot recorded under the server's session after the answer
    agent.stop()
    sessions = {session for session, _ in server.api.slots}
    assert sessions == {server.api.session_id}  # none under the local id, none lost to another
    assert server.api.slot_posts == len(server.api.slots) >= 4  # each once
    assert [e.kind for e in server.api.events] == ["local_clockin", "local_clockout"]


def test_a_refused_offline_clock_in_keeps_its_slots_here_and_says_why(agent, server):
    """Rule: docs/rules.md#offline-clock-in"""
    _offline_start(agent, server)
    server.api.event_refusal = (409, {"error": "conflict", "detail": "Website rebuild was paused at Monday 10:00 (UTC)."})
    server.start()
    assert server.wait_until(lambda: (agent.status() or {}).get("tracking") is False, seconds=20), agent.output()
    assert server.api.slot_posts == 0  # nothing of it left the computer
    assert "refused the clock-in made offline: Website rebuild was paused" in agent.output()
    status = agent.cli("status").stdout
    assert "clock-in refused: Website rebuild was paused" in status and "tally-agent open" in status
    url = (agent.home / "window.json").read_text().split('"url": "')[1].split('"')[0]
    page = urlopen(url, timeout=10).read().decode()
    assert "Website rebuild was paused" in page and "delete-held" in page
    deleted = urlopen(Request(url + "held", data=b"", headers={"Accept": "text/plain"}), timeout=30).read().decode()
    assert deleted.startswith("Deleted ") and "slot(s) of the refused clock-in" in deleted
    queue = Queue(agent.home / "queue-v1.sqlite3")
    assert queue.held_count() == 0
    queue.close()
    agent.stop()
    assert server.api.slot_posts == 0


def test_a_revoked_agent_stops_sending_keeps_its_slots_and_says_how_to_pair_again(agent, server):
    server.api.clock_in("work")
    agent.start().wait_tracking()
    assert server.wait_until(lambda: server.api.slot_posts >= 1, seconds=20)
    server.api.revoked = True
    assert server.wait_until(lambda: "no longer paired" in agent.output(), seconds=20), agent.output()
    asked = server.api.requests
    time.sleep(6)  # three slots' time: a retrying agent would have asked several times
    assert server.api.requests - asked <= 1
    assert "tally-agent pair CODE --server URL" in agent.output()
    assert (agent.status() or {}).get("tracking") is False
    assert "no longer paired" in agent.cli("status").stdout
    agent.stop()
    queue = Queue(agent.home / "queue-v1.sqlite3")
    assert queue.pending() >= 1 and queue.rejected() == []  # kept, to be sent after a new pairing
    queue.close()


def _queue_clockin(path) -> None:
    queue = Queue(path)
    queue.add_event(event_body("local_clockin", T0), not_before=T0, session_id=LOCAL)
    for n in range(3):
        start = T0 + timedelta(minutes=10 * n)
        queue.finish(OpenSlot(LOCAL, start, 600, start, start, minutes=[[1, 1]] * 10), not_before=T0)
    queue.close()


def test_the_clock_in_goes_before_its_slots_and_they_take_its_session(server, tmp_path):
    """Rule: docs/rules.md#offline-clock-in"""
    server.api.session_id = 41
    _queue_clockin(tmp_path / "q.sqlite3")
    up = Uploader(tmp_path / "q.sqlite3", ApiClient(server.url, TOKEN, timeout=3), rng=random.Random(1))
    up.start()
    assert server.wait_until(lambda: len(server.api.slots) == 3)
    up.stop()
    assert [e.kind for e in server.api.events] == ["local_clockin"]
    assert {session for session, _ in server.api.slots} == {42}
    queue = Queue(tmp_path / "q.sqlite3")
    assert queue.local_outcome(LOCAL) == 42 and queue.pending() == 0
    start = T0 + timedelta(minutes=30)  # a slot recorded under the local id after the answer
    queue.finish(OpenSlot(LOCAL, start, 600, start, start, minutes=[[1, 1]] * 10), not_before=T0)
    assert queue.head() is not None and '"session_id": 42' in queue.head().body
    queue.close()


def test_a_refused_clock_in_holds_its_slots_and_events_and_later_ones_too(server, tmp_path):
    _queue_clockin(tmp_path / "q.sqlite3")
    server.api.event_refusal = (422, {"error": "too_late", "detail": "more than 7 days old"})
    up = Uploader(tmp_path / "q.sqlite3", ApiClient(server.url, TOKEN, timeout=3), rng=random.Random(1))
    up.start()
    queue = Queue(tmp_path / "q.sqlite3")
    assert server.wait_until(lambda: queue.local_outcome(LOCAL) == "refused")
    queue.add_event(event_body("local_clockout", T0 + timedelta(hours=1)), not_before=T0, session_id=LOCAL)
    up.stop()
    assert server.api.slot_posts == 0 and len(server.api.events) == 0
    assert queue.held_count() == 3 and queue.pending() == 0
    assert all(r.reason.startswith("clock-in refused: more than 7 days old") for r in queue.held())
    assert queue.delete_held() == 3 and queue.rejected() == []
    queue.close()


def test_a_revoked_uploader_waits_for_a_new_pairing_then_sends_the_queue(server, tmp_path):
    queue = Queue(tmp_path / "q.sqlite3")
    queue.finish(OpenSlot(1, T0, 600, T0, T0, minutes=[[1, 1]] * 10), not_before=T0)
    queue.close()
    new_pairing: list[ApiClient] = []
    server.api.revoked = True
    up = Uploader(tmp_path / "q.sqlite3", ApiClient(server.url, TOKEN, timeout=3), rng=random.Random(1),
                  repaired=lambda: new_pairing[0] if new_pairing else None)
    up.start()
    assert server.wait_until(lambda: up.unpaired is not None)
    assert "tally-agent pair CODE --server URL" in (up.problem or "")
    server.api.revoked = False
    new_pairing.append(ApiClient(server.url, TOKEN, timeout=3))  # `tally-agent pair` ran again
    up.wake.set()
    assert server.wait_until(lambda: len(server.api.slots) == 1)
    up.stop()
    assert up.unpaired is None


def test_an_agent_that_went_idle_offline_does_not_resume_when_the_session_opens(agent, server):
    """Idle while offline: once the server opens the session, the agent does not track it again
    (the idle stop that follows ends it); it clocks out at the instant input stopped."""
    server.api.idle_minutes = 5  # half a 2-second slot without input
    _offline_start(agent, server, queued=2)
    assert server.wait_until(lambda: "tracking stopped (idle)" in agent.output(), seconds=20), agent.output()
    server.start()
    assert server.wait_until(lambda: [e.kind for e in server.api.events] == ["local_clockin", "idle_stop"], seconds=20)
    time.sleep(3)
    assert (agent.status() or {}).get("tracking") is False
    assert "Tracking Website rebuild" not in agent.output()  # never took the session up again
    agent.stop()
    assert {session for session, _ in server.api.slots} <= {server.api.session_id}
