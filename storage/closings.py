"""The week close's writes: every review of a chunk and its messages, as Core rows in bulk."""

from sqlmodel import Session

from storage.bulk import insert_rows
from storage.tables import Outbox, WeekReview


def insert_closings(s: Session, *, reviews: list[dict], messages: list[dict]) -> None:
    # Core rows, not ORM objects: the ORM's bulk path costs more than building the rows did.
    conn = s.connection()
    insert_rows(conn, WeekReview.__table__, reviews)
    insert_rows(conn, Outbox.__table__, messages)
