"""Whether this computer can be tracked at all (docs/rules.md#devices-that-cannot-track).

In a Wayland session without a usable X display, no program may read the screen or the input of
other programs: the agent can take no screenshot and count no key. It says so at start, in the
tray and the tracker window, and tells the server with a `capabilities` event, so the server
refuses /clockin with the reason and the fix instead of recording silent gaps. When a later run
can track again (an X11 session), it says that too, once.
"""

import json
import os
import sys
from collections.abc import Mapping
from datetime import datetime

from agent.home import AgentHome, write_private
from agent.queue import Queue
from agent.wire import event_body

WAYLAND = "Wayland"
FILE = "capabilities.json"


def cannot_track(env: Mapping[str, str] = os.environ) -> str | None:
    """The reason this session cannot be tracked, or None."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return None
    wayland = bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    if not wayland or _x_usable(env.get("DISPLAY", "")):
        return None
    return WAYLAND


def _x_usable(name: str) -> bool:
    if not name:
        return False
    try:
        from Xlib import display

        display.Display(name).close()
    except Exception:  # noqa: BLE001  no such display, refused, no Xlib
        return False
    return True


def explain(reason: str) -> str:
    return (f"This computer cannot be tracked: in a {reason} session the agent can take no screenshot and count "
            "no input. Log in with an X11 session (on the login screen pick the desktop's “on Xorg” / X11 "
            "session) and run tally-agent again. The server is told, and refuses /clockin until then.")


def tell_server(home: AgentHome, queue: Queue, reason: str | None, now: datetime) -> None:
    """Queues a `capabilities` event when what this device can do differs from what it last said."""
    able = reason is None
    said = _last_said(home)
    if said is None and able or said == able:  # a device that never said otherwise is thought able
        return
    body = event_body("capabilities", now, screenshots=able, input=able, reason=reason)
    queue.add_event(body, not_before=now)
    write_private(home.path / FILE, {"able": able, "reason": reason or ""})


def _last_said(home: AgentHome) -> bool | None:
    try:
        return bool(json.loads((home.path / FILE).read_text())["able"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class NoInput:
    """The input counter where none can run: it counts nothing, and nothing is tracked anyway."""

    keys = 0
    mouse = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass
