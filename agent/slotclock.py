"""The slot clock: turns running input totals into per-minute counts, slot by slot.

It never reads the time itself. The runner calls tick(now) at each slot-minute boundary and at
the screenshot instant (next_wake() says when), so tests drive it with any clock they like.
"""

import json
import random
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from agent import private_apps
from agent.inputs import InputCounter
from agent.wire import MAX_EVENTS_PER_MINUTE, ServerState, WindowInfo, event_body, instant
from diary.slots import minute_index, minute_length, slot_end, slot_floor
from diary.terms import SLOT_MINUTES, Screenshots, Webcam
from diary.text import MAX_MEMO, fit


@dataclass
class OpenSlot:
    """The slot being recorded. minutes[i] is [keys, mouse], or None outside the session."""

    session_id: int
    start: datetime
    seconds: int
    tracked_from: datetime
    shot_due: datetime  # drawn at random when the slot opens; never shown to anyone
    memo: str | None = None
    minutes: list[list[int] | None] = field(default_factory=lambda: [None] * SLOT_MINUTES)
    shot_at: datetime | None = None
    sampled: bool = False
    window: WindowInfo | None = None
    discarded: bool = False  # deleted by the freelancer before upload: never sent
    private_app: bool = False  # a private app had focus at the screenshot: blurred here, no window sent
    # The focused window sampled once a minute under window=on: [app, title], or None (not sampled,
    # a private app focused, nothing readable). None as a whole when the contract has window=off.
    windows: list[list[str] | None] | None = None
    sampled_minutes: list[int] = field(default_factory=list)  # the minutes already sampled
    webcam: bool = False  # webcam=on and consent here when the slot opened: a camera frame goes with its screenshot

    @property
    def end(self) -> datetime:
        return slot_end(self.start, self.seconds)

    def minute_start(self, i: int) -> datetime:
        return self.start + i * minute_length(self.seconds)

    def active_minutes(self) -> int:
        return sum(1 for m in self.minutes if m and m[0] + m[1] > 0)

    def mark_tracked(self, until: datetime) -> None:
        """Every minute that shares time with [tracked_from, until) is inside the session."""
        for i in range(SLOT_MINUTES):
            if (
                self.minutes[i] is None
                and self.minute_start(i + 1) > self.tracked_from
                and self.minute_start(i) < until
            ):
                self.minutes[i] = [0, 0]

    def add(self, at: datetime, keys: int, mouse: int) -> None:
        i = minute_index(max(at, self.start), self.seconds)
        counts = self.minutes[i] or [0, 0]
        self.minutes[i] = [min(counts[0] + keys, MAX_EVENTS_PER_MINUTE), min(counts[1] + mouse, MAX_EVENTS_PER_MINUTE)]

    def report(self, version: str) -> dict[str, Any]:
        """The `meta` of `POST /api/v1/agent/slots` (diary.protocol.SlotReport)."""
        return {
            "session_id": self.session_id,
            "slot_start": instant(self.start),
            "minutes": [None if m is None else {"keys": m[0], "mouse": m[1]} for m in self.minutes],
            "screenshot_at": instant(self.shot_at) if self.shot_at else None,
            "memo": fit(self.memo, MAX_MEMO),  # trimmed before it is queued: never a slot refused for its memo
            "window": self.window.to_json() if self.window else None,
            "agent_version": version,
            **({"private_app": True} if self.private_app else {}),  # an old server ignores it
            **({"windows": [None if w is None else WindowInfo(*w).to_json() for w in self.windows]}
               if self.windows is not None else {}),  # so does it these
        }

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=instant)

    @classmethod
    def from_json(cls, text: str) -> "OpenSlot":
        data = json.loads(text)
        for key in ("start", "tracked_from", "shot_due", "shot_at"):
            data[key] = datetime.fromisoformat(data[key]) if data[key] else None
        data["window"] = WindowInfo(**data["window"]) if data.get("window") else None
        return cls(**data)


class SlotSink(Protocol):
    """Where slots go: the durable queue, written before anything is uploaded."""

    def save_open(self, slot: OpenSlot, screenshot: bytes | None = None, webcam: bytes | None = None) -> None: ...

    def finish(self, slot: OpenSlot, not_before: datetime) -> None: ...

    def add_event(self, body: dict[str, Any], not_before: datetime, session_id: int | None = None) -> None: ...

    def drop(self, session_id: int, start: datetime) -> bool: ...


