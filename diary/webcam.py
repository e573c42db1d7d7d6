"""The webcam rule (docs/rules.md#webcam): a camera frame belongs to a slot only when the contract
asked for it and the freelancer consented on the device that took it.

The client's `webcam` term is in force from the slot after it was set, like every setting; the
freelancer's consent is given or withdrawn on the device, at an instant the device reports. A
frame is kept when the term in force at its slot's start is on and the device's consent at the
frame's instant is given: a withdrawal reaches every frame taken after it, wherever it was queued.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from diary.changes import Change, value_at
from diary.terms import Webcam


@dataclass(frozen=True)
class Consent:
    at: datetime  # when it was given or withdrawn on the device
    given: bool


def consented_at(history: Sequence[Consent], instant: datetime) -> bool:
    """The device's consent at `instant`: the latest given or withdrawn at or before it; none is no consent."""
    given = False
    for consent in sorted(history, key=lambda c: c.at):
        if consent.at <= instant:
            given = consent.given
    return given


def agent_webcam(term_on: bool, consented: bool) -> Webcam:
    """What the agent is told: off, asked but waiting for this device's consent, or on."""
    if not term_on:
        return Webcam.OFF
    return Webcam.ON if consented else Webcam.NEEDS_CONSENT


def frame_allowed(term: Sequence[Change], consents: Sequence[Consent], *, slot_start: datetime,
                  shot_at: datetime | None) -> bool:
    """Whether a camera frame taken at `shot_at` for the slot beginning at `slot_start` may be kept."""
    if shot_at is None or not term:
        return False
    return bool(value_at(term, slot_start)) and consented_at(consents, shot_at)
