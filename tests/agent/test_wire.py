"""The agent builds its bodies without pydantic; here they must satisfy diary.protocol's models."""

import json
from datetime import UTC, datetime

import pytest

from agent.slotclock import OpenSlot
from agent.wire import MAX_EVENTS_PER_MINUTE, MAX_MEMO, MAX_WINDOW_TEXT, ServerState, Week, WindowInfo, event_body, pair_body
from diary import protocol
from diary.terms import Billing, Screenshots

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def open_slot(**fields) -> OpenSlot:
    slot = OpenSlot(session_id=3, start=T0, seconds=600, tracked_from=T0, shot_due=T0, memo="fix login")
    for name, value in fields.items():
        setattr(slot, name, value)
    return slot


@pytest.mark.parametrize(
    "slot",
    [
        open_slot(),
        open_slot(
            minutes=[None, None, [3, 40], [0, 0]] + [[1, 1]] * 6, shot_at=T0, window=WindowInfo("firefox", "x" * 400)
        ),
        open_slot(minutes=[[MAX_EVENTS_PER_MINUTE, MAX_EVENTS_PER_MINUTE]] * 10, memo=None),
    ],
)
def test_slot_reports_are_valid_slot_report_meta(slot):
    report = protocol.SlotReport.model_validate_json(json.dumps(slot.report("0.1.0")))
    assert report.session_id == 3 and report.slot_start == T0
    assert [m.model_dump() if m else None for m in report.minutes] == [
        None if m is None else {"keys": m[0], "mouse": m[1]} for m in slot.minutes
    ]


def test_a_checkpoint_reads_back_as_the_same_slot():
    slot = open_slot(minutes=[[1, 2]] * 10, shot_at=T0, sampled=True, window=WindowInfo("code", "a.py"))
    assert OpenSlot.from_json(slot.to_json()) == slot


@pytest.mark.parametrize(
    "kind, memo", [("idle_stop", None), ("local_clockin", "design review"), ("local_clockout", None)]
)
def test_event_bodies_are_valid_agent_events(kind, memo):
    event = protocol.AgentEvent.model_validate(event_body(kind, T0, memo))
    assert (event.kind, event.at, event.memo) == (kind, T0, memo)


def test_pair_body_is_a_valid_pair_request():
    request = protocol.PairRequest.model_validate(pair_body("ABCD-1234", "laptop" * 40, "Linux-6.1", "0.1.0"))
    assert request.code == "ABCD-1234"


def test_the_server_state_is_read_from_an_agent_state():
    state = protocol.AgentState(
        tracking=True, session_id=9, contract=protocol.ContractBrief(id=1, title="Site"), memo="m",
        screenshots=Screenshots.BLUR, idle_minutes=5, billing=Billing.MINUTES, slot_seconds=60,
        server_time=T0, window=True,
    )  # fmt: skip
    assert ServerState.from_json(json.loads(state.model_dump_json())) == ServerState(
        tracking=True, session_id=9, contract="Site", memo="m", screenshots=Screenshots.BLUR,
        idle_minutes=5, slot_seconds=60, window=True, contract_id=1, late_slots=True,
    )  # fmt: skip


def test_the_bounds_match_the_protocol():
    assert (MAX_WINDOW_TEXT, MAX_EVENTS_PER_MINUTE, MAX_MEMO) == (
        protocol.MAX_WINDOW_TEXT, protocol.MAX_EVENTS_PER_MINUTE, protocol.MAX_MEMO)


def test_naive_instants_never_reach_the_wire():
    with pytest.raises(ValueError):
        event_body("idle_stop", datetime(2026, 3, 2, 10, 0))
