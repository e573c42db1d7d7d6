"""The real agent under Xvfb: real input counting, real screenshots, a server that goes away, kill -9.

Slots are 2-4 s long (the server's slot_seconds), so each test takes seconds, not hours.
"""

import json
import signal
from datetime import datetime, timedelta
from io import BytesIO
from itertools import pairwise

import pytest
from PIL import Image

from agent.queue import Queue
from tests.agent.agentproc import AgentProcess

SECRET = "purple elephants whisper seven quiet passwords at noon"


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay)
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def totals(server) -> tuple[int, int]:
    minutes = [m for r in server.api.slots.values() for m in r.report.minutes if m]
    return sum(m.keys for m in minutes), sum(m.mouse for m in minutes)


@pytest.mark.parametrize("backend", ["x11", "pynput"])
def test_typing_is_counted_and_the_secret_is_kept_nowhere(agent, server, xdotool, backend):
    agent.env["TALLY_AGENT_INPUT"] = backend
    server.api.clock_in("privacy check", slot_seconds=2, idle_minutes=100)
    agent.start().wait_tracking()
    xdotool("type", "--delay", "20", SECRET)
    for i in range(30):
        xdotool("mousemove", str(200 + 7 * i), str(300 + 3 * i))
    for button in ("1", "1", "4"):  # two clicks and a scroll
        xdotool("click", button)
    # Once input stops, the next slot boundaries carry the last counts out.
    assert server.wait_until(lambda: totals(server) == (len(SECRET), 33), seconds=20), totals(server)

    haystacks = {"uploaded bodies": b"".join(server.api.bodies), "agent output": agent.output().encode()}
    haystacks |= {str(path): data for path, data in agent.files().items()}
    for word in [SECRET, *SECRET.split()[:4]]:
        found = [name for name, data in haystacks.items() if word.encode() in data]
        assert not found, f"{word!r} found in {found}"


def test_real_screenshots_arrive_with_the_slot(agent, server):
    server.api.clock_in("screens", slot_seconds=2, idle_minutes=100)
    agent.start().wait_tracking()
    assert server.wait_until(lambda: any(r.screenshot for r in server.api.slots.values()), seconds=15)
    shot = next(r for r in server.api.slots.values() if r.screenshot)
    assert Image.open(BytesIO(shot.screenshot)).size == (1280, 720)
    assert shot.report.screenshot_at is not None


def test_slots_recorded_while_the_server_is_down_all_arrive_exactly_once(agent, server):
    server.api.clock_in("offline", slot_seconds=2, idle_minutes=100)
    agent.start().wait_tracking()
    server.stop()
    assert server.wait_until(lambda: (agent.status() or {}).get("queued", 0) >= 3, seconds=20), agent.output()
    server.start()
    server.api.clock_out()
    agent.wait_tracking(False)
    assert server.wait_until(lambda: (agent.status() or {}).get("queued") == 0, seconds=20), agent.output()
    agent.stop()

    starts = sorted(start for _, start in server.api.slots)
    assert len(starts) >= 4
    assert all(b - a == timedelta(seconds=2) for a, b in pairwise(starts)), starts  # no gap
    assert server.api.slot_posts == len(starts)  # none sent twice


def test_kill_9_then_restart_loses_no_queued_slot(agent, server):
    server.api.clock_in("crash", slot_seconds=2, idle_minutes=100)
    agent.start().wait_tracking()
    server.stop()
    assert server.wait_until(lambda: (agent.status() or {}).get("queued", 0) >= 2, seconds=20), agent.output()
    agent.kill9()

    queue = Queue(agent.home / "queue-v1.sqlite3")
    queued = set(_queued_starts(queue))
    left_open = {slot.start for slot in queue.open_slots()}
    queue.close()
    assert len(queued) >= 2 and left_open

    server.start()
    server.api.clock_out()
    agent.start()
    expected = queued | left_open
    assert server.wait_until(lambda: expected <= {start for _, start in server.api.slots}, seconds=20), agent.output()
    agent.stop()


def _queued_starts(queue: Queue) -> list[datetime]:
    rows = queue.db.execute("SELECT body FROM items WHERE state = 'ready' AND kind = 'slot'").fetchall()
    return [datetime.fromisoformat(json.loads(body)["slot_start"]) for (body,) in rows]


def test_idle_stops_tracking_says_so_and_tells_the_server(agent, server):
    server.api.clock_in("idle", slot_seconds=2, idle_minutes=5)  # five 0.2 s minutes: idle after 1 s
    agent.start().wait_tracking()
    assert server.wait_until(lambda: [e.kind for e in server.api.events] == ["idle_stop"], seconds=15), agent.output()
    agent.wait_tracking(False)
    assert "tracking stopped (idle)" in agent.output()
    assert not server.api.tracking


def test_sigterm_queues_the_partial_slot_and_sends_it(agent, server, xdotool):
    server.api.clock_in("terminate", slot_seconds=60, idle_minutes=100)
    agent.start().wait_tracking()
    xdotool("mousemove", "10", "10")
    assert agent.stop(signal.SIGTERM) == 0
    [received] = server.api.slots.values()
    assert received.report.memo == "terminate"
    assert "Stopped." in agent.output()


@pytest.mark.parametrize("backend", ["x11", "pynput"])
def test_ctrl_c_without_any_input_still_exits_promptly(agent, server, backend):
    agent.env["TALLY_AGENT_INPUT"] = backend
    server.api.clock_in("quiet", slot_seconds=60, idle_minutes=100)
    agent.start().wait_tracking()
    assert agent.stop(signal.SIGINT) == 0
    assert "Clocked out at" in agent.output()
    assert [e.kind for e in server.api.events] == ["local_clockout"]  # quitting while tracking clocks out
