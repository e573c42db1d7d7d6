"""A real agent in a Wayland session (no usable X display): it says it cannot track, at start, in
`tally-agent status` and the tracker window, tells the server once with a `capabilities` event,
never tracks; an X11 run afterwards tells the server it can again."""

import json

import pytest

from agent.capabilities import cannot_track
from tests.agent.agentproc import AgentProcess
from tests.agent.test_tracker_window import get, window_url

WAYLAND = {"DISPLAY": "", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}


@pytest.mark.parametrize(("env", "expected"), [
    ({"WAYLAND_DISPLAY": "wayland-0"}, "Wayland"),
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":999"}, "Wayland"),  # an X display that is not there
    ({"XDG_SESSION_TYPE": "x11", "DISPLAY": ":0"}, None),
    ({}, None),  # no desktop at all: not a Wayland question
])  # fmt: skip
def test_a_wayland_session_without_a_usable_x_display_cannot_be_tracked(env, expected):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    assert cannot_track(env) == expected


def test_with_xwayland_the_x_display_is_used(xdisplay):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    assert cannot_track({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": xdisplay}) is None


def capability_events(server) -> list[dict]:
    return [e.model_dump(include={"screenshots", "input", "reason"}) for e in server.api.events
            if e.kind == "capabilities"]  # fmt: skip


def test_in_wayland_the_agent_says_why_it_cannot_track_and_tells_the_server(tmp_path, server, xdisplay):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    agent = AgentProcess(tmp_path, server, xdisplay, **WAYLAND)
    agent.pair()
    agent.start()
    assert server.wait_until(lambda: capability_events(server), seconds=20), agent.output()
    assert capability_events(server) == [{"screenshots": False, "input": False, "reason": "Wayland"}]
    assert "This computer cannot be tracked: in a Wayland session" in agent.output()
    assert "Log in with an X11 session" in agent.output()
    status, page = get(url := window_url(agent), "/" + url.split("/", 3)[3])
    assert status == 200 and "Cannot track here" in page and "Wayland session" in page
    assert "Cannot track: a Wayland session" in agent.cli("status").stdout

    assert server.wait_until(lambda: server.api.polling > 0)  # the agent waits on the long poll
    server.api.clock_in("not here", slot_seconds=2, idle_minutes=100)  # a session opened elsewhere
    assert server.wait_until(lambda: False, seconds=5) is False
    assert (agent.status() or {}).get("tracking") is False and server.api.slot_posts == 0
    agent.stop()
    agent.start()  # a second run in the same session says nothing new to the server
    agent.stop()
    assert len(capability_events(server)) == 1

    agent.env.update(DISPLAY=xdisplay, WAYLAND_DISPLAY="", XDG_SESSION_TYPE="x11")  # logged in with X11
    agent.start()
    assert server.wait_until(lambda: len(capability_events(server)) == 2, seconds=20), agent.output()
    assert capability_events(server)[1] == {"screenshots": True, "input": True, "reason": None}
    agent.wait_tracking()
    agent.stop()
    assert json.loads((agent.home / "capabilities.json").read_text())["able"] is True


def test_an_agent_that_always_could_track_says_nothing(tmp_path, server, xdisplay):
    """Rule: docs/rules.md#devices-that-cannot-track"""
    agent = AgentProcess(tmp_path, server, xdisplay)
    agent.pair()
    server.api.clock_in("fine", slot_seconds=60, idle_minutes=100)
    agent.start()
    agent.wait_tracking()
    agent.stop()
    assert capability_events(server) == []
