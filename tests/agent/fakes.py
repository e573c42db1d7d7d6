"""Stand-ins injected into the slot clock: an input source the test types on, and a sink that keeps what it gets."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.slotclock import OpenSlot


class FakeInput:
    def __init__(self) -> None:
        self.keys = 0
        self.mouse = 0

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def type(self, keys: int = 0, mouse: int = 0) -> None:
        self.keys += keys
        self.mouse += mouse


@dataclass
class Finished:
    report: dict[str, Any]
    not_before: datetime

    def counts(self) -> list[tuple[int, int] | None]:
        return [None if m is None else (m["keys"], m["mouse"]) for m in self.report["minutes"]]


@dataclass
class RecordingSink:
    finished: list[Finished] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    screenshots: list[bytes] = field(default_factory=list)
    checkpoints: int = 0
    dropped: list[datetime] = field(default_factory=list)

    def save_open(self, slot: OpenSlot, screenshot: bytes | None = None) -> None:
        self.checkpoints += 1
        if screenshot is not None:
            self.screenshots.append(screenshot)

    def finish(self, slot: OpenSlot, not_before: datetime) -> None:
        self.finished.append(Finished(slot.report("test"), not_before))

    def add_event(self, body: dict[str, Any], not_before: datetime, session_id: int | None = None) -> None:
        self.events.append(body)

    def drop(self, session_id: int, start: datetime) -> bool:
        self.dropped.append(start)
        return True
