"""The tray icon while `tally-agent run` runs: its look says what the tracker does.

It draws from the same TrackerView the tracker window shows. Where the tray has menus it offers
Clock in (a contract picker when there are several), Clock out, Memo…, Private, Open tracker and
Quit; where it has none (plain X11) a click opens the tracker window, which carries every action.
Where no tray can be shown (no display, no tray host, pystray missing) the agent tracks as before
and says why once (docs/architecture.md#agent-tray).
"""

import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.controls import TrackerView

if TYPE_CHECKING:
    from PIL import Image

SIZE = 64
COLOURS = {  # the disc's colour per look
    "tracking": (34, 160, 84),
    "stopped": (128, 128, 128),
    "private": (96, 64, 160),
    "offline": (214, 130, 20),
    "cannot": (196, 40, 40),
}


@dataclass(frozen=True)
class Look:
    name: str  # tracking | stopped | private | offline | cannot
    title: str


def look_of(view: TrackerView) -> Look:
    """One word for the icon's picture and a sentence for its title (the tooltip, the window name)."""
    if view.cannot_track:
        return Look("cannot", f"Tally: cannot track here ({view.cannot_track})")
    if view.private:
        return Look("private", "Tally: private, nothing is recorded or sent")
    doing = (
        f"tracking {view.contract}".rstrip() + (f" - {view.memo}" if view.memo else "")
        if view.tracking
        else "not tracking"
    )
    if not view.online:
        why = view.problem or "connecting to the server"
        return Look(
            "offline",
            f"Tally: offline ({why}); {doing}"
            + (", slots wait on this computer" if view.tracking else ""),
        )
    return Look("tracking" if view.tracking else "stopped", f"Tally: {doing}")


