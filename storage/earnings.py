"""Queries for earnings and profiles: closed weeks' stored statements, bonuses, paid marks, and
what a person's profile counts. Keyword-only, typed rows, no rules (those are in diary/)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.repo import MAX_ID
from storage.tables import Bonus, Contract, PaidMark, Slot, WeekReview


@dataclass(frozen=True)
class ClosedWeekRow:
    contract_id: int
    week_start: date
    status: str
    statement: dict  # as stored at the close (and restated by the week's own review only)
    books: dict | None


@dataclass(frozen=True)
class BonusRow:
    contract_id: int
    week_start: date
    amount: Decimal
    at: datetime


@dataclass(frozen=True)
class PaidRow:
    contract_id: int
    week_start: date
    seq: int
    amount: Decimal
    paid_at: datetime
    id: int = 0


@dataclass(frozen=True)
class MarkRow:
    """One paid mark as its Undo button needs it."""

    id: int
    contract_id: int
    week_start: date
    amount: Decimal
    currency: str
    undone_at: datetime | None


def contracts(s: Session, *, workspace_id: int, member_id: int, as_client: bool) -> list[Contract]:
    """Every contract (live or ended) of the workspace where the member is the client, or the freelancer."""
    party = Contract.client_id if as_client else Contract.freelancer_id
    return list(s.exec(select(Contract).where(Contract.workspace_id == workspace_id, party == member_id).order_by(Contract.id)))


def closed_weeks(s: Session, *, contract_ids: list[int]) -> list[ClosedWeekRow]:
    """The contracts' closed weeks, oldest first."""
    query = (select(WeekReview.contract_id, WeekReview.week_start, WeekReview.status, WeekReview.statement, WeekReview.books)
             .where(WeekReview.contract_id.in_(contract_ids), WeekReview.statement.is_not(None))
             .order_by(WeekReview.contract_id, WeekReview.week_start))
    return [ClosedWeekRow(*row) for row in s.exec(query)]


def bonuses(s: Session, *, contract_ids: list[int]) -> list[BonusRow]:
    query = select(Bonus.contract_id, Bonus.week_start, Bonus.amount, Bonus.at).where(Bonus.contract_id.in_(contract_ids))
    return [BonusRow(*row) for row in s.exec(query.order_by(Bonus.id))]


def paid_marks(s: Session, *, contract_ids: list[int]) -> list[PaidRow]:
    """The marks that stand (not taken back), oldest first."""
    query = (select(PaidMark.contract_id, PaidMark.week_start, PaidMark.seq, PaidMark.amount, PaidMark.paid_at, PaidMark.id)
             .where(PaidMark.contract_id.in_(contract_ids), PaidMark.undone_at.is_(None)).order_by(PaidMark.seq))
    return [PaidRow(*row) for row in s.exec(query)]


def next_paid_seq(s: Session, *, contract_id: int, week_start: date) -> int:
    """The number the week's next mark takes: marks taken back keep theirs."""
    used = s.exec(select(func.max(PaidMark.seq)).where(PaidMark.contract_id == contract_id,
                                                       PaidMark.week_start == week_start)).one()
    return (used or 0) + 1


def add_paid_mark(s: Session, *, contract_id: int, week_start: date, seq: int, amount: Decimal, currency: str,
                  paid_at: datetime, by_member_id: int) -> int | None:
    """Records a mark and returns its id; None (and nothing written) when another mark of that
    week took `seq` first."""
    mark = PaidMark(contract_id=contract_id, week_start=week_start, seq=seq, amount=amount, currency=currency,
                    paid_at=paid_at, by_member_id=by_member_id)
    try:
        with s.begin_nested():
            s.add(mark)
    except IntegrityError:
        return None
    return mark.id


def paid_mark(s: Session, *, mark_id: int) -> MarkRow | None:
    if not 0 < mark_id <= MAX_ID:  # a number typed in chat, past what an id column holds
        return None
    query = select(PaidMark.id, PaidMark.contract_id, PaidMark.week_start, PaidMark.amount, PaidMark.currency,
                   PaidMark.undone_at).where(PaidMark.id == mark_id)
    row = s.exec(query).first()
    return MarkRow(*row) if row else None


def undo_paid_mark(s: Session, *, mark_id: int, at: datetime, by_member_id: int) -> bool:
    """Takes a standing mark back; False when it was already taken back (two clicks at once: one wins)."""
    taken = s.exec(update(PaidMark).where(PaidMark.id == mark_id, PaidMark.undone_at.is_(None))
                   .values(undone_at=at, undone_by_member_id=by_member_id))
    return taken.rowcount == 1


def first_tracked_slot(s: Session, *, contract_ids: list[int]) -> tuple[int, datetime] | None:
    """(contract id, start) of the earliest tracked slot kept on these contracts."""
    first = s.exec(select(func.min(Slot.start)).where(
        Slot.contract_id.in_(contract_ids), Slot.manual.is_(False), Slot.deleted_at.is_(None))).one()
    if first is None:
        return None
    contract_id = s.exec(select(Slot.contract_id).where(Slot.contract_id.in_(contract_ids), Slot.start == first).limit(1)).one()
    return contract_id, first
