"""The tracker window of a real agent under Xvfb, in headless Chromium: the last screenshot as
soon as it is taken, Delete before and after upload, the memo, and a door closed to strangers."""

import http.client
import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.agent.agentproc import AgentProcess
from tests.web.live import CHROMEDRIVER, CHROMIUM, chromium

pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

needs_chromium = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not "
                                    "installed (apt-get install chromium chromium-driver)")


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay)
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


def window_url(agent) -> str:
    assert agent.server.wait_until(lambda: (agent.home / "window.json").exists(), seconds=10)
    return json.loads((agent.home / "window.json").read_text())["url"]


def get(url: str, path: str, host: str | None = None) -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers={"Host": host or parts.netloc})
    response = conn.getresponse()
    return response.status, response.read().decode()


def test_only_the_handed_out_link_opens_the_window(agent, server):
    agent.start()
    url = window_url(agent)
    secret = urlsplit(url).path.strip("/")
    assert (agent.home / "window.json").stat().st_mode & 0o077 == 0  # the link is this user's alone
    assert get(url, f"/{secret}/")[0] == 200
    one_off = secret[:-1] + ("y" if secret.endswith("x") else "x")  # one character wrong, never the secret itself
    for path in ("/", "/live", "/shot.jpg", f"/{one_off}/", f"/{secret}", f"/x/{secret}/"):
        status, body = get(url, path)
        assert status == 403 and "tally-agent open" in body, path
    # A web page that points its own host name at 127.0.0.1 (DNS rebinding) is refused too.
    assert get(url, f"/{secret}/", host=f"evil.example:{urlsplit(url).port}")[0] == 403
    opened = agent.cli("open")
    assert opened.returncode == 0 and url in opened.stdout
    agent.stop()
    assert not (agent.home / "window.json").exists()
    assert "not running" in agent.cli("open").stderr