def draw(name: str, size: int = SIZE) -> "Image.Image":
    """A disc in the look's colour with a mark: clock hands, a pause bar, a closed eye, a slash, a cross."""
    from PIL import (  # here, not at the top: without a tray they are never needed
        Image,
        ImageDraw,
    )

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pad, mid, white, width = (
        size // 16,
        size // 2,
        (255, 255, 255, 255),
        max(2, size // 12),
    )
    pen.ellipse([pad, pad, size - pad, size - pad], fill=COLOURS[name] + (255,))
    if name == "tracking":
        pen.line([(mid, mid), (mid, size // 4)], fill=white, width=width)
        pen.line([(mid, mid), (size * 3 // 4 - pad, mid)], fill=white, width=width)
    elif name == "stopped":
        pen.ellipse(
            [size // 4, size // 4, size * 3 // 4, size * 3 // 4],
            outline=white,
            width=width,
        )
    elif name == "private":
        pen.arc(
            [size // 4, size // 4, size * 3 // 4, size * 3 // 4],
            20,
            160,
            fill=white,
            width=width,
        )
        for x, dx in (
            (size * 3 // 8, -1),
            (mid, 0),
            (size * 5 // 8, 1),
        ):  # lashes: a closed eye
            pen.line(
                [(x, size * 3 // 4 - pad), (x + dx * size // 16, size * 7 // 8 - pad)],
                fill=white,
                width=width // 2 + 1,
            )
    elif name == "offline":
        pen.line(
            [(size // 4, size * 3 // 4), (size * 3 // 4, size // 4)],
            fill=white,
            width=width,
        )
    else:
        pen.line(
            [(size // 4, size // 4), (size * 3 // 4, size * 3 // 4)],
            fill=white,
            width=width,
        )
        pen.line(
            [(size // 4, size * 3 // 4), (size * 3 // 4, size // 4)],
            fill=white,
            width=width,
        )
    return image


def menu_entries(view: TrackerView) -> list[tuple[str, str, object]]:
    """(label, action, argument) of the menu as it should read now; a contract picker is a list."""
    entries: list[tuple[str, str, object]] = []
    if view.tracking:
        entries.append(("Clock out", "clockout", None))
    elif len(view.contracts) > 1:
        entries.append(
            (
                "Clock in",
                "clockin",
                [(title, str(cid)) for cid, title in view.contracts],
            )
        )
    else:
        entries.append(
            ("Clock in", "clockin", str(view.contracts[0][0]) if view.contracts else "")
        )
    entries += [
        ("Memo…", "open", "#memo-edit"),
        ("Private", "private", not view.private),
        ("Open tracker", "open", ""),
        ("Quit", "quit", None),
    ]
    return entries


class Tray:
    """Owns the pystray icon: its own thread runs the tray's loop, another applies new looks."""

    STALL_SECONDS = 5.0  # a change pystray has not applied by then never will be: the icon is replaced

    def __init__(self, pystray, view: Callable[[], TrackerView], act: Callable[[str, dict[str, str]], str],
                 url: Callable[[], str | None], quit: Callable[[], None], say: Callable[[str], None]) -> None:
        self.pystray, self.view, self.act, self.url, self.quit, self.say = pystray, view, act, url, quit, say
        self.look = look_of(view())
        self.latin1 = pystray.Icon.__module__ == "pystray._xorg"  # X11's WM_NAME is a Latin-1 string
        self.changed = threading.Event()
        self.closing = False
        self.icon = self._new_icon(self.look)
        self._updates = threading.Thread(target=self._apply, name="tray-updates", daemon=True)

    def _new_icon(self, look: Look):
        icon = self.pystray.Icon("tally-agent", draw(look.name), self._title(look), self._menu())
        if self.latin1:
            _listen_for_clicks(icon)
            _survive_x_errors(icon)
        return icon

    @property
    def has_menu(self) -> bool:
        return bool(self.icon.HAS_MENU)

    def start(self) -> "Tray":
        self._run(self.icon)
        self._updates.start()
        return self

    def _run(self, icon) -> None:
        threading.Thread(target=icon.run, args=(self._shown,), name="tray", daemon=True).start()

    def _shown(self, icon) -> None:
        """pystray's setup thread: shows the icon, then has the look of now applied to it."""
        _retried(lambda: setattr(icon, "visible", True))
        self.changed.set()

    def show(self, view: TrackerView) -> None:
        """From the agent's loop: cheap; the icon changes on the tray's thread, only when its look does."""
        if look_of(view) != self.look:
            self.changed.set()

    def close(self) -> None:
        self.closing = True
        self.changed.set()
        self._updates.join(timeout=5)
        _in_background(self.icon.stop)

    def _apply(self) -> None:
        """Redraws the icon whenever the look changes; a change pystray never applies replaces the icon."""
        while True:
            self.changed.wait()
            self.changed.clear()
            if self.closing:
                return
            look = look_of(self.view())
            icon = self.icon
            done: list[bool] = []
            worker = _in_background(lambda icon=icon, look=look, done=done: done.append(_retried(lambda: self._redraw(icon, look))))
            worker.join(self.STALL_SECONDS)
            if worker.is_alive():  # its X11 loop stopped: a new icon takes its place, the old one goes
                self._replace(icon, look)
            elif done != [True]:  # not shown yet: pystray would keep the title and never draw it
                time.sleep(0.5)
                self.changed.set()
                continue
            self.look = look

    def _replace(self, stalled, look: Look) -> None:
        _drop_window(stalled)
        self.icon = self._new_icon(look)
        self._run(self.icon)

    def _redraw(self, icon, look: Look) -> None:
        if not icon.visible:
            raise RuntimeError("the icon is not shown yet")
        if look.name != self.look.name:
            icon.icon = draw(look.name)
        icon.title = self._title(look)
        if self.has_menu:
            icon.update_menu()

    def _title(self, look: Look) -> str:
        return (
            look.title.encode("latin-1", "replace").decode("latin-1")
            if self.latin1
            else look.title
        )

    def _menu(self):
        pystray = self.pystray
        return pystray.Menu(
            lambda: [
                self._item(label, action, arg)
                for label, action, arg in menu_entries(self.view())
            ]
        )

    def _item(self, label: str, action: str, arg: object):
        item, menu = self.pystray.MenuItem, self.pystray.Menu
        if isinstance(arg, list):  # the contract picker
            return item(
                label,
                menu(*[item(title, self._doing(action, cid)) for title, cid in arg]),
            )
        if action == "private":
            return item(
                label, self._doing(action, arg), checked=lambda _: self.view().private
            )
        return item(label, self._doing(action, arg), default=(label == "Open tracker"))

    def _doing(self, action: str, arg: object) -> Callable[..., None]:
        def run(
            *_: object,
        ) -> None:  # off the tray's thread: clocking in talks to the server
            threading.Thread(
                target=self._do, args=(action, arg), name="tray-action", daemon=True
            ).start()

        return run

    def _do(self, action: str, arg: object) -> None:
        if action == "quit":
            return self.quit()
        if action == "open":
            url = self.url()
            return (
                self.say("The tracker window is not open.")
                if url is None
                else open_link(url + str(arg or ""))
            )
        form = {
            "clockin": {"contract_id": str(arg)},
            "private": {"switch": "on" if arg else "off"},
        }.get(action, {})
        self._tell(self.act(action, form))

    def notifier(self) -> Callable[[str], None] | None:
        """The tray's own notifications, where its backend has them (not plain X11)."""
        return (lambda sentence: self.icon.notify(sentence, "Tally")) if self.icon.HAS_NOTIFICATION else None

    def _tell(self, sentence: str) -> None:
        (self.notifier() or self.say)(sentence)


def _listen_for_clicks(icon) -> None:
    """pystray's X11 icon window (0.19.5) handles button presses but never asks for them, so a
    click on the icon would do nothing: the window is told to report them before the loop runs."""
    from Xlib import X

    window, screen = getattr(icon, "_window", None), getattr(icon, "_display", None)
    if window is not None and screen is not None:
        window.change_attributes(event_mask=X.ExposureMask | X.StructureNotifyMask | X.ButtonPressMask)
        screen.flush()


def _survive_x_errors(icon) -> None:
    """pystray's X11 loop ends at the first error any of its event handlers raises (a window gone
    while the tray host re-embeds the icon), and every later change would then wait for it forever:
    each handler's error is dropped instead, and the next event draws again."""
    handlers = getattr(icon, "_message_handlers", None)
    if not isinstance(handlers, dict):
        return

    def quiet(handler):
        def run(event) -> None:
            try:
                handler(event)
            except Exception:  # noqa: BLE001, S110  the next event draws again
                pass

        return run

    for kind, handler in list(handlers.items()):
        handlers[kind] = quiet(handler)


def _in_background(work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=work, name="tray-work", daemon=True)
    thread.start()
    return thread


def _drop_window(icon) -> None:
    """Takes a stalled X11 icon out of the tray from a connection of our own (its loop cannot)."""
    window = getattr(icon, "_window", None)
    if window is None:
        return
    try:
        from Xlib import display

        screen = display.Display()
        try:
            screen.create_resource_object("window", window.id).destroy()
            screen.flush()
        finally:
            screen.close()
    except Exception:  # noqa: BLE001, S110  already gone with its display: nothing to take away
        pass


def _retried(change: Callable[[], None], tries: int = 3) -> bool:
    """pystray's X11 loop may not be ready for the first change (its thread is named after it
    marks itself ready): a failed change is tried again shortly, and never ends the tray's thread."""
    for attempt in range(tries):
        try:
            change()
            return True
        except Exception:  # noqa: BLE001
            time.sleep(0.2 * (attempt + 1))
    return False


def open_link(url: str) -> None:
    import webbrowser

    webbrowser.open(url)


def why_no_tray() -> str | None:
    """Before pystray is imported: it connects to the display on import, and fails loudly."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            return "no display"
    return None


def load_pystray():
    """pystray, or the sentence saying why it cannot be used here."""
    logging.getLogger("pystray").addHandler(
        logging.NullHandler()
    )  # its docking errors are ours to say
    logging.getLogger("pystray").propagate = False
    try:
        import pystray
    except ImportError as exc:
        return None, f"pystray is not installed ({exc}); pip install 'tally[agent]'"
    except Exception as exc:  # noqa: BLE001  Xlib's errors when the display refuses us
        return None, f"the display cannot be reached ({exc})"
    return pystray, None


def tray_host_missing(pystray) -> str | None:
    """On plain X11 an icon docks only where a tray host owns the system tray selection."""
    if pystray.Icon.__module__ != "pystray._xorg":
        return None
    return _x11_tray_missing()


def start_tray(view, act, url, quit, say) -> Tray | None:
    """The tray icon, or None after saying once why there is none (the agent tracks the same)."""
    why = why_no_tray() or _x11_tray_missing()
    pystray = None
    if why is None:
        pystray, why = load_pystray()
    if why is None:
        why = tray_host_missing(pystray)
    if why is not None:
        say(f"No tray icon: {why}. Tracking goes on; open the tracker window with: tally-agent open")
        return None
    try:
        return Tray(pystray, view, act, url, quit, say).start()
    except Exception as exc:  # noqa: BLE001  a tray that fails must not take the tracking with it
        say(f"No tray icon: it could not be shown ({exc}). Tracking goes on; open the tracker window with: tally-agent open")
        return None


def _x11_tray_missing() -> str | None:
    """Where pystray would use plain X11, ask for a tray host before loading it (it costs memory)."""
    if os.environ.get("PYSTRAY_BACKEND") not in (None, "", "xorg") or not os.environ.get("DISPLAY"):
        return None
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")) or importlib.util.find_spec("gi") is not None:
        return None  # with GTK bindings pystray uses AppIndicator or GTK, which find their own tray
    try:
        from Xlib import X, display

        screen = display.Display()
    except Exception as exc:  # noqa: BLE001
        return f"the display cannot be reached ({exc})"
    try:
        owner = screen.get_selection_owner(screen.intern_atom(f"_NET_SYSTEM_TRAY_S{screen.get_default_screen()}"))
    finally:
        screen.close()
    return None if owner != X.NONE else "no system tray on this desktop"
