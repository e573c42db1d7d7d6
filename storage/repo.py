"""Data-access functions: keyword-only, one query each, no rules (those live in diary/)."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from storage.tables import (
    Bonus,
    Contract,
    ContractChange,
    Device,
    Dispute,
    LateRequest,
    ManualEntry,
    Member,
    PairingCode,
    PrivatePeriod,
    Screenshot,
    Slot,
    WeekReview,
    WorkSession,
    Workspace,
)

LIVE = ("active", "paused")


def workspace(s: Session, *, platform: str, external_id: str, name: str = "") -> Workspace:
    found = s.exec(
        select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
    ).first()
    if found is None:
        found = Workspace(platform=platform, external_id=external_id, name=name)
        s.add(found)
        s.flush()
    return found


def member(s: Session, *, workspace_id: int, external_id: str, name: str = "") -> Member:
    """The member with that platform id, created on first sight; a newer display name wins."""
    found = known_member(s, workspace_id=workspace_id, external_id=external_id, name=name)
    if found is None:
        found = Member(workspace_id=workspace_id, external_id=external_id, name=name or external_id)
        s.add(found)
        s.flush()
    return found


def known_member(s: Session, *, workspace_id: int, external_id: str, name: str = "") -> Member | None:
    """The member with that platform id if Tally has met them (a newer display name wins), else None."""
    found = s.exec(
        select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)
    ).first()
    if found is not None and name and name != found.name:
        found.name = name
    return found




def live_contracts_of(s: Session, *, member_id: int, channel_id: str | None = None) -> list[Contract]:
    """Live contracts the member is a party to, optionally only those of one channel."""
    return _contracts_of(s, member_id, channel_id, Contract.status.in_(LIVE))


def ended_contracts_of(s: Session, *, member_id: int, channel_id: str | None = None) -> list[Contract]:
    """Ended contracts the member is a party to, optionally only those of one channel."""
    return _contracts_of(s, member_id, channel_id, Contract.status.not_in(LIVE))


def _contracts_of(s: Session, member_id: int, channel_id: str | None, status_is) -> list[Contract]:
    query = select(Contract).where(
        (Contract.client_id == member_id) | (Contract.freelancer_id == member_id), status_is,
    )
    if channel_id is not None:
        query = query.where(Contract.channel_id == channel_id)
    return list(s.exec(query.order_by(Contract.id)))




def changes(s: Session, *, contract_id: int, field: str) -> list[ContractChange]:
    """One term's history (or the status's), in the order the changes were decided."""
    return list(
        s.exec(
            select(ContractChange)
            .where(ContractChange.contract_id == contract_id, ContractChange.field == field)
            .order_by(ContractChange.id)
        )
    )


def changes_of(s: Session, *, contract_id: int, fields: Sequence[str]) -> list[ContractChange]:
    """The history of these terms in one read (a week's books need every term's): each term's
    changes in the order they were decided, as `changes` gives them one term at a time."""
    return list(
        s.exec(
            select(ContractChange)
            .where(ContractChange.contract_id == contract_id, ContractChange.field.in_(fields))
            .order_by(ContractChange.id)
        )
    )


def has_recorded_time(s: Session, *, contract_id: int) -> bool:
    """Whether any slot was ever recorded on the contract (deleted ones included)."""
    return s.exec(select(Slot.id).where(Slot.contract_id == contract_id).limit(1)).first() is not None


def open_session(s: Session, *, freelancer_id: int) -> WorkSession | None:
    """The freelancer's running session, on whichever contract: one at a time."""
    return s.exec(
        select(WorkSession)
        .join(Contract, Contract.id == WorkSession.contract_id)
        .where(Contract.freelancer_id == freelancer_id, WorkSession.ended_at.is_(None))
    ).first()


