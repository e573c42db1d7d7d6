"""What an operator asks of the database: the outbox's backlog, the agents seen lately."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from storage.tables import Device, Outbox

WAITING = ("pending", "sending")
# Any failure of the database or of the driver, for callers that report it rather than raise it.
DatabaseError = SQLAlchemyError


@dataclass(frozen=True)
class Backlog:
    by_status: dict[str, int]  # pending | sending | sent | failed -> rows
    oldest_waiting: datetime | None  # when the oldest message not yet sent was written

    @property
    def waiting(self) -> int:
        return sum(self.by_status.get(status, 0) for status in WAITING)


def outbox_backlog(s: Session) -> Backlog:
    counts = dict(s.exec(select(Outbox.status, func.count()).group_by(Outbox.status)).all())
    oldest = s.exec(select(func.min(Outbox.created_at)).where(Outbox.status.in_(WAITING))).one()
    return Backlog(by_status={str(k): int(v) for k, v in counts.items()}, oldest_waiting=oldest)


def agents_seen_since(s: Session, since: datetime) -> int:
    """Paired, unrevoked devices that called the server at or after `since`."""
    query = select(func.count()).select_from(Device).where(Device.last_seen_at >= since, Device.revoked_at.is_(None))
    return int(s.exec(query).one())


def ping(s: Session) -> None:
    """The cheapest round trip to the database; raises if it does not answer."""
    s.execute(text("SELECT 1"))


def kind(engine) -> str:
    """The database's dialect name (sqlite, postgresql): never its address."""
    return engine.dialect.name
