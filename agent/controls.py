"""What the tracker window (and the tray) show and ask of the running agent.

The agent's loop owns the slot clock and the queue; the window's requests arrive on other
threads, so they are handed to the loop as commands and answered with a sentence for the person.
Anything that talks to the server (clock-in, deleting an uploaded slot) runs on the caller's
thread, never on the loop's, so a slow network never holds up the slot clock.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.wire import Week

NOT_TRACKING = "Not tracking; nothing to stop."
COMMAND_WAIT_SECONDS = 40.0  # a Delete may wait for an upload in flight (the client's timeout is 30 s)


@dataclass(frozen=True)
class LastShot:
    """The last screenshot taken, kept in memory so the window can show it as soon as it is taken."""

    session_id: int
    slot_start: datetime
    taken_at: datetime
    image: bytes
    private_app: bool = False


@dataclass(frozen=True)
class TrackerView:
    """Everything the window draws, as one consistent picture taken by the loop."""

    tracking: bool = False
    contract: str = ""
    memo: str = ""
    private: bool = False
    active_minutes: int = 0
    keys: int = 0
    mouse: int = 0
    week: Week | None = None
    queued: int = 0
    online: bool = False
    problem: str | None = None
    diary_url: str | None = None
    contracts: tuple[tuple[int, str], ...] = ()
    shot: LastShot | None = None
    shot_here: bool = False  # still on this computer (not uploaded yet)
    private_apps: tuple[str, ...] = ()
    notice: str = ""  # what the freelancer must know until acted on (a refused offline clock-in)
    held: int = 0  # slots of a refused offline clock-in, kept on this computer
    events_waiting: int = 0  # clock-ins, clock-outs, idle stops not yet delivered: a clock-in queues behind them
    cannot_track: str = ""  # why this computer cannot be tracked (a Wayland session), or nothing
    webcam: str = "off"  # the server's word: off, needs_consent or on
    webcam_consent: bool = False  # given on this computer
    webcam_note: str = ""  # why no frame can be taken (no camera, no library)


@dataclass
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    reply: str = ""
    outcome: str = ""  # a machine-readable result where the caller needs one ("uploaded")
    done: threading.Event = field(default_factory=threading.Event)

    def answer(self, reply: str, outcome: str = "") -> None:
        self.reply, self.outcome = reply, outcome
        self.done.set()
