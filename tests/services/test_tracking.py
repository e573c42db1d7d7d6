"""Clocking in and out, memos, pairing and slot ingest, as the freelancer and the agent meet them."""

from datetime import timedelta

import pytest

from bot.services import agent_events, devices, edits, ingest, sessions, views
from bot.services.results import Choice, ClockedIn, ClockedOut, Done
from diary.protocol import AgentEvent, PairRequest, SlotAccepted
from diary.refusal import Refusal
from storage.tables import WorkSession
from tests.conftest import utc
from tests.services.helpers import (
    ALICE,
    BOB,
    CAROL,
    hire,
    outbox,
    pair_device,
    report,
    running_session_id,
    slots,
)

MON = utc(2026, 11, 16, 10)


def test_clock_in_posts_to_the_channel_and_clock_out_reports_the_session(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    started = sessions.clock_in(ctx, BOB, memo="writing docs", now=MON)
    assert isinstance(started, ClockedIn) and started.memo == "writing docs" and started.agent_hint is None
    sid = running_session_id(ctx)
    for i in range(3):
        t = MON + timedelta(minutes=10 * i)
        ingest.record_slot(ctx, device, report(sid, t, active=6), None, now=t + timedelta(minutes=10))
    done = sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=30))
    assert isinstance(done, ClockedOut) and (done.counted_minutes, done.activity) == (30, 60)
    assert [m.payload["text"] for m in outbox(ctx, "clock")] == ["bob clocked in — writing docs", "bob clocked out"]


def test_the_worked_example_counts_ten_minutes_not_eighteen(ctx):
    """Clock in 10:00, screenshot 10:08, work until 10:18, out before the 10:10 slot's screenshot."""
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    sid = running_session_id(ctx)
    ingest.record_slot(ctx, device, report(sid, MON, shot_after=8 * 60), None, now=MON + timedelta(minutes=10))
    out = MON + timedelta(minutes=18)
    sessions.clock_out(ctx, BOB, now=out)
    # The agent reports the partial 10:10 slot after clock-out; its screenshot instant was to be 10:19.
    ingest.record_slot(ctx, device, report(sid, MON + timedelta(minutes=10), shot_after=None, active=8), None, now=out)
    day = views.day_diary(ctx, BOB, now=out, day="2026-11-16")
    assert day.counted_minutes == 10


def test_a_client_cannot_clock_in_on_the_freelancers_contract(ctx):
    hire(ctx, MON)
    refused = sessions.clock_in(ctx, ALICE, now=MON)
    assert isinstance(refused, Refusal) and "freelancer" in refused.message
    assert outbox(ctx, "clock") == []


def test_clocking_in_on_another_contract_switches(ctx):
    hire(ctx, MON, title="One")
    hire(ctx, MON, client=CAROL, freelancer=BOB, title="Two")
    asked = sessions.clock_in(ctx, BOB, now=MON)
    assert isinstance(asked, Choice) and [cid for cid, _ in asked.options] == [1, 2]
    sessions.clock_in(ctx, BOB, now=MON, contract_id=1)
    moved = sessions.clock_in(ctx, BOB, now=MON, contract_id=2)
    assert moved.title == "Two" and moved.switched_from == "One"
    assert [m.payload["text"] for m in outbox(ctx, "clock")][-2:] == ["bob clocked out (switched contracts).", "bob clocked in"]


def test_clocking_in_twice_and_out_twice_are_refused(ctx):
    hire(ctx, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    assert isinstance(sessions.clock_in(ctx, BOB, now=MON), Refusal)
    sessions.clock_out(ctx, BOB, now=MON)
    assert isinstance(sessions.clock_out(ctx, BOB, now=MON), Refusal)


def test_memo_changes_what_later_slots_carry(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, memo="first", now=MON)
    sid = running_session_id(ctx)
    assert isinstance(sessions.set_memo(ctx, BOB, "second", now=MON), Done)
    assert devices.state(ctx, device, now=MON).memo == "second"
    ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=10))
    assert [x.memo for x in slots(ctx)] == ["second"]
    assert isinstance(sessions.set_memo(ctx, BOB, "  ", now=MON), Refusal)


