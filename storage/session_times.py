"""A freelancer's sessions around an instant: what an offline clock-in, arriving late, is checked against."""

from datetime import datetime

from sqlmodel import Session, select

from storage.tables import Contract, WorkSession


def _of_freelancer(freelancer_id: int):
    return (select(WorkSession).join(Contract, Contract.id == WorkSession.contract_id)
            .where(Contract.freelancer_id == freelancer_id))


def started_at(s: Session, *, freelancer_id: int, at: datetime) -> WorkSession | None:
    """The freelancer's session that began exactly at `at` (on any contract), if any."""
    return s.exec(_of_freelancer(freelancer_id).where(WorkSession.started_at == at).limit(1)).first()


def running_or_ended_after(s: Session, *, freelancer_id: int, at: datetime) -> list[WorkSession]:
    """The freelancer's sessions that still run or ended after `at`, oldest first."""
    query = _of_freelancer(freelancer_id).where((WorkSession.ended_at.is_(None)) | (WorkSession.ended_at > at))
    return list(s.exec(query.order_by(WorkSession.started_at)))