class SlotClock:
    def __init__(
        self,
        counter: InputCounter,
        sink: SlotSink,
        capture: Callable[[Screenshots], bytes | None],
        window: Callable[[], WindowInfo | None],
        rng: random.Random | None = None,
    ) -> None:
        self.counter, self.sink, self.capture, self.window = counter, sink, capture, window
        self.rng = rng or secrets.SystemRandom()
        self.state: ServerState | None = None
        self.slot: OpenSlot | None = None
        self.session_id: int | None = None  # the session being tracked, paused or not
        self.paused = False  # private mode: nothing is counted, nothing captured, nothing opened
        self.on_shot: Callable[[OpenSlot, bytes], None] | None = None  # the tracker window shows it at once
        self.private_apps: tuple[str, ...] = ()  # patterns from the agent's folder, edited in the tracker window
        # The webcam (agent/webcam.py): whether this computer's owner consents now, and the camera.
        self.webcam_consent: Callable[[], bool] = lambda: False
        self.camera: Callable[[Screenshots], bytes | None] | None = None

    @property
    def tracking(self) -> bool:
        return self.session_id is not None

    def start(self, state: ServerState, now: datetime, resume: OpenSlot | None = None) -> None:
        """Begin tracking; `resume` is a checkpoint of this session's current slot left by a crash."""
        self.state, self._seen = state, (self.counter.keys, self.counter.mouse)
        self._last_tick = self._last_input = now
        same = resume and resume.session_id == state.session_id and resume.start == slot_floor(now, state.slot_seconds)
        self.slot = resume if same else self._open(slot_floor(now, state.slot_seconds), now)
        self.slot.memo = state.memo
        self.session_id, self.paused = state.session_id, False
        self._sample_window(now)
        self.sink.save_open(self.slot)

    def update(self, state: ServerState) -> None:
        """The same session with new settings or memo: they apply from now on, to this slot too."""
        self.state = state
        if self.slot:
            self.slot.memo = state.memo
            if not state.window:  # turned off: what was sampled of this slot stays here too
                self.slot.windows, self.slot.window = None, None

    def tick(self, now: datetime) -> bool:
        """Account for the time up to now. True when idle time stopped tracking."""
        slot = self.slot
        if slot is None or self.state is None:
            return False
        if self.paused:
            self._roll_paused(slot, now)
            return False
        self._harvest(slot, now)
        saved = False
        if now >= slot.end:
            self._roll(slot, now)
            saved = True
        elif not slot.sampled and now >= slot.shot_due:
            self._sample(slot, now)
            saved = True
        # The minute's window goes into the slot now under way (the new one after a roll).
        if self._sample_window(now) or not saved:
            self.sink.save_open(self.slot)
        return self._idle_stop(now)

    def stop(self, now: datetime) -> None:
        """Clock-out, idle, Ctrl-C: the partial slot is queued now, to be sent at once."""
        self.session_id = None
        if self.slot is None:
            return
        if not self.paused:  # paused, the time since the pause is private: nothing to add
            self._harvest(self.slot, now)
        if any(self.slot.minutes):
            self.sink.finish(self.slot, not_before=now)
        self.slot = None

    def pause(self, now: datetime) -> None:
        """Private mode on: what was recorded up to now stays; from now on nothing is counted or captured."""
        if self.paused or not self.tracking:
            return
        if self.slot is not None and now > self._last_tick:
            self._harvest(self.slot, now)
            self.sink.save_open(self.slot)
        self.paused = True

    def resume(self, now: datetime) -> None:
        """Private mode off: the slot goes on from now; its private minutes stay out of the session."""
        if not self.paused:
            return
        self.paused = False
        self._seen, self._last_tick, self._last_input = (self.counter.keys, self.counter.mouse), now, now
        slot = self.slot
        if slot is not None and now >= slot.end:
            self._roll_paused(slot, now)
            slot = None
        if slot is None:
            assert self.state
            self.slot = self._open(slot_floor(now, self.state.slot_seconds), now)
        else:
            slot.tracked_from = max(slot.tracked_from, now)
            if not slot.sampled and slot.shot_due < now:  # drawn again from the part still to come
                slot.shot_due = now + timedelta(seconds=self.rng.uniform(0, (slot.end - now).total_seconds()))
        self._sample_window(now)
        self.sink.save_open(self.slot)

    def _roll_paused(self, slot: OpenSlot, now: datetime) -> None:
        """A slot that ends while private is queued with what it had before; no new one opens."""
        if now >= slot.end:
            if any(slot.minutes):
                self.sink.finish(slot, not_before=now)
            else:
                self.sink.drop(slot.session_id, slot.start)
            self.slot = None

    def next_wake(self, now: datetime) -> datetime | None:
        """The next minute boundary, or the screenshot instant if that comes first."""
        slot = self.slot
        if slot is None:
            return None
        if self.paused:
            return slot.end
        boundary = slot.minute_start(minute_index(now, slot.seconds) + 1) if now >= slot.start else slot.start
        if not slot.sampled and now < slot.shot_due < boundary:
            return slot.shot_due
        return boundary

    def _open(self, start: datetime, tracked_from: datetime) -> OpenSlot:
        assert self.state and self.state.session_id is not None
        seconds = self.state.slot_seconds
        tracked = (slot_end(start, seconds) - tracked_from).total_seconds()
        shot_due = tracked_from + timedelta(seconds=self.rng.uniform(0, tracked))
        slot = OpenSlot(self.state.session_id, start, seconds, tracked_from, shot_due, self.state.memo)
        slot.webcam = self._webcam_wanted()  # consent or a new term applies from the next slot on
        return slot

    def _webcam_wanted(self) -> bool:
        """The contract asks for the webcam and this computer's owner consents (docs/rules.md#webcam)."""
        return bool(self.state and self.state.webcam != Webcam.OFF and self.camera and self.webcam_consent())

    def _harvest(self, slot: OpenSlot, now: datetime) -> None:
        """Counts since the last tick go to the minute that tick was in; ticks fall on minute starts."""
        keys, mouse = self.counter.keys, self.counter.mouse
        new_keys, new_mouse = keys - self._seen[0], mouse - self._seen[1]
        self._seen = (keys, mouse)
        slot.mark_tracked(min(now, slot.end))
        if new_keys or new_mouse:
            slot.add(min(self._last_tick, slot.end - timedelta(microseconds=1)), new_keys, new_mouse)
            self._last_input = now
        self._last_tick = now

    def _roll(self, slot: OpenSlot, now: datetime) -> None:
        spread = self.rng.uniform(0, minute_length(slot.seconds).total_seconds())
        self.sink.finish(slot, not_before=slot.end + timedelta(seconds=spread))  # agents spread out
        start = slot_floor(now, slot.seconds)
        self.slot = self._open(start, start)
        self.sink.save_open(self.slot)

    def _sample(self, slot: OpenSlot, now: datetime) -> None:
        assert self.state
        slot.sampled = True
        # The focused window is read for the private apps too; it leaves the device only with window=on.
        focused = self.window() if self.state.window or self.private_apps else None
        slot.private_app = private_apps.matches(self.private_apps, focused)
        mode = self.state.screenshots
        shot = self.capture(Screenshots.BLUR if slot.private_app and mode != Screenshots.OFF else mode)
        slot.shot_at = now if shot is not None else None
        slot.window = None if slot.private_app or not self.state.window else focused
        frame = self._frame(slot, mode) if shot is not None else None
        self.sink.save_open(slot, screenshot=shot, **({"webcam": frame} if frame is not None else {}))
        if shot is not None and self.on_shot:
            self.on_shot(slot, shot)

    def _frame(self, slot: OpenSlot, mode: Screenshots) -> bytes | None:
        """A withdrawal, or the contract's webcam=off, stops the camera at once, even in this slot."""
        if not slot.webcam or not self._webcam_wanted():
            return None
        assert self.camera
        return self.camera(Screenshots.BLUR if slot.private_app and mode != Screenshots.OFF else mode)

    def _sample_window(self, now: datetime) -> bool:
        """Once a minute, only with window=on and never while private: the focused window for the
        minute under way (docs/rules.md#apps). A private app's minute keeps no sample at all."""
        slot, state = self.slot, self.state
        if slot is None or state is None or not state.window or self.paused or not slot.start <= now < slot.end:
            return False
        minute = minute_index(now, slot.seconds)
        if minute in slot.sampled_minutes:
            return False
        focused = self.window()
        slot.windows = slot.windows or [None] * SLOT_MINUTES
        slot.windows[minute] = None if focused is None or private_apps.matches(self.private_apps, focused) \
            else [focused.app, focused.title]
        slot.sampled_minutes.append(minute)
        return True

    def discard(self) -> None:
        """The freelancer deleted the slot being recorded: it goes on being timed, and is never sent."""
        if self.slot is not None:
            self.slot.discarded = True
            self.sink.save_open(self.slot)

    def _idle_stop(self, now: datetime) -> bool:
        assert self.state
        idle_after = minute_length(self.state.slot_seconds) * self.state.idle_minutes
        if self.state.idle_minutes <= 0 or now - self._last_input < idle_after:
            return False
        session_id = self.session_id
        self.stop(now)
        self.sink.add_event(event_body("idle_stop", now), not_before=now, session_id=session_id)
        return True
