"""What use cases return. Adapters render these; they never decide anything from them.

A refusal is diary.refusal.Refusal: one human sentence, shown privately.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.services.button_refs import ButtonAction, ButtonRef
from diary.activity import SlotCounts
from diary.apps import AppsTally
from diary.earnings import Totals
from diary.minimum import against_minimum, worked_minutes
from diary.statements import Statement


@dataclass(frozen=True)
class Done:
    """A private confirmation sentence."""

    text: str


@dataclass(frozen=True)
class Choice:
    """Several contracts fit: the actor picks one and repeats the command with `contract=ID`."""

    prompt: str
    command: str
    options: list[tuple[int, str]]
    repeat: tuple[str, ...] = ()  # per option, the command as typed with that contract (bot.dispatch adds them)


@dataclass(frozen=True)
class Clicked:
    """A button's action done: what happened, who acted, and which of the message's buttons stay."""

    text: str  # the outcome, e.g. "Week 2026-W47 approved by alice."
    by: str  # the platform's user id of who clicked, for a mention
    keep: frozenset[ButtonAction]  # the actions whose buttons the message keeps (links always stay)

    def keeps(self, button: "Button") -> bool:
        return button.ref is None or button.ref.action in self.keep


@dataclass(frozen=True)
class Button:
    label: str  # Approve, Dispute, Decline, Accept, Answer, Withdraw, Confirm, Open diary
    ref: ButtonRef | None = None  # what a click acts on; None for a link
    url: str | None = None

    def payload(self) -> dict:
        """As an outbox message stores it (and as older messages already stored it)."""
        action, value = (str(self.ref.action), self.ref.encode()) if self.ref else ("", "")
        return {"label": self.label, "action": action, "value": value, "url": self.url}

    @classmethod
    def from_payload(cls, data: dict) -> "Button":
        return cls(data.get("label", ""), ButtonRef.decode(data.get("action", ""), data.get("value", "")), data.get("url"))


@dataclass(frozen=True)
class ContractCard:
    headline: str
    id: int
    title: str
    client: str
    freelancer: str
    channel: str
    rate: Decimal
    currency: str
    limit_hours: Decimal | None
    weekly_payment: Decimal
    manual: bool
    screenshots: str
    billing: str
    tz: str
    idle_minutes: int
    status: str
    start_day: date
    status_since: date | None = None  # the day the status last changed (paused / ended since then)
    window: bool = False
    min_hours: Decimal | None = None
    webcam: bool = False
    webcam_consent: str = ""  # whether the freelancer consented to the webcam, and where
    delivery_error: str | None = None
    changes: tuple[str, ...] = ()
    cannot_track: str = ""  # why the freelancer's agent records nothing (a Wayland session), shown instead of gaps  # after a change of terms: each change, and from when it applies


@dataclass(frozen=True)
class ClockedIn:
    contract_id: int
    title: str
    memo: str
    started_at: datetime
    switched_from: str | None = None
    agent_hint: str | None = None  # set when no device is paired yet


@dataclass(frozen=True)
class ClockedOut:
    contract_id: int
    title: str
    started_at: datetime
    ended_at: datetime
    counted_minutes: int
    activity: int | None  # percent
    # Slots of the session its agent is most likely still uploading: their time comes on top, and
    # the freelancer is sent the corrected total when they arrive.
    coming: int = 0


@dataclass(frozen=True)
class DeviceLine:
    id: int
    name: str
    os: str
    paired_at: datetime
    last_seen_at: datetime | None


@dataclass(frozen=True)
class DeviceList:
    """/devices: the freelancer's paired devices; each gets a Revoke button."""

    devices: list[DeviceLine]


@dataclass(frozen=True)
class PaidMarked(Done):
    """/paid: a confirmation with an Undo button per mark made, (label, paid mark id), for a mistake."""

    undo: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class PairingIssued:
    code: str
    expires_at: datetime
    command: str  # the line to paste: tally-agent pair CODE --server URL


