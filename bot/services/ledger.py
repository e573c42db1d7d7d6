"""A contract's week as the rules see it: each slot with what it counts for and how it is billed."""

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from diary.changes import Change, value_for_week
from diary.counting import counted_minutes
from diary.review import DisputeStatus
from diary.statements import BillItem, SlotBill, Statement, build_statement, classify, weekly_payment_share
from diary.terms import Billing, ContractStatus, Screenshots
from diary.weeks import BillingWeek
from storage import repo
from storage.tables import Contract, ContractChange, Dispute, Slot, WorkSession


@dataclass(frozen=True)
class Line:
    slot: Slot
    item: BillItem
    bill: SlotBill


def slot_counted(slot: Slot, session: WorkSession | None, contract: Contract, slot_seconds: int) -> int:
    if slot.manual or session is None:
        return 10 if slot.manual else 0
    return counted_minutes(
        slot_start=slot.start, slot_seconds=slot_seconds, session_start=session.started_at,
        session_end=session.ended_at, screenshot_at=slot.screenshot_at, active_minutes=slot.active_minutes,
        screenshots=Screenshots(contract.screenshots), billing=Billing(contract.billing),
    )


def _dispute_of(slot: Slot, disputes: list[Dispute]) -> DisputeStatus | None:
    """The latest dispute that names this slot decides it."""
    covering = [d for d in disputes if d.range_start <= slot.start < d.range_end]
    return DisputeStatus(covering[-1].status) if covering else None


@dataclass(frozen=True)
class WeekRecords:
    """Everything a contract's week is billed from; fetched per contract, or for many at once."""

    slots: list  # Slot rows (or rows with Slot's columns), in time order
    sessions: dict[int, WorkSession]  # by id: the sessions the slots were recorded in
    disputes: list[Dispute]  # in the order they were opened
    changes: dict[str, list[ContractChange]]  # "rate", "limit", "status" histories, oldest first
    bonuses: list[Decimal]


def records(s: Session, contract: Contract, week: BillingWeek) -> WeekRecords:
    return WeekRecords(
        slots=repo.slots_between(s, contract_id=contract.id, start=week.start, end=week.end),
        sessions={x.id: x for x in repo.sessions_between(s, contract_id=contract.id, start=week.start, end=week.end)},
        disputes=repo.disputes(s, contract_id=contract.id, week_start=week.monday),
        changes={field: repo.changes(s, contract_id=contract.id, field=field) for field in ("rate", "limit", "status")},
        bonuses=[b.amount for b in repo.bonuses(s, contract_id=contract.id, week_start=week.monday)],
    )


def history(changes: list[ContractChange]) -> list[Change]:
    return [Change(at=c.at, value=None if c.value is None else Decimal(c.value)) for c in changes]


def limit_minutes(rec: WeekRecords, week: BillingWeek) -> int | None:
    hours = value_for_week(history(rec.changes["limit"]), week)
    return None if hours is None else int(hours * 60)


def lines(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int) -> list[Line]:
    return lines_of(contract, week, records(s, contract, week), slot_seconds)


def lines_of(contract: Contract, week: BillingWeek, rec: WeekRecords, slot_seconds: int) -> list[Line]:
    items = [
        BillItem(start=x.start, counted=slot_counted(x, rec.sessions.get(x.session_id), contract, slot_seconds),
                 manual=x.manual, dispute=_dispute_of(x, rec.disputes))
        for x in rec.slots
    ]
    bills = classify(items, limit_minutes(rec, week))
    return [Line(slot, item, bill) for slot, item, bill in zip(rec.slots, items, bills, strict=True)]


def paused_during(changes: list[ContractChange], week: BillingWeek) -> bool:
    before = [c for c in changes if c.at <= week.start]
    during = [c for c in changes if week.start < c.at < week.end]
    was_paused = bool(before) and before[-1].value == ContractStatus.PAUSED
    return was_paused or any(c.value == ContractStatus.PAUSED for c in during)


def statement(s: Session, contract: Contract, week: BillingWeek, slot_seconds: int, week_lines: list[Line] | None = None) -> Statement:
    rec = records(s, contract, week)
    return statement_of(contract, week, rec, lines_of(contract, week, rec, slot_seconds) if week_lines is None else week_lines)


def statement_of(contract: Contract, week: BillingWeek, rec: WeekRecords, week_lines: list[Line]) -> Statement:
    rate = value_for_week(history(rec.changes["rate"]), week) or contract.rate
    share = weekly_payment_share(week=week, start_day=contract.start_day, end_day=contract.end_day)
    return build_statement(
        items=[line.item for line in week_lines], limit_minutes=limit_minutes(rec, week),
        rate=rate, currency=contract.currency, weekly_payment=contract.weekly_payment,
        payment_share=share, paused=paused_during(rec.changes["status"], week), bonuses=rec.bonuses,
    )


def session_totals(s: Session, session: WorkSession, contract: Contract, slot_seconds: int) -> tuple[int, int, int]:
    """(counted minutes, active minutes, tracked minutes) of one session's slots so far."""
    slots = repo.slots_of_session(s, session_id=session.id)
    counted = sum(slot_counted(x, session, contract, slot_seconds) for x in slots)
    tracked = sum(sum(1 for m in (x.minutes or []) if m is not None) for x in slots)
    return counted, sum(x.active_minutes for x in slots), tracked
