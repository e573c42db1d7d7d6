"""The agent's state, and long polls that answer as soon as chat changes it."""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from fastapi.testclient import TestClient

from bot.services import sessions
from tests.api.conftest import NOW
from tests.api.world import API, BOB, bearer, clock_in, make_app


def _state(api, token: str, wait: float = 0):
    return api.get(f"{API}/state", params={"wait": wait}, headers=bearer(token))


def _until_waiting(app, count: int = 1) -> None:
    """Blocks until the long poll is registered, so the change below really comes after it."""
    deadline = time.monotonic() + 5
    while app.state.notifier.listeners() < count:
        assert time.monotonic() < deadline, "the long poll never started waiting"
        time.sleep(0.01)


def test_an_agent_not_clocked_in_is_told_to_stay_idle(api, agent):
    body = _state(api, agent).json()
    assert body["tracking"] is False and body["session_id"] is None
    assert body["slot_seconds"] == 600 and body["server_time"] == "2026-11-18T10:00:00Z"


def test_a_clocked_in_agent_is_told_what_to_track(ctx, api, agent):
    session_id = clock_in(ctx, NOW, memo="landing page")
    body = _state(api, agent).json()
    assert body["tracking"] is True and body["session_id"] == session_id
    assert body["contract"]["title"] == "Website" and body["memo"] == "landing page"
    assert (body["screenshots"], body["billing"], body["idle_minutes"]) == ("on", "segments", 10)


def test_a_clockin_in_chat_answers_the_long_poll_at_once(ctx, api, agent):
    api.app.state.notifier.recheck_seconds = 60  # only the in-process notice can answer in time
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        poll = pool.submit(_state, api, agent, 30)
        _until_waiting(api.app)
        sessions.clock_in(ctx, BOB, memo="from chat", now=NOW)
        answer = poll.result(10)
    assert answer.json()["tracking"] is True and answer.json()["memo"] == "from chat"
    assert time.monotonic() - started < 3


def test_a_memo_change_wakes_the_agent_too(ctx, api, agent):
    clock_in(ctx, NOW)
    with ThreadPoolExecutor(1) as pool:
        poll = pool.submit(_state, api, agent, 30)
        _until_waiting(api.app)
        sessions.set_memo(ctx, BOB, "reviewing", now=NOW)
        assert poll.result(10).json()["memo"] == "reviewing"


def test_without_a_change_the_long_poll_ends_after_the_wait(api, agent, clock):
    started = time.monotonic()
    answer = _state(api, agent, 0.3)
    assert answer.status_code == 200 and answer.json()["tracking"] is False
    assert 0.3 <= time.monotonic() - started < 3


def test_a_change_made_by_another_web_process_is_noticed_by_the_periodic_check(ctx, api, agent, clock):
    api.app.state.notifier.recheck_seconds = 0.1
    # Another process: its own context and app on the same database, deaf to this process's notifier.
    other = replace(ctx, on_change=lambda member_id: None)
    with TestClient(make_app(other, clock)), ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        poll = pool.submit(_state, api, agent, 30)
        _until_waiting(api.app)
        sessions.clock_in(other, BOB, memo="elsewhere", now=NOW)
        assert poll.result(10).json()["memo"] == "elsewhere"
    assert time.monotonic() - started < 5


def test_a_wait_out_of_bounds_is_refused(api, agent):
    for wait in (-1, 121, "soon"):
        answer = _state(api, agent, wait)
        assert (answer.status_code, answer.json()["error"]) == (422, "invalid"), wait
