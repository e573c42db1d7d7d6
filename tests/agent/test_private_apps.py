"""Private apps: while a listed app or title has focus, the screenshot is blurred on the device and
no window title leaves it; the slot still counts and says so."""

from io import BytesIO

import pytest
from PIL import Image

from agent.private_apps import matches, parse
from agent.wire import WindowInfo
from tests.agent.agentproc import AgentProcess
from tests.agent.desktop import desktop_image, edge_energy, paint_root


def test_patterns_match_app_or_title_without_regard_to_case():
    patterns = parse("# my list\nKeePassXC\n*bank*\n\n  Signal  \nKeePassXC\n")
    assert patterns == ("KeePassXC", "*bank*", "Signal")
    assert matches(patterns, WindowInfo("keepassxc", "Passwords.kdbx"))
    assert matches(patterns, WindowInfo("firefox", "Online Banking - statements"))
    assert not matches(patterns, WindowInfo("firefox", "Pull request #12"))
    assert not matches(patterns, None) and not matches((), WindowInfo("KeePassXC", ""))


@pytest.fixture
def agent(tmp_path, server, xdisplay):
    proc = AgentProcess(tmp_path, server, xdisplay)
    proc.pair()
    yield proc
    if proc.proc and proc.proc.poll() is None:
        proc.kill9()


@pytest.fixture
def desktop(xdisplay):
    connection = paint_root(xdisplay, desktop_image())
    yield connection
    connection.close()


def focus_titled_window(desktop, xdotool, title: str) -> None:
    """A window named with xdotool, made the active one as a window manager would (Xvfb runs none)."""
    from Xlib import X, Xatom

    root = desktop.screen().root
    window = root.create_window(0, 0, 200, 100, 0, desktop.screen().root_depth)
    window.set_wm_class("tally-test", "firefox")
    desktop.sync()
    xdotool("set_window", "--name", title, str(window.id))
    root.change_property(desktop.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [window.id], X.PropModeReplace)
    desktop.sync()


def test_a_focused_private_app_is_blurred_here_and_its_title_never_sent(agent, server, desktop, xdotool):
    (agent.home).mkdir(parents=True, exist_ok=True)
    (agent.home / "private-apps.txt").write_text("*banking*\n")
    server.api.clock_in("private apps", slot_seconds=2, idle_minutes=100, window=True)
    focus_titled_window(desktop, xdotool, "Online Banking - statements")
    agent.start().wait_tracking()
    assert server.wait_until(lambda: any(r.screenshot for r in server.api.slots.values()), seconds=20)
    shot = next(r for r in server.api.slots.values() if r.screenshot)
    assert shot.report.private_app is True and shot.report.window is None
    assert b"Banking" not in b"".join(server.api.bodies) and b"banking" not in b"".join(server.api.bodies)
    blurred = edge_energy(Image.open(BytesIO(shot.screenshot)))
    sharp = edge_energy(desktop_image().resize((1280, 720)))
    assert blurred < sharp / 4, (blurred, sharp)  # measured: text and edges are gone

    focus_titled_window(desktop, xdotool, "Pull request #12 - review")
    server.api.slots.clear()
    assert server.wait_until(lambda: any(r.screenshot and r.report.window for r in server.api.slots.values()), seconds=20)
    plain = next(r for r in server.api.slots.values() if r.screenshot and r.report.window)
    assert plain.report.private_app is False and plain.report.window.title == "Pull request #12 - review"
    assert edge_energy(Image.open(BytesIO(plain.screenshot))) > sharp / 2
    agent.stop()
