"""What the running agent shows: one line, rewritten in place on a terminal.

It says whether time is being tracked, this slot's activity and the queue. It never says when
the next screenshot will be taken: that instant must stay unpredictable.
"""

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from agent.slotclock import OpenSlot
from diary.terms import SLOT_MINUTES


@dataclass(frozen=True)
class Snapshot:
    """The agent's state as `status` and the terminal line show it (also written to status.json)."""

    tracking: bool
    contract: str = ""
    slot_start: str | None = None
    active_minutes: int = 0
    keys: int = 0
    mouse: int = 0
    queued: int = 0
    problem: str | None = None
    private: bool = False

    @classmethod
    def of(cls, slot: OpenSlot | None, contract: str, queued: int, problem: str | None,
           private: bool = False) -> "Snapshot":
        if private or slot is None:
            return cls(tracking=False, queued=queued, problem=problem, private=private)
        counted = [m for m in slot.minutes if m]
        return cls(
            tracking=True, contract=contract, slot_start=slot.start.isoformat(), active_minutes=slot.active_minutes(),
            keys=sum(m[0] for m in counted), mouse=sum(m[1] for m in counted), queued=queued, problem=problem,
        )  # fmt: skip


def render(snap: Snapshot) -> str:
    if snap.private:
        head = "◌ private: nothing is recorded or sent"
    elif snap.tracking and snap.slot_start:
        local = datetime.fromisoformat(snap.slot_start).astimezone().strftime("%H:%M:%S")
        head = (
            f"● tracking{' ' + snap.contract if snap.contract else ''} · slot {local}: "
            f"{snap.active_minutes}/{SLOT_MINUTES} active minutes, {snap.keys} keys, {snap.mouse} mouse"
        )
    else:
        head = "○ not tracking"
    tail = f" · queue {snap.queued}"
    return head + tail + (f" · {snap.problem}" if snap.problem else "")


class StatusLine:
    """Rewrites one line on a terminal; elsewhere (a log, a pipe) prints a line per change."""

    def __init__(self, out: TextIO = sys.stdout) -> None:
        self.out, self.last = out, ""
        self.live = out.isatty()

    def show(self, text: str) -> None:
        if text == self.last:
            return
        self.last = text
        self.out.write(f"\r\x1b[2K{text}" if self.live else text + "\n")
        self.out.flush()

    def say(self, message: str) -> None:
        """A lasting message (tracking started, idle stop) above the live line."""
        self.out.write(("\r\x1b[2K" if self.live else "") + message + "\n")
        self.last = ""
        self.out.flush()
