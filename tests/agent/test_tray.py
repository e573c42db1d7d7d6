"""The tray icon of a real agent under Xvfb, docked in a real tray host (trayer): its look and title
follow /clockin from the server; without a tray host the agent tracks the same and says why once."""

import importlib.util
import json
import os
import shutil
import subprocess
import time

import pytest
from PIL import Image

from agent.controls import TrackerView
from agent.tray import COLOURS, draw, look_of, menu_entries
from tests.agent.agentproc import AgentProcess

if (
    importlib.util.find_spec("pystray") is None
):  # not imported here: it connects to a display on import
    pytest.skip(
        "pystray is not installed (pip install 'tally[agent]')", allow_module_level=True
    )
Xlib_display = pytest.importorskip("Xlib.display")
Xlib_error = pytest.importorskip("Xlib.error")


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay)
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


@pytest.fixture
def tray_host(xdisplay):
    """Debian's trayer, a stand-alone system tray: it owns the tray selection while it runs."""
    if not shutil.which("trayer"):
        pytest.skip("trayer is not installed (apt-get install trayer)")
    host = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                             "--height", "32", "--transparent", "false", "--tint", "0x202020"],
                            env={**os.environ, "DISPLAY": xdisplay}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    screen = Xlib_display.Display(xdisplay)
    selection = screen.intern_atom("_NET_SYSTEM_TRAY_S0")
    assert _until(lambda: screen.get_selection_owner(selection) != 0), (
        "trayer did not take the tray"
    )
    yield screen
    host.terminate()
    host.wait(timeout=10)
    assert _until(lambda: screen.get_selection_owner(selection) == 0)
    screen.close()


def _until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def tally_icon(screen):
    """The agent's icon window (named after its title), and the window it is docked in."""

    def walk(window, parent):
        for child in window.query_tree().children:
            try:
                name = child.get_wm_name()
            except Xlib_error.XError:  # gone while we looked: trayer re-embeds icons
                continue
            if isinstance(name, str) and name.startswith("Tally"):
                return child, parent
            found = walk(child, window)
            if found:
                return found
        return None

    try:
        return walk(screen.screen().root, None)
    except Xlib_error.XError:
        return None


def icon_picture(screen) -> tuple[str, Image.Image]:
    """The icon's title and what the screen shows where it is docked (nothing while it is re-docked)."""
    try:
        return _picture(screen, tally_icon(screen)[0])
    except (Xlib_error.XError, TypeError):
        return "", Image.new("RGB", (1, 1))


def _picture(screen, window) -> tuple[str, Image.Image]:
    geometry = window.get_geometry()
    at = window.translate_coords(screen.screen().root, 0, 0)
    raw = screen.screen().root.get_image(
        -at.x, -at.y, geometry.width, geometry.height, 2, 0xFFFFFFFF
    )
    image = Image.frombytes(
        "RGB", (geometry.width, geometry.height), raw.data, "raw", "BGRX"
    )
    return window.get_wm_name(), image


def shows(image: Image.Image, look: str) -> bool:
    """The look's disc colour fills a good part of the docked icon."""
    colour = COLOURS[look]
    counts = image.getcolors(image.width * image.height) or []
    near = sum(n for n, p in counts if all(abs(a - b) < 12 for a, b in zip(p, colour)))
    return near > image.width * image.height // 4


def test_the_icon_docks_in_the_tray_and_follows_clock_in_from_the_server(
    agent, server, tray_host, tmp_path
):
    """Rule: docs/architecture.md#agent-tray"""
    agent.start()
    assert _until(lambda: tally_icon(tray_host) is not None), agent.output()
    window, docked_in = tally_icon(tray_host)
    assert (
        docked_in is not None and docked_in != tray_host.screen().root
    )  # embedded by trayer, not a loose window
    assert window.get_attributes().map_state == 2  # viewable
    # The first answer from the server turns "offline (connecting)" into "not tracking"; a loaded
    # machine has held that first answer past 20 s.
    assert _until(lambda: icon_picture(tray_host)[0] == "Tally: not tracking", seconds=40), (
        icon_picture(tray_host)[0]
    )
    assert shows(icon_picture(tray_host)[1], "stopped")

    assert _until(lambda: server.api.polling > 0)  # the agent waits on the long poll, as it does all day
    server.api.clock_in("tray check", slot_seconds=60, idle_minutes=100)
    agent.wait_tracking()
    assert _until(
        lambda: (
            icon_picture(tray_host)[0] == "Tally: tracking Website rebuild - tray check"
        )
    )
    assert _until(lambda: shows(icon_picture(tray_host)[1], "tracking"))
    image = icon_picture(tray_host)[1]  # kept to look at: the docked icon, four times its size
    image.resize((image.width * 4, image.height * 4), Image.NEAREST).save(tmp_path / "tray.png")

    assert _until(lambda: server.api.polling > 0)
    server.api.set_private(True)
    assert _until(lambda: icon_picture(tray_host)[0].startswith("Tally: private"))
    assert _until(lambda: shows(icon_picture(tray_host)[1], "private"))
    server.api.set_private(False)
    server.stop()  # the server goes away: the icon says offline, and that slots wait here
    assert _until(
        lambda: icon_picture(tray_host)[0].startswith("Tally: offline"), seconds=40
    )
    assert "slots wait on this computer" in icon_picture(tray_host)[0]
    assert shows(icon_picture(tray_host)[1], "offline")
    assert agent.stop() == 0
    assert "No tray icon" not in agent.output()


