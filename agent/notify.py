"""A desktop notification, with its thumbnail, each time a screenshot is taken: the freelancer sees
what was captured the moment it was, as with Upwork's and Hubstaff's trackers, and one click opens
the tracker window, where it can be deleted before it is sent (docs/architecture.md#screenshot-notifications).

It goes through the desktop's notification service (freedesktop's `notify-send`, where a session
bus runs); elsewhere through the tray icon's own notification if its backend has one (text only);
else nowhere, and the tracker window alone shows the shot. `tally-agent notify off` turns it off.
"""

import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from agent.controls import LastShot
from agent.home import read_json, write_private, write_private_bytes

FILE = "notifications.json"  # {"off": true} once the freelancer turned them off
PREVIEW = "shot-preview-{:%Y%m%dT%H%M%S}.jpg"  # a notification's picture while it shows; only this user may read it
PREVIEWS = "shot-preview-*.jpg"
PREVIEW_BOX = (360, 225)
SHOWN_MS = 8000
OPEN = "default"  # the notification's action, a click on it: opens the tracker window


def enabled(folder: Path) -> bool:
    return not (read_json(folder / FILE) or {}).get("off")


def set_enabled(folder: Path, on: bool) -> None:
    write_private(folder / FILE, {"off": not on})


def desktop_command() -> str | None:
    """notify-send, where it can reach a notification service (a session bus): None otherwise."""
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS") or _runtime_bus()
    return shutil.which("notify-send") if bus else None


def _runtime_bus() -> str | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return runtime if runtime and Path(runtime, "bus").exists() else None


class ShotNotifier:
    """Told of each screenshot by the agent's loop; the work (a thumbnail, a process) is done in
    a thread of its own so the slot clock never waits for the desktop."""

    def __init__(self, folder: Path, open_tracker: Callable[[], None],
                 fallback: Callable[[str], None] | None = None, command: str | None = None) -> None:
        self.folder, self.open_tracker, self.fallback = folder, open_tracker, fallback
        self.command = command if command is not None else desktop_command()
        for left in folder.glob(PREVIEWS):  # from an agent that was killed
            left.unlink(missing_ok=True)

    def shot(self, shot: LastShot) -> None:
        if not enabled(self.folder) or (self.command is None and self.fallback is None):
            return
        threading.Thread(target=self._notify, args=(shot,), name="notify", daemon=True).start()

    def _notify(self, shot: LastShot) -> None:
        title, body = sentences(shot)
        if self.command is None:
            self.fallback(f"{title}. {body}")  # type: ignore[misc]  # checked in shot()
            return
        picture = self._write_preview(shot.image, self.folder / PREVIEW.format(shot.taken_at))
        argv = [self.command, "--app-name=Tally", f"--expire-time={SHOWN_MS}", f"--action={OPEN}=Open tracker"]
        argv += [f"--icon={picture}"] if picture else []
        try:
            done = subprocess.run(argv + ["--wait", title, body], capture_output=True, text=True, timeout=120,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return  # the desktop's service is gone or never answered: the tracker window still shows it
        finally:  # no copy of a screenshot outlives its notification (it may be deleted meanwhile)
            if picture:
                picture.unlink(missing_ok=True)
        if done.stdout.strip() == OPEN:
            self.open_tracker()

    def _write_preview(self, image: bytes, path: Path) -> Path | None:
        """A small copy of the screenshot for the notification, deleted when it closes."""
        from PIL import Image

        try:
            with Image.open(io.BytesIO(image)) as picture:
                picture.draft("RGB", (PREVIEW_BOX[0] * 2, PREVIEW_BOX[1] * 2))
                picture.thumbnail(PREVIEW_BOX)
                out = io.BytesIO()
                picture.convert("RGB").save(out, "JPEG", quality=80)
            write_private_bytes(path, out.getvalue())
        except (OSError, SyntaxError, ValueError):  # unreadable image or folder: a notification without it
            return None
        return path


def sentences(shot: LastShot) -> tuple[str, str]:
    at = shot.taken_at.astimezone().strftime("%H:%M")
    title = f"Tally took a screenshot at {at}"
    if shot.private_app:
        return title, "It is blurred: a private app had focus. Open the tracker to see or delete it."
    return title, "Open the tracker to see it, or to delete it before it is sent."

