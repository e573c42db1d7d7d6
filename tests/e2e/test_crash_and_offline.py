"""The server goes away under a working agent: killed with SIGKILL mid-upload, or down for a while.

Either way every slot the agent recorded ends up in the diary exactly once, with its screenshot
on disk. Slots are 10 s long and start on multiples of 10 s, and the agent uploads each one as it
closes, so a kill a few hundred milliseconds after a boundary lands while an upload is in flight.
"""

import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from agent.home import AgentHome
from agent.queue import Queue
from tests.e2e.conftest import hire_and_pair, queue_drained
from tests.e2e.processes import Freelancer, diary_slots, wait_until
from tests.slack.harness import BOB, CHANNEL

SLOT = 10  # seconds, TALLY_SLOT_SECONDS in the e2e server


def test_a_server_killed_during_uploads_keeps_every_slot_once(tally, slack, agent, xdisplay):
    hire_and_pair(slack, tally, agent)
    with Freelancer(xdisplay):
        clock_in(slack, agent, tally, "crash test")
        for offset in (0.05, 0.25, 0.6):  # into the upload that follows a slot boundary
            pause_until_boundary_plus(offset)
            tally.kill9()
            tally.start()
            more_slots_arrive(tally, agent)
    finish(slack, agent, tally)
    assert_whole_diary(tally, minimum=4)


def test_a_server_down_for_three_slots_gets_them_all_when_it_is_back(tally, slack, agent, xdisplay):
    hire_and_pair(slack, tally, agent)
    with Freelancer(xdisplay):
        clock_in(slack, agent, tally, "offline test")
        tally.stop()
        down_at = datetime.now(UTC)
        time.sleep(3 * SLOT)  # the agent keeps recording while nobody answers
        tally.start()
        more_slots_arrive(tally, agent)
    finish(slack, agent, tally)
    starts = assert_whole_diary(tally, minimum=5)
    during = [s for s in starts if down_at <= s <= down_at + timedelta(seconds=3 * SLOT)]
    assert len(during) >= 2, (down_at, starts)  # recorded while the server was down, uploaded after


def clock_in(slack, agent, tally, memo: str) -> None:
    assert memo in slack.ask(BOB, "clockin", memo)["text"]
    agent.wait_tracking(True)
    assert wait_until(lambda: len(diary_slots(tally)) >= 1, seconds=40), tally.logs()


def more_slots_arrive(tally, agent) -> None:
    seen = len(diary_slots(tally))
    assert wait_until(lambda: len(diary_slots(tally)) > seen, seconds=40), agent.output()


def finish(slack, agent, tally) -> None:
    """Bob clocks out; the agent stops and uploads whatever it still holds."""
    assert "Clocked out" in slack.ask(BOB, "clockout")["text"]
    agent.wait_tracking(False)
    assert wait_until(lambda: queue_drained(agent), seconds=60), agent.output()


def assert_whole_diary(tally, minimum: int) -> list[datetime]:
    """One row per slot, no gap from the first to the last, each screenshot's file on disk."""
    slots = diary_slots(tally)
    starts = [datetime.fromisoformat(s.start).replace(tzinfo=UTC) for s in slots]  # stored as UTC
    assert len(starts) >= minimum and len(set(starts)) == len(starts), starts
    assert all(b - a == timedelta(seconds=SLOT) for a, b in pairwise(starts)), starts
    keys = [key for (key,) in tally.rows("SELECT blob_key FROM screenshot")]
    assert len(keys) == sum(s.has_screenshot for s in slots) and all((tally.data / "screenshots" / k).is_file() for k in keys)
    return starts


def pause_until_boundary_plus(offset: float) -> None:
    time.sleep(SLOT - time.time() % SLOT + offset)


def test_tally_agent_start_with_the_server_down_opens_one_session_from_that_instant(tally, slack, agent, xdisplay):
    """The server is down when Bob runs `tally-agent start`: the agent tracks at once, and once the
    server is back there is one session, from the instant of the clock-in, holding every slot once.

    Rule: docs/rules.md#offline-clock-in
    """
    hire_and_pair(slack, tally, agent)
    assert wait_until(lambda: agent.status() is not None, seconds=20)
    with Freelancer(xdisplay):
        tally.stop()
        before = datetime.now(UTC)
        said = agent.cli("start", "on", "the", "train")
        assert "without a connection to the server" in said.stdout, said.stdout + said.stderr
        agent.wait_tracking(True)
        time.sleep(3 * SLOT)  # slots recorded while nobody answers
        back = datetime.now(UTC)
        tally.start()
        assert wait_until(lambda: len(diary_slots(tally)) >= 3, seconds=60), agent.output()
        more_slots_arrive(tally, agent)
    stopped = agent.cli("stop")
    assert "Clocked out" in stopped.stdout, stopped.stdout + stopped.stderr
    assert wait_until(lambda: queue_drained(agent), seconds=60), agent.output()
    [(session_id, started_at, ended_at)] = tally.rows("SELECT id, started_at, ended_at FROM work_session")
    started = _utc(started_at)
    assert before <= started <= before + timedelta(seconds=5) and started < back  # the clock-in's instant
    assert ended_at is not None
    starts = assert_whole_diary(tally, minimum=4)
    assert starts[0] <= started < starts[0] + timedelta(seconds=SLOT)  # from the clock-in's own slot
    assert {sid for (sid,) in tally.rows("SELECT session_id FROM slot")} == {session_id}
    assert all(s.memo == "on the train" for s in diary_slots(tally))


def _utc(value) -> datetime:
    instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


def test_an_agent_revoked_in_chat_stops_sending_and_keeps_what_it_holds(tally, slack, agent, xdisplay):
    """Bob revokes his laptop with /devices while it tracks: the agent stops recording and sending,
    says how to pair again, and deletes nothing it holds; what it recorded before is in the diary."""
    hire_and_pair(slack, tally, agent)
    with Freelancer(xdisplay):
        clock_in(slack, agent, tally, "revoke test")
        listed = slack.ask(BOB, "devices")
        message = {"ts": "1700000000.000100", "channel": CHANNEL, "text": listed.get("text"), "blocks": listed["blocks"]}
        slack.click(BOB, message, "Revoke")
        revoked_by = datetime.now(UTC).replace(tzinfo=None)
        assert wait_until(lambda: "no longer paired" in agent.output(), seconds=60), agent.output()
        agent.wait_tracking(False)
        # The slot cut short by the stop was recorded before the revocation: it may still land.
        wait_until(lambda: queue_drained(agent), seconds=2 * SLOT)
        recorded = len(diary_slots(tally))
        time.sleep(2 * SLOT)  # it keeps quiet: nothing more is recorded or refused
    assert "tally-agent pair CODE --server URL" in agent.output()
    assert "no longer paired" in agent.cli("status").stdout
    slots = diary_slots(tally)
    assert len(slots) == recorded >= 1
    assert all(datetime.fromisoformat(slot.start) < revoked_by for slot in slots)  # nothing begun after it
    queue = Queue(AgentHome(agent.home).queue_path)
    try:
        assert queue.rejected() == []  # nothing it holds was given up
    finally:
        queue.close()