def open_sessions_of(s: Session, *, freelancer_ids: list[int]) -> dict[int, WorkSession]:
    """The open session of each of these freelancers who has one, by freelancer; the sessions'
    contracts are loaded with them, so reading a session's contract afterwards costs no query."""
    rows = s.exec(select(WorkSession, Contract).join(Contract, Contract.id == WorkSession.contract_id)
                  .where(Contract.freelancer_id.in_(freelancer_ids), WorkSession.ended_at.is_(None))).all()
    return {contract.freelancer_id: session for session, contract in rows}


def last_session(s: Session, *, contract_ids: list[int]) -> WorkSession | None:
    query = select(WorkSession).where(WorkSession.contract_id.in_(contract_ids))
    return s.exec(query.order_by(WorkSession.started_at.desc())).first()


def sessions_between(s: Session, *, contract_id: int, start: datetime, end: datetime) -> list[WorkSession]:
    return list(
        s.exec(
            select(WorkSession).where(
                WorkSession.contract_id == contract_id,
                WorkSession.started_at < end,
                (WorkSession.ended_at.is_(None)) | (WorkSession.ended_at > start),
            )
        )
    )


def slots_between(
    s: Session, *, contract_id: int, start: datetime, end: datetime, with_deleted: bool = False
) -> list[Slot]:
    query = select(Slot).where(Slot.contract_id == contract_id, Slot.start >= start, Slot.start < end)
    if not with_deleted:
        query = query.where(Slot.deleted_at.is_(None))
    return list(s.exec(query.order_by(Slot.start)))


def late_requests(s: Session, *, contract_id: int, week_start: date | None = None,
                  billed_week_start: date | None = None) -> list[LateRequest]:
    """A contract's late requests of one own week, or billed in one week; in the order they were
    decided (those still pending last), then made."""
    query = select(LateRequest).where(LateRequest.contract_id == contract_id)
    if week_start is not None:
        query = query.where(LateRequest.week_start == week_start)
    if billed_week_start is not None:
        query = query.where(LateRequest.billed_week_start == billed_week_start)
    return list(s.exec(query.order_by(LateRequest.decided_at.is_(None), LateRequest.decided_at, LateRequest.id)))


def pending_late_requests(s: Session) -> list[LateRequest]:
    return list(s.exec(select(LateRequest).where(LateRequest.status == "pending").order_by(LateRequest.id)))


def late_contracts_billed_in(s: Session, *, contract_ids: list[int], billed_week_start: date) -> set[int]:
    """Those of these contracts with late slots billed in the week."""
    return set(s.exec(select(LateRequest.contract_id).where(
        LateRequest.contract_id.in_(contract_ids), LateRequest.billed_week_start == billed_week_start)))


def slots_of_late_requests(s: Session, *, request_ids: list[int]) -> list[Slot]:
    return list(s.exec(select(Slot).where(Slot.late_request_id.in_(request_ids), Slot.deleted_at.is_(None)).order_by(Slot.start)))


def kept_slots_of_session(s: Session, *, session_id: int) -> list[Slot]:
    """The session's slots the freelancer has not deleted, in time order."""
    query = select(Slot).where(Slot.session_id == session_id, Slot.deleted_at.is_(None))
    return list(s.exec(query.order_by(Slot.start)))


def open_private_period(s: Session, *, member_id: int) -> PrivatePeriod | None:
    query = select(PrivatePeriod).where(PrivatePeriod.member_id == member_id, PrivatePeriod.ended_at.is_(None))
    return s.exec(query.order_by(PrivatePeriod.started_at.desc())).first()


def private_members(s: Session, *, member_ids: list[int]) -> set[int]:
    """Those of these members whose tracker is private right now (one query for any number)."""
    query = select(PrivatePeriod.member_id).where(PrivatePeriod.member_id.in_(member_ids), PrivatePeriod.ended_at.is_(None))
    return set(s.exec(query))


def private_periods(s: Session, *, member_id: int, start: datetime, end: datetime) -> list[PrivatePeriod]:
    """The member's private periods that share time with [start, end), oldest first."""
    query = select(PrivatePeriod).where(
        PrivatePeriod.member_id == member_id, PrivatePeriod.started_at < end,
        (PrivatePeriod.ended_at.is_(None)) | (PrivatePeriod.ended_at > start))
    return list(s.exec(query.order_by(PrivatePeriod.started_at)))


