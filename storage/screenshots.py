"""Screenshot rows as retention sees them: the oldest ones, and their deletion."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlmodel import Session

from storage.tables import Screenshot


class StoredShot(NamedTuple):
    id: int
    blob_key: str


def taken_before(s: Session, *, before: datetime, limit: int) -> list[StoredShot]:
    """Up to `limit` screenshots created before `before`, oldest row first."""
    rows = s.execute(select(Screenshot.id, Screenshot.blob_key).where(Screenshot.created_at < before)
                     .order_by(Screenshot.id).limit(limit))
    return [StoredShot(*row) for row in rows]


def delete_rows(s: Session, *, ids: list[int]) -> None:
    s.execute(delete(Screenshot).where(Screenshot.id.in_(ids)))
