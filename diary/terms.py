"""The small vocabularies of a contract, shared by the rules, the protocol and storage."""

from enum import StrEnum


class Screenshots(StrEnum):
    ON = "on"
    BLUR = "blur"  # blurred on the device, before it is written or sent
    OFF = "off"


class Webcam(StrEnum):
    """The webcam for the agent: the contract's term, and this device's consent to it."""

    OFF = "off"  # the contract takes no camera frames
    NEEDS_CONSENT = "needs_consent"  # the client asked for them; the freelancer has not consented on this device
    ON = "on"  # asked and consented: a frame per slot at the screenshot instant


class Billing(StrEnum):
    SEGMENTS = "segments"  # Upwork's rule: a slot counts once its screenshot is taken
    MINUTES = "minutes"  # a slot counts for the minutes of it inside the session


class ContractStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Role(StrEnum):
    CLIENT = "client"
    FREELANCER = "freelancer"
    NONE = "none"


SLOT_MINUTES = 10
DEFAULT_SLOT_SECONDS = 600
