"""A clock-in made on the desktop while offline arrives later with its own instant: the session
opens at that instant, the slots recorded since attach to it, and only what the rules refuse is
refused."""

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.services import agent_events, contracts, devices, ingest, sessions, views
from diary.protocol import AgentEvent, EventResult, SlotAccepted
from diary.refusal import Refusal
from diary.terms import ContractStatus
from storage.tables import WorkSession
from tests.conftest import utc
from tests.services.helpers import ALICE, BOB, hire, outbox, pair_device, report

MON = utc(2026, 11, 16, 9)
OFFLINE_AT = MON + timedelta(hours=1)  # 10:00, clocked in on the train
ARRIVES = MON + timedelta(hours=3)  # 12:00, back online


@pytest.fixture
def device(ctx):
    hire(ctx, MON)
    return pair_device(ctx, BOB, MON)


def _clock_in(ctx, device, at, now=ARRIVES, **extra):
    return agent_events.handle(ctx, device, AgentEvent(kind="local_clockin", at=at, memo="on the train", **extra), now=now)


def _sessions(ctx) -> list[WorkSession]:
    with ctx.unit() as s:
        return list(s.exec(select(WorkSession).order_by(WorkSession.id)))


def test_the_session_opens_at_the_offline_instant_and_the_slots_recorded_since_count(ctx, device):
    """Rule: docs/rules.md#offline-clock-in"""
    started = _clock_in(ctx, device, OFFLINE_AT)
    assert isinstance(started, EventResult) and started.ok and started.session_id
    [session] = _sessions(ctx)
    assert (session.id, session.started_at, session.ended_at, session.memo) == (started.session_id, OFFLINE_AT, None, "on the train")
    for i in range(6):  # the hour recorded offline, arriving after the clock-in
        t = OFFLINE_AT + timedelta(minutes=10 * i)
        assert isinstance(ingest.record_slot(ctx, device, report(started.session_id, t), None, now=ARRIVES), SlotAccepted)
    out = agent_events.handle(ctx, device, AgentEvent(kind="local_clockout", at=OFFLINE_AT + timedelta(hours=1)), now=ARRIVES)
    assert out.ok
    [session] = _sessions(ctx)
    assert session.ended_at == OFFLINE_AT + timedelta(hours=1)
    assert views.day_diary(ctx, BOB, now=ARRIVES, day="2026-11-16").counted_minutes == 60


def test_the_same_clock_in_sent_again_opens_no_second_session(ctx, device):
    """Rule: docs/rules.md#offline-clock-in"""
    first = _clock_in(ctx, device, OFFLINE_AT)
    again = _clock_in(ctx, device, OFFLINE_AT, now=ARRIVES + timedelta(seconds=30))
    assert again.ok and again.session_id == first.session_id
    agent_events.handle(ctx, device, AgentEvent(kind="local_clockout", at=OFFLINE_AT + timedelta(hours=1)), now=ARRIVES)
    late_again = _clock_in(ctx, device, OFFLINE_AT, now=ARRIVES + timedelta(minutes=5))  # even after the clock-out
    assert late_again.ok and late_again.session_id == first.session_id
    assert len(_sessions(ctx)) == 1


def test_a_clock_in_while_online_opens_the_session_at_its_instant(ctx, device):
    started = _clock_in(ctx, device, ARRIVES - timedelta(seconds=3))
    assert _sessions(ctx)[0].started_at == ARRIVES - timedelta(seconds=3) and started.ok


def test_a_contract_paused_at_that_instant_refuses_it(ctx, device):
    """Rule: docs/rules.md#offline-clock-in"""
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=MON + timedelta(minutes=30))
    refused = _clock_in(ctx, device, OFFLINE_AT)
    assert isinstance(refused, Refusal) and "was paused at Monday 2026-11-16 10:00 (UTC)" in refused.message
    assert _sessions(ctx) == []


def test_a_contract_ended_at_that_instant_refuses_it(ctx, device):
    hire(ctx, MON, title="Other")  # so ending the first does not revoke the device
    contracts.set_status(ctx, ALICE, ContractStatus.ENDED, now=MON + timedelta(minutes=30), contract_id=1)
    refused = _clock_in(ctx, device, OFFLINE_AT, contract_id=1)
    assert isinstance(refused, Refusal) and "was ended at" in refused.message


def test_a_contract_paused_after_that_instant_ends_the_session_where_it_paused(ctx, device):
    """Rule: docs/rules.md#offline-clock-in"""
    paused_at = OFFLINE_AT + timedelta(minutes=40)
    contracts.set_status(ctx, ALICE, ContractStatus.PAUSED, now=paused_at)
    started = _clock_in(ctx, device, OFFLINE_AT)
    assert started.ok
    [session] = _sessions(ctx)
    assert (session.started_at, session.ended_at, session.end_reason) == (OFFLINE_AT, paused_at, "paused")
    assert not devices.state(ctx, device, now=ARRIVES).tracking


def test_a_session_that_overlaps_refuses_it(ctx, device):
    """Rule: docs/rules.md#offline-clock-in"""
    sessions.clock_in(ctx, BOB, now=OFFLINE_AT + timedelta(minutes=20))  # from chat, on the phone
    sessions.clock_out(ctx, BOB, now=OFFLINE_AT + timedelta(minutes=50))
    refused = _clock_in(ctx, device, OFFLINE_AT)
    assert isinstance(refused, Refusal) and refused.code == "conflict" and "overlaps your session" in refused.message
    assert len(_sessions(ctx)) == 1


def test_a_session_already_running_on_the_contract_takes_the_offline_slots(ctx, device):
    sessions.clock_in(ctx, BOB, now=MON)  # from chat before the train; nothing recorded after 10:00
    joined = _clock_in(ctx, device, OFFLINE_AT)
    [session] = _sessions(ctx)
    assert joined.ok and joined.session_id == session.id and session.started_at == MON


@pytest.mark.parametrize("at, words", [
    (ARRIVES + timedelta(minutes=5), "in the future"),
    (ARRIVES - timedelta(days=7, minutes=1), "more than 7 days old"),
], ids=["future", "too-old"])
def test_an_instant_in_the_future_or_too_old_is_refused(ctx, device, at, words):
    """Rule: docs/rules.md#offline-clock-in"""
    refused = _clock_in(ctx, device, at)
    assert isinstance(refused, Refusal) and words in refused.message
    assert _sessions(ctx) == []


def test_the_channel_is_told_the_clock_in_was_made_offline_and_when(ctx, device):
    _clock_in(ctx, device, OFFLINE_AT)
    [post] = [m for m in outbox(ctx, "clock")]
    assert post.payload["text"] == "bob clocked in at Monday 2026-11-16 10:00 (UTC) (from the desktop, while offline) — on the train"