@dataclass(frozen=True)
class Cell:
    start: datetime  # local, in the billing timezone
    slot_id: int | None = None  # None: nothing recorded in this slot
    activity: int = 0  # active minutes 0-10
    counted: int = 0
    manual: bool = False
    over_limit: bool = False
    disputed: bool = False
    screenshot: bool = False
    memo: str = ""
    private: bool = False  # no slot: the freelancer's tracker was private then (shown to the freelancer only)
    private_app: bool = False  # a private app had focus at the screenshot: blurred, no window title
    late: str | None = None  # arrived after the edit deadline: pending, approved or declined by the client
    counts: SlotCounts | None = None  # keys and mouse events, and each minute active or not (None: manual time)

    @property
    def uncounted(self) -> bool:
        """A recorded slot worth nothing (no screenshot before clock-out, no input with screenshots off)."""
        return self.slot_id is not None and not self.manual and self.counted == 0


@dataclass(frozen=True)
class HourRow:
    start: datetime  # local time of the first cell
    cells: list[Cell]


@dataclass(frozen=True)
class DayDiary:
    contract_id: int
    title: str
    freelancer: str
    day: date
    tz: str
    rows: list[HourRow]
    counted_minutes: int
    manual_minutes: int
    over_limit_minutes: int
    activity: int | None
    tracking: bool
    memo: str
    buttons: list[Button] = field(default_factory=list)
    late_minutes: int = 0  # counted minutes of late slots, billed (once approved) on the week they arrived in
    cannot_track: str = ""  # why the freelancer's agent records nothing (a Wayland session)


@dataclass(frozen=True)
class DayLine:
    day: date
    counted: int
    billable: int
    over_limit: int
    manual: int
    disputed: int


@dataclass(frozen=True)
class Timesheet:
    contract_id: int
    title: str
    freelancer: str
    week: str  # "2026-W47"
    tz: str
    days: list[DayLine]
    statement: Statement
    status: str  # open | editing | pending | approved | auto_approved | disputed
    limit_hours: Decimal | None
    buttons: list[Button] = field(default_factory=list)
    minimum_minutes: int | None = None  # the week's weekly minimum, shown against its hours (never enforced)

    @property
    def against_minimum(self) -> str | None:
        """"12.5 h of a 20 h minimum", or None for a week without one."""
        if self.minimum_minutes is None:
            return None
        return against_minimum(worked_minutes(self.statement), self.minimum_minutes)


@dataclass(frozen=True)
class ContractEarnings:
    """One contract's earnings from its closed weeks' stored statements and its bonuses."""

    contract_id: int
    title: str
    counterpart: str  # the client, for the freelancer's view; the freelancer, for the client's
    currency: str
    tz: str
    pending: Decimal
    available: Decimal
    paid: Decimal
    held: Decimal  # waiting for a dispute to settle
    next_due: datetime | None  # when the next pending part becomes available
    available_weeks: tuple[str, ...]  # the weeks with an amount available, to name in /paid
    minutes: int  # lifetime hours on it, as the profile counts them (the freelancer's view only; 0 in the client's)


@dataclass(frozen=True)
class Earnings:
    """/earnings: what is owed to the asker (as a freelancer) and by the asker (as a client)."""

    name: str
    earned: tuple[ContractEarnings, ...]  # contracts where the asker works
    owed: tuple[ContractEarnings, ...]  # contracts where the asker is the client
    lifetime_minutes: int  # the asker's hours as a freelancer, over the contracts shown
    earned_totals: Totals  # per currency, never mixed
    owed_totals: Totals


@dataclass(frozen=True)
class Profile:
    """/profile: what anyone in the workspace may see of a person. No titles, clients or amounts."""

    name: str
    lifetime_minutes: int
    month_minutes: int
    month: str  # "December 2026"
    active_contracts: int  # as the freelancer, active or paused
    ended_contracts: int
    client_contracts: int  # contracts the person hired for, as the client
    first_day: date | None  # the first day with a tracked slot


@dataclass(frozen=True)
class AppsReport:
    """Where a week's counted time went, per app and window title (docs/rules.md#apps)."""

    contract_id: int
    title: str
    freelancer: str
    week: str  # "2026-W47"
    tz: str
    tally: AppsTally
    window_on: bool  # the contract's window term now: off means nothing more is sampled