def tracked_slots_at(s: Session, *, freelancer_id: int, start: datetime) -> list[Slot]:
    """The freelancer's tracked (not manual, not deleted) slots that begin at `start`, on any contract."""
    query = (select(Slot).join(Contract, Contract.id == Slot.contract_id)
             .where(Contract.freelancer_id == freelancer_id, Slot.start == start, Slot.manual.is_(False),
                    Slot.deleted_at.is_(None)))
    return list(s.exec(query.order_by(Slot.id)))


def slot_at(s: Session, *, contract_id: int, start: datetime) -> Slot | None:
    return s.exec(select(Slot).where(Slot.contract_id == contract_id, Slot.start == start)).first()


def screenshot_of(s: Session, *, slot_id: int) -> Screenshot | None:
    return s.exec(select(Screenshot).where(Screenshot.slot_id == slot_id)).first()


def screenshots_for(s: Session, *, slot_ids: list[int]) -> dict[int, Screenshot]:
    if not slot_ids:
        return {}
    rows = s.exec(select(Screenshot).where(Screenshot.slot_id.in_(slot_ids)))
    return {row.slot_id: row for row in rows}


def manual_entries(s: Session, *, contract_id: int, status: str | None = None) -> list[ManualEntry]:
    query = select(ManualEntry).where(ManualEntry.contract_id == contract_id)
    if status is not None:
        query = query.where(ManualEntry.status == status)
    return list(s.exec(query.order_by(ManualEntry.start)))


def week_review(s: Session, *, contract_id: int, week_start: date) -> WeekReview | None:
    return s.exec(
        select(WeekReview).where(WeekReview.contract_id == contract_id, WeekReview.week_start == week_start)
    ).first()


def last_closed_week(s: Session, *, contract_id: int) -> date | None:
    """The Monday of the contract's latest closed week."""
    return s.scalar(select(func.max(WeekReview.week_start)).where(WeekReview.contract_id == contract_id))


def reviews_without_books(s: Session, *, limit: int) -> list[WeekReview]:
    """Weeks closed before closed weeks kept their books (see migration 0004)."""
    return list(s.exec(select(WeekReview).where(WeekReview.books.is_(None)).order_by(WeekReview.id).limit(limit)))


def reviews_with_status(s: Session, *, statuses: tuple[str, ...]) -> list[WeekReview]:
    return list(s.exec(select(WeekReview).where(WeekReview.status.in_(statuses))))


def disputes(s: Session, *, contract_id: int, week_start: date) -> list[Dispute]:
    return list(
        s.exec(
            select(Dispute)
            .where(Dispute.contract_id == contract_id, Dispute.week_start == week_start)
            .order_by(Dispute.id)
        )
    )


def bonuses(s: Session, *, contract_id: int, week_start: date) -> list[Bonus]:
    return list(
        s.exec(select(Bonus).where(Bonus.contract_id == contract_id, Bonus.week_start == week_start))
    )


def device_by_token_hash(s: Session, *, token_hash: str) -> Device | None:
    return s.exec(select(Device).where(Device.token_hash == token_hash)).first()


def unrevoked_devices_of(s: Session, *, member_id: int) -> list[Device]:
    """The member's paired devices that still hold a working token."""
    return list(
        s.exec(select(Device).where(Device.member_id == member_id, Device.revoked_at.is_(None)))
    )


def pairing_code(s: Session, *, code_hash: str) -> PairingCode | None:
    return s.exec(select(PairingCode).where(PairingCode.code_hash == code_hash)).first()


MAX_ID = 2**31 - 1  # primary keys are 32-bit integers on every database we support


def by_id(s: Session, model, ident: int):
    """The row with that id, or None; ids people typed may be out of any key's range."""
    return s.get(model, ident) if 0 < ident <= MAX_ID else None