def test_without_a_tray_host_the_agent_tracks_and_says_why_once(
    agent, server, xdisplay
):
    """Rule: docs/architecture.md#agent-tray"""
    server.api.clock_in("no tray", slot_seconds=60, idle_minutes=100)
    agent.start()
    agent.wait_tracking()
    agent.stop()
    said = [
        line for line in agent.output().splitlines() if line.startswith("No tray icon")
    ]
    assert said == [
        "No tray icon: no system tray on this desktop. Tracking goes on; open the tracker window with: tally-agent open"
    ]


def test_without_a_display_there_is_no_tray_and_no_error(tmp_path, server):
    """Rule: docs/architecture.md#agent-tray"""
    from agent.tray import start_tray

    said: list[str] = []
    env = {
        k: os.environ.pop(k) for k in ("DISPLAY", "WAYLAND_DISPLAY") if k in os.environ
    }
    try:
        assert (
            start_tray(TrackerView, None, lambda: None, lambda: None, said.append)
            is None
        )
    finally:
        os.environ.update(env)
    assert said == [
        "No tray icon: no display. Tracking goes on; open the tracker window with: tally-agent open"
    ]


def test_each_look_has_its_own_picture_and_title():
    """Rule: docs/architecture.md#agent-tray"""
    views = {
        "stopped": TrackerView(online=True),
        "tracking": TrackerView(
            tracking=True, contract="Site", memo="fixing", online=True
        ),
        "private": TrackerView(private=True, online=True),
        "offline": TrackerView(tracking=True, contract="Site", problem="server: 503"),
        "cannot": TrackerView(online=True, cannot_track="Wayland session"),
    }
    looks = {name: look_of(view) for name, view in views.items()}
    assert {name: look.name for name, look in looks.items()} == {
        name: name for name in views
    }
    assert looks["tracking"].title == "Tally: tracking Site - fixing"
    assert (
        looks["offline"].title
        == "Tally: offline (server: 503); tracking Site, slots wait on this computer"
    )
    pictures = {name: draw(name).tobytes() for name in views}
    assert len(set(pictures.values())) == len(views)


def test_the_menu_offers_a_contract_picker_when_there_are_several():
    """Rule: docs/architecture.md#agent-tray"""
    one = menu_entries(TrackerView(online=True, contracts=((7, "Site"),)))
    several = menu_entries(
        TrackerView(online=True, contracts=((7, "Site"), (9, "App")))
    )
    tracking = menu_entries(
        TrackerView(tracking=True, private=True, online=True, contracts=((7, "Site"),))
    )
    assert [e[0] for e in one] == [
        "Clock in",
        "Memo…",
        "Private",
        "Open tracker",
        "Quit",
    ]
    assert one[0][1:] == ("clockin", "7")
    assert several[0] == ("Clock in", "clockin", [("Site", "7"), ("App", "9")])
    assert tracking[0][:2] == ("Clock out", "clockout")
    assert (
        "Private",
        "private",
        False,
    ) in tracking  # switching it off is what the item does now


def test_on_plain_x11_a_click_on_the_icon_opens_the_tracker_window(tmp_path, server, xdisplay, tray_host, xdotool):
    """Rule: docs/architecture.md#agent-tray"""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"  # stands in for the person's browser: notes the address it is asked to open
    browser.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    browser.chmod(0o755)
    agent = AgentProcess(tmp_path, server, xdisplay, BROWSER=str(browser))
    agent.pair()
    agent.start()
    # Docking waits for trayer and pystray's X11 loop, which a loaded machine can hold for long.
    assert _until(lambda: icon_picture(tray_host)[0] == "Tally: not tracking", seconds=40), agent.output()
    window, _ = tally_icon(tray_host)
    geometry = window.get_geometry()
    at = window.translate_coords(tray_host.screen().root, 0, 0)
    xdotool("mousemove", str(-at.x + geometry.width // 2), str(-at.y + geometry.height // 2), "click", "1")
    assert _until(lambda: opened.exists() and opened.read_text().strip())
    url = json.loads((agent.home / "window.json").read_text())["url"]
    assert opened.read_text().split() == [url]  # the tracker window, with its secret, and nothing else
    agent.stop()
