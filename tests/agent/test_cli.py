"""The tally-agent command as a user types it: pair, start, stop, status."""

import json
import os
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.home import AgentHome
from agent.queue import Queue
from agent.slotclock import OpenSlot
from tests.agent.fake_server import CODE, TOKEN

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path, monkeypatch) -> AgentHome:
    monkeypatch.setenv("TALLY_AGENT_HOME", str(tmp_path / "home"))
    return AgentHome(tmp_path / "home")


def tally_agent(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def paired(home, server) -> AgentHome:
    assert tally_agent("pair", CODE, "--server", server.url).exit_code == 0
    return home


def test_pairing_keeps_the_token_where_only_the_user_can_read_it(home, server):
    result = tally_agent("pair", CODE, "--server", server.url + "/", "--name", "studio-mac")
    assert result.exit_code == 0 and "Paired as device 7" in result.output
    pairing = home.path / "pairing.json"
    assert json.loads(pairing.read_text()) == {"server": server.url, "token": TOKEN, "device_id": 7}
    assert pairing.stat().st_mode & 0o777 == 0o600
    assert home.path.stat().st_mode & 0o077 == 0


def test_a_wrong_code_says_why_and_keeps_nothing(home, server):
    result = tally_agent("pair", "NOPE-0000", "--server", server.url)
    assert result.exit_code == 1 and "unknown_code" in result.output
    assert home.load_pairing() is None


@pytest.mark.parametrize("command", [["start"], ["stop"], ["run"]])
def test_commands_need_a_pairing_first(home, command):
    result = tally_agent(*command)
    assert result.exit_code == 1 and "tally-agent pair CODE --server URL" in result.output


def test_start_and_stop_clock_in_and_out_from_the_desktop(paired, server):
    assert tally_agent("start", "fix", "the", "login").exit_code == 0
    assert server.api.tracking and server.api.memo == "fix the login"
    assert tally_agent("stop").exit_code == 0
    assert not server.api.tracking
    assert [(e.kind, e.memo) for e in server.api.events] == [
        ("local_clockin", "fix the login"),
        ("local_clockout", None),
    ]


def test_a_refused_start_shows_the_servers_sentence(paired, server):
    detail = "You have several contracts: clock in from the contract's channel with /clockin."
    server.api.event_refusal = (409, {"error": "conflict", "detail": detail})
    result = tally_agent("start")
    assert result.exit_code == 1 and detail in result.output and "409" not in result.output


def test_start_while_the_server_is_down_and_no_agent_runs_says_to_start_the_agent(paired, server):
    server.stop()
    result = tally_agent("start")
    assert result.exit_code == 1 and "cannot be reached" in result.output and "tally-agent run" in result.output


def test_status_shows_the_queue_the_last_upload_and_rejected_slots(paired, server):
    queue = Queue(paired.queue_path)
    for n in range(3):
        start = T0.replace(minute=10 * n)
        queue.finish(OpenSlot(1, start, 600, start, start, minutes=[[1, 1]] * 10), not_before=T0)
    queue.reject(queue.head().id, "409 conflict: a different slot for this start")
    queue.sent(queue.head().id, T0)
    output = tally_agent("status").output
    assert f"Server:      {server.url} (device 7) — not tracking" in output
    assert "Agent:       not running" in output
    assert "Queue:       1 waiting for upload" in output
    assert "Last upload: 2026-03-02" in output
    assert "Rejected:    1" in output and "2026-03-02T10:00:00+00:00: 409 conflict" in output


def test_status_shows_what_the_running_agent_is_doing(paired, server):
    server.api.clock_in("homepage")
    paired.save_status({"pid": os.getpid(), "tracking": True, "contract": "Website rebuild", "active_minutes": 3,
                        "keys": 120, "mouse": 800, "queued": 0})  # fmt: skip
    output = tally_agent("status").output
    assert "— tracking Website rebuild" in output
    assert "Tracking:    yes — Website rebuild" in output
    assert "This slot:   3/10 active minutes (120 keys, 800 mouse events)" in output


def test_status_says_when_the_server_cannot_be_reached(paired, server):
    server.stop()
    assert "not reachable" in tally_agent("status").output


def test_status_before_pairing_says_how_to_pair(home):
    assert "tally-agent pair CODE --server URL" in tally_agent("status").output


def test_run_without_a_display_says_why(paired, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("TALLY_AGENT_INPUT", raising=False)
    result = tally_agent("run")
    assert result.exit_code == 1 and "Cannot count input here" in result.output
