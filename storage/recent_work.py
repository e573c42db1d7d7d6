"""What the alert jobs read: contracts that got time lately, sessions whose agent went quiet."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session

from storage.tables import Contract, Slot, WorkSession


def contracts_worked_since(s: Session, *, since: datetime, status: str) -> list[Contract]:
    """Contracts of that status with a slot received at or after `since`, by id."""
    worked = select(Slot.contract_id).where(Slot.received_at >= since).distinct()
    return list(s.scalars(select(Contract).where(
        Contract.id.in_(worked), Contract.status == status).order_by(Contract.id)))


def quiet_open_sessions(s: Session, *, quiet_before: datetime) -> list[WorkSession]:
    """Open sessions whose last report (or start) is at or before `quiet_before`, and whose
    freelancer has not been told of this silence yet."""
    quiet_since = func.coalesce(WorkSession.last_report_at, WorkSession.started_at)
    return list(s.scalars(select(WorkSession).where(
        WorkSession.ended_at.is_(None), quiet_since <= quiet_before,
        or_(WorkSession.lost_notified_at.is_(None), WorkSession.lost_notified_at < quiet_since))))
