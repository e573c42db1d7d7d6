"""The small vocabularies of a contract, shared by the rules, the protocol and storage."""

from enum import StrEnum


class Screenshots(StrEnum):
    ON = "on"
    BLUR = "blur"  # blurred on the device, before it is written or sent
    OFF = "off"


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
