"""The tables. Instants are aware UTC (UTCDateTime); money is Numeric; days are local dates.

Derived numbers (counted time, statements of open weeks) are computed by the rules in diary/,
not stored, except where a week was closed: its statement is kept as it was sent.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _instant(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _money(**kw: Any) -> Any:
    return Field(sa_type=Numeric(14, 2), **kw)


class Workspace(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)  # slack | discord | shell
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    summary_channel: str | None = Field(default=None, max_length=64)


class Member(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    external_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)


class Contract(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=64, index=True)
    client_id: int = Field(foreign_key="member.id", index=True)
    freelancer_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(default="", max_length=200)
    currency: str = Field(default="USD", max_length=3)
    rate: Decimal = _money()
    weekly_limit_hours: Decimal | None = Field(default=None, sa_type=Numeric(6, 2), nullable=True)
    weekly_payment: Decimal = _money(default=Decimal("0"))
    weekly_min_hours: Decimal | None = Field(default=None, sa_type=Numeric(6, 2), nullable=True)
    manual_allowed: bool = True
    screenshots: str = Field(default="on", max_length=8)
    billing: str = Field(default="segments", max_length=16)
    tz: str = Field(default="UTC", max_length=64)
    idle_minutes: int = 10
    window: bool = False
    webcam: bool = False  # the client asked for a camera frame per slot; taken only once the freelancer consents
    status: str = Field(default="active", max_length=16, index=True)
    start_day: date
    end_day: date | None = None
    created_at: datetime = _instant()
    delivery_error: str | None = Field(default=None, max_length=500)


class ContractChange(SQLModel, table=True):
    """History of every term that bears on counting or money, and of the status: each value
    with the instant it was decided (`at`) and the instant it takes effect (`effective_at`).
    `field` is the term's chat name (rate, limit, weekly, min, screenshots, ...) or "status";
    `value` its chat form ("40.00", "off", NULL for none), read back by the term's parser."""

    __tablename__ = "contract_change"
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    at: datetime = _instant()
    effective_at: datetime = _instant()
    field: str = Field(max_length=32)
    value: str | None = Field(default=None, max_length=200)
    by_member_id: int | None = Field(default=None, foreign_key="member.id")


class Device(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    name: str = Field(max_length=100)
    os: str = Field(default="", max_length=100)
    agent_version: str = Field(default="", max_length=50)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 hex; the token itself is never kept
    created_at: datetime = _instant()
    last_seen_at: datetime | None = _instant(default=None, nullable=True)
    revoked_at: datetime | None = _instant(default=None, nullable=True)


class DeviceCapability(SQLModel, table=True):
    """What the agent on a device said it can do where it runs (a Wayland session: neither
    screenshots nor input), as it last reported; a device that never reported is thought able."""

    __tablename__ = "device_capability"
    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="device.id", unique=True)
    screenshots: bool = True
    input: bool = True
    reason: str = Field(default="", max_length=200)
    reported_at: datetime = _instant()


class PrivatePeriod(SQLModel, table=True):
    """A stretch of time the freelancer switched the tracker to private: nothing was recorded, and
    the freelancer's own diary shows it as private (the client sees only a gap)."""

    __tablename__ = "private_period"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    started_at: datetime = _instant()
    ended_at: datetime | None = _instant(default=None, nullable=True)


class PairingCode(SQLModel, table=True):
    __tablename__ = "pairing_code"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    used_at: datetime | None = _instant(default=None, nullable=True)


class WorkSession(SQLModel, table=True):
    __tablename__ = "work_session"
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    started_at: datetime = _instant()
    ended_at: datetime | None = _instant(default=None, nullable=True, index=True)
    end_reason: str | None = Field(default=None, max_length=16)  # clockout | idle | switch | lost | paused | ended
    memo: str = Field(default="", max_length=500)  # the current memo; each slot keeps its own copy
    last_report_at: datetime | None = _instant(default=None, nullable=True)
    # When the freelancer was told the agent went silent; a later report makes a new silence news again.
    lost_notified_at: datetime | None = _instant(default=None, nullable=True)


class Slot(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("contract_id", "start"),
        # Holds every column the week close reads, so it reads this index alone (a covering index):
        # on Monday that is millions of slots, and a table lookup per slot cost half the read.
        Index("ix_slot_week", "contract_id", "start", "deleted_at", "session_id", "screenshot_at",
              "active_minutes", "manual", "tracked_minutes", "late_request_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="work_session.id", index=True)
    start: datetime = _instant(index=True)
    minutes: list | None = Field(default=None, sa_column=Column(JSON))  # 10 x [keys, mouse] or null
    active_minutes: int = 0  # derived from minutes once, at ingest: minutes never change
    # Derived at ingest too (the minutes not sent as null), so the week close need not read the JSON;
    # 0 on a manual slot, which tracks nothing.
    tracked_minutes: int = 0
    screenshot_at: datetime | None = _instant(default=None, nullable=True)
    memo: str = Field(default="", max_length=500)
    window_app: str | None = Field(default=None, max_length=300)
    window_title: str | None = Field(default=None, max_length=300)
    # The focused window sampled each minute (10 x [app, title] or null), kept only under window=on.
    windows: list | None = Field(default=None, sa_column=Column(JSON))
    manual: bool = False
    manual_entry_id: int | None = Field(default=None, foreign_key="manual_entry.id")
    # Set on a slot that arrived after its week's edit deadline: billed only once the client approves.
    late_request_id: int | None = Field(default=None, foreign_key="late_request.id")
    device_id: int | None = Field(default=None, foreign_key="device.id")
    agent_version: str = Field(default="", max_length=50)
    meta_hash: str = Field(default="", max_length=64)  # tells a repeat upload from a different slot
    received_at: datetime = _instant(index=True)
    # A deleted slot stays as a tombstone so a late re-upload of it cannot bring its time back.
    deleted_at: datetime | None = _instant(default=None, nullable=True)
    # A private app had focus at the screenshot: blurred on the device, no window title sent.
    private_app: bool = False


class Screenshot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="slot.id", unique=True)
    blob_key: str = Field(max_length=300)
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    size: int
    blurred: bool = False
    created_at: datetime = _instant(index=True)


class WebcamFrame(SQLModel, table=True):
    """A slot's camera frame, taken at its screenshot instant on a contract with webcam=on and a
    device whose owner consented; shown and deleted like the screenshot."""

    __tablename__ = "webcam_frame"
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="slot.id", unique=True)
    blob_key: str = Field(max_length=300)
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    size: int
    blurred: bool = False
    created_at: datetime = _instant(index=True)