def _retry(driver, action, seconds: float = 15):
    """The live part is redrawn every few seconds: an element read just before a redraw goes stale."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: action(d) or None)


DELETE_SHOWN = """
var form = document.querySelector('#shot form');
var shown = [form.session_id.value, form.slot_start.value];
document.getElementById('delete').click();
return shown;
"""


def delete_shown(driver) -> tuple[int, datetime]:
    """Reads which slot the Delete button is for and clicks it in one step: a redraw cannot come between."""
    session, start = driver.execute_script(DELETE_SHOWN)
    return int(session), datetime.fromisoformat(start)


def _shown_shot(driver) -> tuple[int, datetime] | None:
    driver.refresh()
    images = driver.find_elements("id", "shot-image")
    if not images or not driver.execute_script("return arguments[0].naturalWidth", images[0]):
        return None
    form = driver.find_element("css selector", "#shot form")
    session = form.find_element("name", "session_id").get_attribute("value")
    start = form.find_element("name", "slot_start").get_attribute("value")
    return int(session), datetime.fromisoformat(start)


@needs_chromium
def test_the_last_screenshot_shows_and_delete_keeps_it_off_the_server(agent, server, tmp_path):
    server.api.fail_slots_with = 503  # nothing gets uploaded: every slot stays on the computer
    server.api.clock_in("window check", slot_seconds=6, idle_minutes=100)
    agent.start().wait_tracking()
    with chromium(tmp_path / "profile", 700, 1000) as driver:
        driver.get(window_url(agent))
        assert "Tracking Website rebuild" in driver.find_element("id", "state").text
        WebDriverWait(driver, 30).until(_shown_shot)
        _retry(driver, lambda d: d.find_element("id", "connection").text.startswith("not connected: server: 503"))
        assert driver.find_element("id", "shot-where").text == "on this computer, not uploaded yet"
        session, start = delete_shown(driver)
        assert "never sent" in driver.find_element("id", "notice").text
    server.api.fail_slots_with = None
    assert server.wait_until(lambda: len(server.api.slots) >= 2, seconds=30)
    server.api.clock_out()
    agent.wait_tracking(False)
    assert server.wait_until(lambda: (agent.status() or {}).get("queued") == 0, seconds=20)
    assert (session, start) not in server.api.slots
    assert not any(r.report.slot_start == start for r in server.api.slots.values())
    agent.stop()


@needs_chromium
def test_delete_after_upload_asks_the_server_and_a_new_memo_goes_with_the_next_slots(agent, server, tmp_path):
    server.api.clock_in("first memo", slot_seconds=6, idle_minutes=100)
    server.api.week = {"tracked": 130, "today": 70, "limit": 600, "minimum": 300}
    agent.start().wait_tracking()
    with chromium(tmp_path / "profile", 700, 1000) as driver:
        driver.get(window_url(agent))
        assert driver.find_element("id", "week-total").text == "2:10"
        assert driver.find_element("id", "today").text == "1:10"
        assert "of 10:00" in driver.find_element("id", "week").text
        assert driver.find_element("id", "week-minimum").text == "weekly minimum 5:00: 2:50 to go"
        assert driver.find_element("id", "diary").get_attribute("href") == "https://tally.example/diary/signed"

        memo = driver.find_element("id", "memo-text")
        memo.clear()
        memo.send_keys("fixing the login form")
        driver.find_element("id", "memo-save").click()
        assert "Memo set: fixing the login form" in driver.find_element("id", "notice").text
        set_at = datetime.now().astimezone()

        def uploaded(d):
            shot = _shown_shot(d)
            return shot if shot and shot in server.api.slots and d.find_element("id", "shot-where").text == "uploaded" else None

        WebDriverWait(driver, 40, ignored_exceptions=(StaleElementReferenceException,)).until(uploaded)
        session, start = delete_shown(driver)
        assert "its time" in driver.find_element("id", "notice").text
    assert start in server.api.deleted and (session, start) not in server.api.slots
    later = [r.report for r in server.api.slots.values() if r.report.slot_start > set_at]
    assert server.wait_until(lambda: any(r.report.slot_start > set_at for r in server.api.slots.values()), seconds=30)
    later = [r.report for r in server.api.slots.values() if r.report.slot_start > set_at]
    assert later and all(r.memo == "fixing the login form" for r in later)
    agent.stop()


def _keys(server) -> int:
    return sum(m.keys for r in server.api.slots.values() for m in r.report.minutes if m)


@needs_chromium
def test_private_mode_sends_nothing_but_the_switch(agent, server, xdotool, tmp_path):
    server.api.clock_in("private check", slot_seconds=3, idle_minutes=100)
    agent.start().wait_tracking()
    xdotool("type", "--delay", "20", "before")
    assert server.wait_until(lambda: _keys(server) == 6, seconds=20)
    with chromium(tmp_path / "profile", 700, 1000) as driver:
        driver.get(window_url(agent))
        driver.find_element("id", "private").click()
        assert "Private mode on" in driver.find_element("id", "notice").text
        assert "Private" in driver.find_element("id", "state").text
        assert server.wait_until(lambda: server.api.private, seconds=10)
        on_at = server.api.events[-1].at
        xdotool("type", "--delay", "20", "secret")  # typed while private
        time.sleep(7)  # two slots and more go by: real time, as the agent's own clock runs
        driver.get(window_url(agent))
        driver.find_element("id", "private").click()
        assert "Private mode off" in driver.find_element("id", "notice").text
    assert server.wait_until(lambda: not server.api.private, seconds=10)
    off_at = server.api.events[-1].at
    xdotool("type", "--delay", "20", "after")
    assert server.wait_until(lambda: _keys(server) == 11, seconds=20), _keys(server)
    server.api.clock_out()
    agent.wait_tracking(False)
    assert [e.kind for e in server.api.events] == ["private_on", "private_off", "local_clockout"] or \
        [e.kind for e in server.api.events] == ["private_on", "private_off"]
    minute = timedelta(seconds=0.3)
    for received in server.api.slots.values():
        report = received.report
        assert not (report.screenshot_at and on_at < report.screenshot_at < off_at)
        tracked = [report.slot_start + i * minute for i, m in enumerate(report.minutes) if m is not None]
        assert not [t for t in tracked if on_at < t and t + minute < off_at], report  # no private minute sent
    agent.stop()


def test_private_switched_in_chat_stops_the_agent_recording(agent, server, xdotool):
    server.api.clock_in("chat private", slot_seconds=2, idle_minutes=100)
    agent.start().wait_tracking()
    server.api.set_private(True)  # /private on in chat: the server's state says so
    assert server.wait_until(lambda: (agent.status() or {}).get("private") is True, seconds=10)
    status = agent.cli("status").stdout  # the person asks what the agent is doing
    assert "— private (nothing is recorded or sent)" in status
    assert "Tracking:    private — nothing is recorded or sent until you switch it off" in status
    time.sleep(2.5)  # a slot boundary passes
    posts = server.api.slot_posts
    xdotool("type", "--delay", "20", "hidden")
    time.sleep(4.5)
    assert server.api.slot_posts == posts and not server.api.events
    server.api.set_private(False)
    xdotool("type", "--delay", "20", "shown")
    assert server.wait_until(lambda: _keys(server) == 5, seconds=20), _keys(server)
    agent.stop()
