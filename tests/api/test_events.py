"""Events from the desktop: clocking in and out there, and idle stops."""

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.tables import WorkSession
from tests.api.conftest import NOW
from tests.api.world import API, bearer


def _event(api, token, kind: str, at=NOW, **extra):
    return api.post(f"{API}/events", json={"kind": kind, "at": at.isoformat(), **extra}, headers=bearer(token))


def _sessions(ctx) -> list[WorkSession]:
    with ctx.unit() as s:
        return list(s.exec(select(WorkSession)))


def test_clocking_in_and_out_on_the_desktop(ctx, api, agent):
    started = _event(api, agent, "local_clockin", memo="from the tray")
    assert started.status_code == 200 and started.json()["ok"] is True
    state = api.get(f"{API}/state", headers=bearer(agent)).json()
    assert state["tracking"] is True and state["memo"] == "from the tray"
    assert state["session_id"] == started.json()["session_id"]
    stopped = _event(api, agent, "local_clockout")
    assert stopped.status_code == 200
    assert api.get(f"{API}/state", headers=bearer(agent)).json()["tracking"] is False


def test_an_idle_stop_ends_the_session_when_input_stopped(ctx, api, agent, session_id, clock):
    clock.advance(minutes=25)
    answer = _event(api, agent, "idle_stop", at=NOW + timedelta(minutes=15))
    assert answer.status_code == 200
    (session,) = _sessions(ctx)
    assert (session.end_reason, session.ended_at) == ("idle", NOW + timedelta(minutes=15))


@pytest.mark.parametrize("body, status", [
    ({"kind": "local_clockin", "at": (NOW + timedelta(minutes=5)).isoformat()}, 422),
    ({"kind": "coffee_break", "at": NOW.isoformat()}, 422),
    ({"kind": "idle_stop"}, 422),
    ({"kind": "idle_stop", "at": "2026-11-18T10:00:00"}, 422),
    ([], 422),
], ids=["future", "unknown-kind", "no-instant", "naive-instant", "not-an-object"])
def test_malformed_events_are_refused(api, agent, body, status):
    answer = api.post(f"{API}/events", json=body, headers=bearer(agent))
    assert answer.status_code == status and set(answer.json()) == {"error", "detail"}


def test_a_body_that_is_not_json_is_a_bad_request(api, agent):
    answer = api.post(f"{API}/events", content=b'{"kind": ', headers={**bearer(agent), "content-type": "application/json"})
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")


def test_a_clock_in_made_offline_opens_its_session_at_its_instant_once(ctx, api, agent, clock):
    """Rule: docs/rules.md#offline-clock-in"""
    made = NOW
    clock.advance(minutes=90)  # it waited on the computer
    first = _event(api, agent, "local_clockin", at=made, memo="on the train")
    again = _event(api, agent, "local_clockin", at=made, memo="on the train")  # its answer was lost
    assert first.status_code == again.status_code == 200
    assert first.json()["session_id"] == again.json()["session_id"]
    [session] = _sessions(ctx)
    assert session.started_at == made


def test_an_offline_clock_in_that_overlaps_is_refused_with_the_reason(ctx, api, agent, session_id, clock):
    clock.advance(minutes=30)
    assert _event(api, agent, "local_clockout", at=NOW + timedelta(minutes=20)).status_code == 200
    answer = _event(api, agent, "local_clockin", at=NOW + timedelta(minutes=10))  # made offline, arriving now
    assert answer.status_code == 409 and answer.json()["error"] == "conflict"
    assert "overlaps your session" in answer.json()["detail"]


def test_an_offline_clock_in_over_seven_days_old_is_refused(api, agent, clock):
    clock.advance(days=8)
    answer = _event(api, agent, "local_clockin", at=NOW)
    assert answer.status_code == 422 and "more than 7 days old" in answer.json()["detail"]
