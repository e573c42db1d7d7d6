"""The desktop notification of each screenshot, from a real agent under Xvfb to a real notification
service (Debian's dunst on its own session bus): it shows the time and the thumbnail, a click on it
opens the tracker window, and `tally-agent notify off` stops it."""

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from PIL import Image

from tests.agent.agentproc import AgentProcess
from tests.e2e.processes import wait_until

NEEDED = ("dbus-daemon", "dunst", "dunstctl", "notify-send")


@pytest.fixture
def desktop(xdisplay, tmp_path):
    """A session bus with a notification service on the test display; the environment to reach it."""
    if missing := [tool for tool in NEEDED if not shutil.which(tool)]:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install dunst libnotify-bin)")
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True)  # fmt: skip
    env = {**os.environ, "DISPLAY": xdisplay, "DBUS_SESSION_BUS_ADDRESS": bus.stdout.readline().strip()}
    service = subprocess.Popen(["dunst"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_until(lambda: _dunstctl(env, "is-paused").returncode == 0), "dunst did not start"
    yield env
    service.terminate()
    bus.terminate()
    service.wait(timeout=10)
    bus.wait(timeout=10)


@pytest.fixture
def agent(tmp_path, server, xdisplay, desktop):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"  # what the desktop's browser would be handed (webbrowser reads $BROWSER)
    browser.write_text(f"#!{sys.executable}\nimport sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    proc = AgentProcess(tmp_path, server, xdisplay, DBUS_SESSION_BUS_ADDRESS=desktop["DBUS_SESSION_BUS_ADDRESS"],
                        BROWSER=str(browser))  # fmt: skip
    proc.opened = opened
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def _dunstctl(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["dunstctl", *args], env=env, capture_output=True, text=True, timeout=10, check=False)


def shown(env) -> int:
    return int(_dunstctl(env, "count", "displayed").stdout.strip() or 0)


def history(env) -> list[dict[str, str]]:
    """Every notification dunst has closed, newest first, as plain fields."""
    data = json.loads(_dunstctl(env, "history").stdout)["data"]
    return [{key: field["data"] for key, field in item.items()} for item in (data[0] if data else [])]


def test_each_screenshot_is_shown_in_a_notification_whose_click_opens_the_tracker(agent, server, desktop):
    """Rule: docs/architecture.md#screenshot-notifications"""
    agent.start()
    server.api.clock_in("notify check", slot_seconds=6, idle_minutes=100)
    agent.wait_tracking()
    assert wait_until(lambda: shown(desktop) >= 1), agent.output()
    [preview] = agent.home.glob("shot-preview-*.jpg")
    with Image.open(preview) as picture:  # the thumbnail of the screenshot, not the screenshot itself
        assert picture.width <= 360 and picture.height <= 225
    assert stat.S_IMODE(preview.stat().st_mode) == 0o600  # only this user may read it
    _dunstctl(desktop, "action", "0")  # a click on the notification: its default action
    assert wait_until(lambda: agent.opened.exists()), agent.output()
    link = agent.opened.read_text().splitlines()[0]
    assert link.startswith("http://127.0.0.1:") and link == json.loads((agent.home / "window.json").read_text())["url"]
    _dunstctl(desktop, "close-all")
    first = history(desktop)[-1]
    assert first["appname"] == "Tally"
    assert first["summary"].startswith("Tally took a screenshot at ")
    assert "delete it before it is sent" in first["body"]
    assert first["icon_path"] == str(preview)
    assert wait_until(lambda: not preview.exists())  # no copy of the screenshot outlives its notification
    assert agent.stop() == 0


def test_notify_off_stops_the_notifications_of_a_running_agent(agent, server, desktop):
    """Rule: docs/architecture.md#screenshot-notifications"""
    off = agent.cli("notify", "off")
    assert off.returncode == 0 and "No more notifications" in off.stdout
    agent.start()
    server.api.clock_in("quiet check", slot_seconds=3, idle_minutes=100)
    agent.wait_tracking()
    assert server.wait_until(lambda: sum(1 for r in server.api.slots.values() if r.screenshot) >= 2, seconds=30)
    assert shown(desktop) == 0 and history(desktop) == []
    assert agent.cli("notify", "on").returncode == 0
    assert wait_until(lambda: shown(desktop) >= 1), agent.output()
    wrong = agent.cli("notify", "maybe")
    assert wrong.returncode != 0 and "tally-agent notify off" in wrong.stdout + wrong.stderr
    assert agent.stop() == 0
