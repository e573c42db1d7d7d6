"""The outbox table: adding a message once, which message of each channel is next, claims, and
what became of a send.

Claims are one UPDATE each, guarded by the row's status, so two dispatchers never both get a
row: PostgreSQL skips rows another claim holds locked (FOR UPDATE SKIP LOCKED); SQLite has one
writer at a time, and the guard sees the first writer's change.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, or_, select, update
from sqlmodel import Session

from storage.tables import Contract, Outbox

OUTBOX = Outbox.__table__


@dataclass(frozen=True)
class Head:
    """The oldest undelivered message of one channel: messages to a channel go out in order."""

    id: int
    platform: str
    workspace_id: int
    channel: str


def _claimable(stale_before: datetime):
    """Pending rows, and rows whose claim is older than the lease: their dispatcher died mid-send."""
    return or_(OUTBOX.c.status == "pending", and_(OUTBOX.c.status == "sending", OUTBOX.c.claimed_at < stale_before))


def heads(s: Session, *, platforms: list[str], now: datetime, stale_before: datetime, limit: int) -> list[Head]:
    """Channels whose next message is due and not being sent by anyone, oldest first.

    A row being sent heads its channel too, which keeps a second dispatcher from sending that
    channel's next message before it.
    """
    channel = (OUTBOX.c.platform, OUTBOX.c.workspace_id, OUTBOX.c.channel)
    ranked = (
        select(*channel, OUTBOX.c.id, OUTBOX.c.status, OUTBOX.c.claimed_at, OUTBOX.c.next_attempt_at,
               func.row_number().over(partition_by=channel, order_by=OUTBOX.c.id).label("place"))
        .where(OUTBOX.c.status.in_(("pending", "sending")), OUTBOX.c.platform.in_(platforms))
        .subquery()
    )
    claimable = or_(ranked.c.status == "pending", ranked.c.claimed_at < stale_before)
    rows = s.execute(
        select(ranked.c.id, ranked.c.platform, ranked.c.workspace_id, ranked.c.channel)
        .where(ranked.c.place == 1, claimable, ranked.c.next_attempt_at <= now)
        .order_by(ranked.c.id)
        .limit(limit)
    )
    return [Head(*row) for row in rows]


def claim(s: Session, *, ids: list[int], token: str, now: datetime, stale_before: datetime) -> list[Outbox]:
    """Marks those of `ids` still claimable as being sent under `token`; returns the rows it got."""
    if not ids:
        return []
    free = select(OUTBOX.c.id).where(OUTBOX.c.id.in_(ids), _claimable(stale_before)).with_for_update(skip_locked=True)
    s.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(free))
        .values(status="sending", claimed_by=token, claimed_at=now, attempts=OUTBOX.c.attempts + 1)
    )
    query = select(Outbox).where(Outbox.claimed_by == token, Outbox.status == "sending").order_by(Outbox.id)
    return list(s.scalars(query))


def _settle(s: Session, row_id: int, token: str, **values) -> bool:
    """Changes a claimed row, unless the claim was lost (lease expired and handed out again)."""
    result = s.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.claimed_by == token, OUTBOX.c.status == "sending")
        .values(claimed_by=None, **values)
    )
    return result.rowcount == 1


def mark_sent(s: Session, *, row_id: int, token: str, now: datetime, external_id: str | None) -> bool:
    return _settle(s, row_id, token, status="sent", sent_at=now, external_id=external_id, error=None)


def retry_at(s: Session, *, row_id: int, token: str, at: datetime, error: str) -> bool:
    return _settle(s, row_id, token, status="pending", next_attempt_at=at, error=error[:500])


def mark_failed(s: Session, *, row_id: int, token: str, error: str) -> bool:
    return _settle(s, row_id, token, status="failed", error=error[:500])


def release(s: Session, *, row_id: int, token: str) -> bool:
    """A claim given up before the send finished: the row is pending again, its try not counted."""
    return _settle(s, row_id, token, status="pending", claimed_at=None, attempts=OUTBOX.c.attempts - 1)


def take_back_claims(s: Session, *, prefix: str) -> int:
    """Rows being sent under claims whose token starts with `prefix`, back to pending. Only for a
    dispatcher that knows no other holder of such claims runs: a newly elected worker, whose
    predecessor died mid-send, need not wait for the lease to end."""
    result = s.execute(update(OUTBOX).where(OUTBOX.c.status == "sending", OUTBOX.c.claimed_by.startswith(prefix, autoescape=True))
                       .values(status="pending", claimed_by=None, claimed_at=None))
    return result.rowcount


def set_channel_error(s: Session, *, workspace_id: int, channel: str, error: str | None) -> None:
    """What every contract of the channel shows on /contract show; None clears it."""
    query = update(Contract.__table__).where(Contract.workspace_id == workspace_id, Contract.channel_id == channel)
    if error is None:
        query = query.where(Contract.delivery_error.is_not(None))
    s.execute(query.values(delivery_error=None if error is None else error[:500]))


def add_message(s: Session, message: Outbox) -> bool:
    """Adds an outbox row unless one with its dedupe key exists; True when added."""
    exists = s.scalars(select(Outbox.id).where(Outbox.dedupe_key == message.dedupe_key)).first()
    if exists is not None:
        return False
    s.add(message)
    return True


def due_messages(s: Session, *, platform: str, now: datetime, limit: int = 100) -> list[Outbox]:
    """Pending messages of one platform whose time has come, oldest first (the shell prints them)."""
    return list(
        s.scalars(
            select(Outbox)
            .where(Outbox.platform == platform, Outbox.status == "pending", Outbox.next_attempt_at <= now)
            .order_by(Outbox.id)
            .limit(limit)
        )
    )


def has_message(s: Session, *, key: str) -> bool:
    """Whether a message with this dedupe key was ever queued."""
    return s.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is not None


def queued_keys(s: Session, *, keys: list[str], batch: int = 500) -> set[str]:
    """Those of `keys` that some queued message (sent or not) already has as its dedupe key."""
    found: set[str] = set()
    for i in range(0, len(keys), batch):
        found.update(s.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(keys[i:i + batch]))))
    return found


def insert_values(conn, values: dict) -> None:
    """One outbox row from its columns, on a bare connection (the slot ingest's transaction)."""
    conn.execute(insert(Outbox.__table__), [values])
