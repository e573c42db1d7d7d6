"""The active window as the agent reads it (X11 EWMH, under Xvfb), and the terminal line it shows."""

from datetime import UTC, datetime, timedelta

import pytest

from agent.slotclock import OpenSlot
from agent.terminal import Snapshot, render
from agent.window import active_window
from agent.wire import WindowInfo

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def x(xdisplay, monkeypatch):
    from Xlib import display

    monkeypatch.setenv("DISPLAY", xdisplay)
    connection = display.Display(xdisplay)
    yield connection
    root = connection.screen().root
    root.delete_property(connection.intern_atom("_NET_ACTIVE_WINDOW"))
    connection.close()


def test_the_active_windows_app_and_title_are_read_from_ewmh(x):
    from Xlib import X, Xatom

    root = x.screen().root
    window = root.create_window(0, 0, 200, 100, 0, x.screen().root_depth)
    window.set_wm_class("tally-test", "Firefox")
    window.change_property(
        x.intern_atom("_NET_WM_NAME"), x.intern_atom("UTF8_STRING"), 8, "Invoice № 12 — Firefox".encode()
    )
    root.change_property(x.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [window.id], X.PropModeReplace)
    x.sync()
    assert active_window() == WindowInfo(app="Firefox", title="Invoice № 12 — Firefox")


def test_no_window_manager_means_no_window_and_no_error(x):
    assert active_window() is None


def slot(minutes: list[list[int] | None]) -> OpenSlot:
    return OpenSlot(1, T0, 600, T0, shot_due=T0 + timedelta(minutes=7, seconds=13), minutes=minutes)


@pytest.mark.parametrize(
    "snap, expected",
    [
        (Snapshot.of(None, "", queued=0, problem=None), "○ not tracking · queue 0"),
        (Snapshot.of(None, "", queued=3, problem="offline: refused"), "○ not tracking · queue 3 · offline: refused"),
        (
            Snapshot.of(slot([[3, 40], [0, 0], [0, 5]] + [None] * 7), "Site", queued=1, problem=None),
            "2/10 active minutes, 3 keys, 45 mouse · queue 1",
        ),
    ],
)
def test_the_line_shows_tracking_activity_and_queue(snap, expected):
    assert render(snap).endswith(expected)
    assert render(snap).startswith("● tracking Site" if snap.tracking else "○")


def test_the_line_never_tells_when_the_screenshot_will_be_taken():
    line = render(Snapshot.of(slot([[1, 1]] * 3 + [None] * 7), "Site", queued=0, problem=None))
    due = (T0 + timedelta(minutes=7, seconds=13)).astimezone()
    assert due.strftime("%H:%M") not in line and "screenshot" not in line
