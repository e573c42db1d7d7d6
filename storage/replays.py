"""Replay keys: a chat request is acted on once, across every web process (the key is unique)."""

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.tables import ReplayKey

KEYS = ReplayKey.__table__
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def first_time(s: Session, *, key: str, now: datetime) -> bool:
    """Records `key`; True if nobody had, False if it was seen before (then nothing changes)."""
    insert = INSERTS[s.get_bind().dialect.name]
    statement = insert(KEYS).values(key=key, seen_at=now).on_conflict_do_nothing(index_elements=["key"])
    return s.execute(statement.returning(KEYS.c.id)).first() is not None  # no row back: it was there


def forget_before(s: Session, *, cutoff: datetime) -> int:
    """Keys older than the window in which a replay could still carry a valid signature."""
    return s.execute(delete(KEYS).where(KEYS.c.seen_at < cutoff)).rowcount
