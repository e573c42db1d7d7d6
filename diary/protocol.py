"""The agent's wire protocol: the bodies the agent and the server exchange
(docs/architecture.md#names-other-programs-rely-on).

Both sides import these models, so a field renamed here is renamed on the wire for both.
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from diary.terms import SLOT_MINUTES, Billing, Screenshots, Webcam
from diary.text import MAX_DEVICE_TEXT, MAX_MEMO, MAX_WINDOW_TEXT, clean, fit
from diary.weeks import OUT_OF_CALENDAR, in_calendar

# A 1000 Hz mouse moved without pause for a minute gives 60,000 events; anything above this
# bound is not a human and is refused rather than stored.
MAX_EVENTS_PER_MINUTE = 100_000
MAX_ID = 2**31 - 1  # ids are 32-bit integers in every database we support


def _in_calendar(instant: datetime) -> datetime:
    # A slot at 9999-12-31 23:59:50 has no end inside Python's calendar; refused, not crashed on.
    if not in_calendar(instant.date()):
        raise ValueError(f"{OUT_OF_CALENDAR} (UTC)")
    return instant


# An instant an agent reports: aware, and inside the calendar the diary knows.
Instant = Annotated[AwareDatetime, AfterValidator(_in_calendar)]


def _fitted(limit: int):
    """Text an agent recorded, cleaned and cut rather than refused: a refused slot is lost work.
    (Agents before this rule copied a too-long memo into every slot of a session.)"""
    return BeforeValidator(lambda value: fit(value, limit) if isinstance(value, str) else value)


Memo = Annotated[str | None, _fitted(MAX_MEMO)]
WindowText = Annotated[str, _fitted(MAX_WINDOW_TEXT)]
DeviceText = Annotated[str, BeforeValidator(lambda value: clean(value) if isinstance(value, str) else value)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PairRequest(_Model):
    code: str = Field(min_length=4, max_length=32)
    device_name: DeviceText = Field(min_length=1, max_length=MAX_DEVICE_TEXT)
    os: DeviceText = Field(default="", max_length=MAX_DEVICE_TEXT)
    agent_version: DeviceText = Field(default="", max_length=50)


class PairResponse(_Model):
    device_id: int
    token: str
    slot_seconds: int
    server_time: AwareDatetime


class ContractBrief(_Model):
    id: int
    title: str


class WeekFigures(_Model):
    """The week so far on the contract being tracked, in counted minutes (today's in the contract's timezone)."""

    tracked: int = 0
    today: int = 0
    limit: int | None = None  # minutes; None: no weekly limit
    minimum: int | None = None  # minutes; None: no weekly minimum


class AgentState(_Model):
    tracking: bool
    session_id: int | None = None
    contract: ContractBrief | None = None
    memo: str | None = None
    screenshots: Screenshots = Screenshots.ON
    idle_minutes: int = 10
    billing: Billing = Billing.SEGMENTS
    slot_seconds: int = 600
    server_time: AwareDatetime
    window: bool = False  # the contract opted in to the active window's app and title
    # Added in the second round; an older agent ignores them.
    contracts: list[ContractBrief] = []  # the freelancer's active contracts, for a picker
    week: WeekFigures | None = None  # of the contract being tracked
    private: bool = False  # the freelancer switched the tracker to private: nothing may leave the device
    diary_url: str | None = None  # a signed link to today's diary page of the contract being tracked
    # This server keeps slots that arrive after their week's edit deadline and long memos: an
    # agent sends again what an older server refused for those reasons.
    late_slots: bool = True
    webcam: Webcam = Webcam.OFF  # the contract's webcam term, and whether this device consented to it


class MinuteCounts(_Model):
    """One minute of input: how many events, never which key or where the pointer was."""

    keys: int = Field(default=0, ge=0, le=MAX_EVENTS_PER_MINUTE)
    mouse: int = Field(default=0, ge=0, le=MAX_EVENTS_PER_MINUTE)

    @property
    def active(self) -> bool:
        return self.keys + self.mouse > 0


class WindowInfo(_Model):
    app: WindowText = ""
    title: WindowText = ""


UploadPart = Literal["screenshot", "thumbnail", "webcam"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the bytes")]
MAX_OBJECT_BYTES = 2 * 1024 * 1024


class UploadRequest(_Model):
    """`POST /api/v1/agent/uploads`: the images of one slot the agent will put in the bucket itself."""

    session_id: int = Field(ge=1, le=MAX_ID)
    slot_start: Instant
    parts: list[UploadPart] = Field(min_length=1, max_length=3)
    sizes: list[int] = Field(min_length=1, max_length=3)
    sha256s: list[Sha256] = Field(min_length=1, max_length=3)


class UploadTarget(_Model):
    part: UploadPart
    key: str
    # None when the slot is already recorded: its objects are final, nothing may be put there again
    # (an agent re-sending after a lost answer just posts the slot naming them).
    url: str | None
    headers: dict[str, str]  # send exactly these with the PUT: the checksum is part of the signature


class UploadTargets(_Model):
    targets: list[UploadTarget]
    expires_at: AwareDatetime


class StoredObject(_Model):
    """An image already in the bucket, named in a slot instead of carried in it."""

    key: str = Field(min_length=1, max_length=300)
    size: int = Field(ge=1, le=MAX_OBJECT_BYTES)
    sha256: Sha256
    width: int | None = Field(default=None, ge=1, le=8192)  # the screenshot's, as the agent made it
    height: int | None = Field(default=None, ge=1, le=8192)


class SlotReport(_Model):
    """The `meta` part of `POST /api/v1/agent/slots`; the screenshot travels beside it, or is
    named in `objects` once the agent has put it in the bucket (direct uploads)."""

    session_id: int = Field(ge=1, le=MAX_ID)
    slot_start: Instant
    # One entry per slot "minute"; None where the minute was not tracked (outside the session).
    minutes: list[MinuteCounts | None] = Field(min_length=SLOT_MINUTES, max_length=SLOT_MINUTES)
    screenshot_at: Instant | None = None
    memo: Memo = None
    window: WindowInfo | None = None  # the focused window at the screenshot (all an older agent sends)
    # The focused window sampled once a minute, only under `window=on`; None in a minute with no
    # sample (outside the session, a private app focused, nothing readable). Absent from older agents.
    windows: list[WindowInfo | None] | None = Field(default=None, min_length=SLOT_MINUTES, max_length=SLOT_MINUTES)
    agent_version: DeviceText = Field(default="", max_length=50)
    objects: dict[UploadPart, StoredObject] | None = None
    # A private app had focus at the screenshot: it was blurred on the device and no window was sent.
    private_app: bool = False


class SlotAccepted(_Model):
    id: int
    slot_start: AwareDatetime
    counted_minutes: int
    duplicate: bool = False
    late: bool = False  # arrived after its week's edit deadline: kept, billed once the client approves


EventKind = Literal["idle_stop", "local_clockin", "local_clockout", "private_on", "private_off", "capabilities",
                    "webcam_consent"]


class AgentEvent(_Model):
    kind: EventKind
    at: Instant
    memo: Memo = None  # for local_clockin
    contract_id: int | None = Field(default=None, ge=1, le=MAX_ID)  # local_clockin from the tracker's picker
    # capabilities: what the agent can do where it runs (a Wayland session: neither), and why not
    screenshots: bool | None = None
    input: bool | None = None
    reason: DeviceText | None = Field(default=None, max_length=200)
    given: bool | None = None  # webcam_consent: consented (true) or withdrawn (false) on this device


class EventResult(_Model):
    ok: bool
    message: str
    session_id: int | None = None


class ApiError(_Model):
    error: str
    detail: str