class WebcamConsent(SQLModel, table=True):
    """The freelancer's consent to the webcam, given or withdrawn on a device, as that device
    reported it: each change with the instant it was made there."""

    __tablename__ = "webcam_consent"
    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="device.id", index=True)
    given: bool
    at: datetime = _instant()
    reported_at: datetime = _instant()


class ManualEntry(SQLModel, table=True):
    __tablename__ = "manual_entry"
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    start: datetime = _instant()
    end: datetime = _instant()
    memo: str = Field(max_length=500)
    status: str = Field(default="pending", max_length=16)  # pending | approved | declined
    requested_at: datetime = _instant()
    decided_at: datetime | None = _instant(default=None, nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="member.id")


class LateRequest(SQLModel, table=True):
    """Slots of one week that arrived after its edit deadline, put to the client together. They are
    billed on the statement of the week in which they arrived (billed_week_start), once approved."""

    __tablename__ = "late_request"
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    week_start: date  # the Monday of the slots' own week
    billed_week_start: date = Field(index=True)  # the Monday of the week they arrived in
    status: str = Field(default="pending", max_length=16)  # pending | approved | declined
    requested_at: datetime = _instant()
    decided_at: datetime | None = _instant(default=None, nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="member.id")


class WeekReview(SQLModel, table=True):
    __tablename__ = "week_review"
    __table_args__ = (UniqueConstraint("contract_id", "week_start"),)
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    week_start: date  # the Monday, in the contract's billing timezone
    status: str = Field(default="pending", max_length=16, index=True)
    statement: dict | None = Field(default=None, sa_column=Column(JSON))
    # What the close fixed for good: per-day totals, the limit, and each slot's counted minutes
    # (diary.closed_week); with the statement, the one record every view of the week reads.
    books: dict | None = Field(default=None, sa_column=Column(JSON))
    closed_at: datetime = _instant()
    decided_at: datetime | None = _instant(default=None, nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="member.id")


class Dispute(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    week_start: date
    range_start: datetime = _instant()
    range_end: datetime = _instant()
    reason: str = Field(max_length=1000)
    status: str = Field(default="open", max_length=16)
    answer: str | None = Field(default=None, max_length=1000)
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class Bonus(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    week_start: date
    amount: Decimal = _money()
    note: str = Field(default="", max_length=500)
    at: datetime = _instant()
    by_member_id: int = Field(foreign_key="member.id")


class PaidMark(SQLModel, table=True):
    """The client marked a closed week's available amount paid (Tally moves no money; this is the
    record that it was paid). The amount is what was available then, kept as marked; a week whose
    statement grew afterwards (a dispute withdrawn) gets a second mark, numbered by `seq`. A mark
    taken back (its Undo button) keeps its row and `seq`, with when and by whom it was undone."""

    __tablename__ = "paid_mark"
    __table_args__ = (UniqueConstraint("contract_id", "week_start", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    week_start: date  # the Monday, in the contract's billing timezone
    seq: int = 1  # 1 for a week's first mark; two marks made at once cannot both be the same one
    amount: Decimal = _money()
    currency: str = Field(max_length=3)
    paid_at: datetime = _instant()
    by_member_id: int = Field(foreign_key="member.id")
    # A mark made by mistake is taken back, not deleted: the freelancer was told of both.
    undone_at: datetime | None = _instant(default=None)
    undone_by_member_id: int | None = Field(default=None, foreign_key="member.id")


class Outbox(SQLModel, table=True):
    """Messages that are not direct replies, written in the transaction that causes them."""

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    status: str = Field(default="pending", max_length=16, index=True)  # pending | sending | sent | failed
    attempts: int = 0
    next_attempt_at: datetime = _instant(index=True)
    sent_at: datetime | None = _instant(default=None, nullable=True)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _instant()
    # A dispatcher's claim: rows stay "sending" under it while one send is in flight; a claim
    # older than the lease is a dead dispatcher's, and its rows are handed out again.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = _instant(default=None, nullable=True)
    external_id: str | None = Field(default=None, max_length=100)  # the platform's message id


class ReplayKey(SQLModel, table=True):
    """A chat request already acted on (a Slack trigger, a Discord interaction): a signed request
    sent again within Slack's five minutes is refused, whichever web process it reaches."""

    __tablename__ = "replay_key"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    seen_at: datetime = _instant(index=True)
