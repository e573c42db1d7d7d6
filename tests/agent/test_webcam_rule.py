"""The consent rule on the device, driven by the slot clock with an injected clock: the camera is
asked for a frame only when the contract asks for the webcam and this computer's owner consents;
consent applies from the next slot, a withdrawal at once.

Rule: docs/rules.md#webcam
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from agent.slotclock import OpenSlot, SlotClock
from agent.wire import ServerState
from diary.terms import Screenshots, Webcam
from tests.agent.fakes import FakeInput, RecordingSink

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class FrameSink(RecordingSink):
    frames: list[tuple[datetime, bytes]] = field(default_factory=list)

    def save_open(self, slot: OpenSlot, screenshot: bytes | None = None, webcam: bytes | None = None) -> None:
        super().save_open(slot, screenshot)
        if webcam is not None:
            self.frames.append((slot.start, webcam))


class Rig:
    def __init__(self, webcam: Webcam, screenshots: Screenshots = Screenshots.ON) -> None:
        self.input, self.sink, self.asked = FakeInput(), FrameSink(), []
        self.consent = False
        self.clock = SlotClock(self.input, self.sink, lambda mode: b"screen", lambda: None, rng=random.Random(4))
        self.clock.camera = self.camera
        self.clock.webcam_consent = lambda: self.consent
        self.state = ServerState(tracking=True, session_id=5, contract="Site", webcam=webcam, screenshots=screenshots)

    def camera(self, mode: Screenshots) -> bytes:
        self.asked.append(mode)
        return b"frame"

    def slots(self, count: int, start: datetime) -> datetime:
        """Runs `count` slots of the clock from `start`, ticking where the runner would."""
        now, end = start, start + timedelta(minutes=10 * count)
        while (wake := self.clock.next_wake(now)) is not None and wake <= end:
            now = wake
            self.input.type(mouse=1)
            self.clock.tick(now)
        return now


def test_client_on_freelancer_not_consented_no_frame_is_taken():
    rig = Rig(Webcam.NEEDS_CONSENT)
    rig.clock.start(rig.state, T0)
    rig.slots(3, T0)
    assert rig.asked == [] and rig.sink.frames == [] and len(rig.sink.screenshots) == 3


def test_consent_applies_from_the_next_slot_and_a_withdrawal_at_once():
    rig = Rig(Webcam.NEEDS_CONSENT)
    rig.clock.start(rig.state, T0)
    rig.consent = True  # given while the first slot is under way
    now = rig.slots(3, T0)
    assert [start for start, _ in rig.sink.frames] == [T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)]
    rig.consent = False  # withdrawn at the start of the fourth slot, before its screenshot
    rig.slots(1, now)
    assert len(rig.sink.frames) == 2 and len(rig.sink.screenshots) == 4


def test_no_frame_without_the_contracts_term_even_with_consent():
    rig = Rig(Webcam.OFF)
    rig.consent = True
    rig.clock.start(rig.state, T0)
    rig.slots(2, T0)
    assert rig.asked == [] and rig.sink.frames == []


def test_the_frame_is_asked_blurred_when_screenshots_are_and_none_when_they_are_off():
    blurred = Rig(Webcam.ON, Screenshots.BLUR)
    blurred.consent = True
    blurred.clock.start(blurred.state, T0)
    blurred.slots(2, T0)
    assert blurred.asked == [Screenshots.BLUR, Screenshots.BLUR]

    off = Rig(Webcam.ON, Screenshots.OFF)
    off.consent = True
    off.clock = SlotClock(off.input, off.sink, lambda mode: None, lambda: None, rng=random.Random(4))
    off.clock.camera, off.clock.webcam_consent = off.camera, lambda: True
    off.clock.start(off.state, T0)
    off.slots(2, T0)
    assert off.asked == [] and off.sink.frames == []