def test_pairing_gives_a_token_once_and_codes_expire(ctx):
    hire(ctx, MON)
    issued = devices.issue_code(ctx, BOB, now=MON)
    assert issued.command.startswith(f"tally-agent pair {issued.code} --server ")
    request = PairRequest(code=issued.code.lower().replace("-", ""), device_name="laptop")
    paired = devices.pair(ctx, request, now=MON + timedelta(minutes=1))
    assert devices.authenticate(ctx, paired.token, now=MON).member_id is not None
    assert devices.pair(ctx, request, now=MON + timedelta(minutes=2)).code == "not_found"
    late = devices.issue_code(ctx, BOB, now=MON)
    assert devices.pair(ctx, PairRequest(code=late.code, device_name="x"), now=MON + timedelta(minutes=11)).code == "too_late"


def test_tokens_are_stored_hashed_and_revocation_is_immediate(ctx):
    hire(ctx, MON)
    code = devices.issue_code(ctx, BOB, now=MON).code
    paired = devices.pair(ctx, PairRequest(code=code, device_name="laptop"), now=MON)
    with ctx.engine.connect() as conn:
        stored = conn.exec_driver_sql("select token_hash from device").scalars().all()
    assert paired.token not in stored and len(stored[0]) == 64
    devices.revoke(ctx, paired.device_id, now=MON)
    assert devices.revoked_for(devices.authenticate(ctx, paired.token, now=MON), None)


def test_clients_get_no_pairing_code(ctx):
    hire(ctx, MON)
    assert devices.issue_code(ctx, ALICE, now=MON).code == "forbidden"


def test_the_agent_state_follows_clock_in_and_out(ctx):
    hire(ctx, MON, screenshots="blur", idle_minutes=5)
    device = pair_device(ctx, BOB, MON)
    assert devices.state(ctx, device, now=MON).tracking is False
    sessions.clock_in(ctx, BOB, memo="m", now=MON)
    state = devices.state(ctx, device, now=MON)
    assert (state.tracking, state.memo, state.screenshots, state.idle_minutes) == (True, "m", "blur", 5)


@pytest.fixture
def tracking(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    return device, running_session_id(ctx)


def test_the_same_slot_twice_is_accepted_once_and_a_different_one_conflicts(ctx, tracking):
    device, sid = tracking
    first = ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=10))
    again = ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=11))
    assert isinstance(first, SlotAccepted) and (again.id, again.duplicate) == (first.id, True)
    other = ingest.record_slot(ctx, device, report(sid, MON, active=2), None, now=MON + timedelta(minutes=11))
    assert other.code == "conflict"
    assert len(slots(ctx)) == 1


@pytest.mark.parametrize(
    "change, words",
    [
        (dict(start_offset=timedelta(minutes=3)), "multiple of 600"),
        (dict(start_offset=timedelta(hours=-2)), "outside its session"),
        (dict(start_offset=timedelta(hours=5)), "future"),
        (dict(shot_after=700), "inside the slot"),
    ],
)
def test_bad_slots_are_refused_and_nothing_is_stored(ctx, tracking, change, words):
    device, sid = tracking
    start = MON + change.get("start_offset", timedelta(0))
    result = ingest.record_slot(ctx, device, report(sid, start, shot_after=change.get("shot_after", 300)), None, now=MON + timedelta(minutes=10))
    assert isinstance(result, Refusal) and words in result.message
    assert slots(ctx) == []


def test_a_device_cannot_report_into_someone_elses_session(ctx, tracking):
    _, sid = tracking
    hire(ctx, MON, client=ALICE, freelancer=CAROL)
    carols = pair_device(ctx, CAROL, MON)
    assert ingest.record_slot(ctx, carols, report(sid, MON), None, now=MON).code == "not_found"


def test_late_uploads_count_until_the_edit_deadline_and_are_kept_late_after_it(ctx, tracking):
    device, sid = tracking
    monday_noon = utc(2026, 11, 23, 12)
    ok = ingest.record_slot(ctx, device, report(sid, MON), None, now=monday_noon - timedelta(seconds=1))
    late = ingest.record_slot(ctx, device, report(sid, MON + timedelta(minutes=10)), None, now=monday_noon)
    assert (ok.late, late.late, late.counted_minutes) == (False, True, 10)


def test_a_deleted_slot_loses_its_time_and_does_not_come_back(ctx, tracking):
    device, sid = tracking
    accepted = ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=10))
    assert isinstance(edits.delete_slot(ctx, ALICE, accepted.id, now=MON), Refusal)  # only the freelancer
    assert isinstance(edits.delete_slot(ctx, BOB, accepted.id, now=MON), Done)
    again = ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=12))
    assert again.duplicate and again.counted_minutes == 0
    assert views.day_diary(ctx, BOB, now=MON, day="2026-11-16").counted_minutes == 0


def test_screenshots_off_refuses_images_and_counts_active_slots(ctx):
    hire(ctx, MON, screenshots="off")
    device = pair_device(ctx, BOB, MON)
    sessions.clock_in(ctx, BOB, now=MON)
    sid = running_session_id(ctx)
    refused = ingest.record_slot(ctx, device, report(sid, MON), None, now=MON + timedelta(minutes=10))
    assert "no screenshots" in refused.message
    ingest.record_slot(ctx, device, report(sid, MON, shot_after=None, active=1), None, now=MON + timedelta(minutes=10))
    ingest.record_slot(ctx, device, report(sid, MON + timedelta(minutes=10), shot_after=None, active=0), None, now=MON + timedelta(minutes=20))
    assert views.day_diary(ctx, BOB, now=MON, day="2026-11-16").counted_minutes == 10


def test_idle_stop_ends_the_session_and_tells_the_freelancer(ctx, tracking):
    device, _ = tracking
    result = agent_events.handle(ctx, device, AgentEvent(kind="idle_stop", at=MON + timedelta(minutes=25)), now=MON + timedelta(minutes=26))
    assert result.ok and devices.state(ctx, device, now=MON).tracking is False
    dm = outbox(ctx, "idle")
    assert dm[0].channel == "@U-bob" and "idle" in dm[0].payload["text"]


def test_local_clock_in_and_out_from_the_desktop(ctx):
    hire(ctx, MON)
    device = pair_device(ctx, BOB, MON)
    started = agent_events.handle(ctx, device, AgentEvent(kind="local_clockin", at=MON, memo="from desk"), now=MON)
    assert started.ok and devices.state(ctx, device, now=MON).memo == "from desk"
    stopped = agent_events.handle(ctx, device, AgentEvent(kind="local_clockout", at=MON), now=MON)
    assert stopped.ok and not devices.state(ctx, device, now=MON).tracking


def test_a_clock_out_sent_late_by_a_quit_agent_ends_the_session_when_it_quit(ctx, tracking):
    device, sid = tracking
    quit_at = MON + timedelta(minutes=25)
    stopped = agent_events.handle(ctx, device, AgentEvent(kind="local_clockout", at=quit_at), now=MON + timedelta(hours=3))
    assert stopped.ok and not devices.state(ctx, device, now=MON).tracking
    assert sessions.clock_in(ctx, BOB, now=MON + timedelta(hours=4)).started_at == MON + timedelta(hours=4)
    with ctx.unit() as s:
        assert s.get(WorkSession, sid).ended_at == quit_at


@pytest.mark.parametrize("kind", ["local_clockout", "idle_stop"])
def test_an_old_queued_stop_leaves_a_session_begun_after_it_alone(ctx, tracking, kind):
    device, _ = tracking
    sessions.clock_out(ctx, BOB, now=MON + timedelta(minutes=30))
    sessions.clock_in(ctx, BOB, now=MON + timedelta(hours=2))  # from chat, while the agent was offline
    late = agent_events.handle(ctx, device, AgentEvent(kind=kind, at=MON + timedelta(minutes=20)), now=MON + timedelta(hours=2, minutes=5))
    assert late.ok and late.message == "Not clocked in; nothing to stop."
    assert devices.state(ctx, device, now=MON + timedelta(hours=2, minutes=5)).tracking


def test_ids_beyond_any_key_are_simply_not_found(ctx, tracking):
    """Numbers people type can exceed a 32-bit key; PostgreSQL would refuse them mid-query."""
    huge = 2**40
    assert edits.delete_slot(ctx, BOB, huge, now=MON).code == "not_found"
    assert isinstance(sessions.clock_in(ctx, BOB, now=MON, contract_id=huge), Refusal)
