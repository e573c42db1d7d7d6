"""The records of many contracts' weeks, read at once for the week close.

On Monday thousands of weeks close together, so a chunk of contracts (all with the same week,
in the same timezone) is read with one query per table rather than several per contract.
Slots, millions of them, come straight from the driver's tuples and are turned into one list
per field (SlotColumns), the instants parsed once each: SQLAlchemy's Row objects and per-value
processing used to cost more than the rules they fed.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from storage.slot_columns import SlotColumns
from storage.tables import (
    Bonus,
    Contract,
    ContractChange,
    Dispute,
    Member,
    Slot,
    WorkSession,
    Workspace,
)
from storage.types import read_repeated_sqlite_text, read_sqlite_texts

# contract_id, SlotColumns' fields, then the tracked minutes (kept at ingest; a manual slot's are
# 0). The week's activity is the share of active minutes in tracked ones (a manual slot's active
# minutes are 0 too). All of them are in the index ix_slot_week.
SLOT_COLUMNS = (Slot.contract_id, Slot.start, Slot.session_id, Slot.screenshot_at, Slot.active_minutes, Slot.manual,
                Slot.tracked_minutes)


class SessionSpan(NamedTuple):
    id: int
    started_at: datetime
    ended_at: datetime | None


class ChangeRow(NamedTuple):
    """A kept change of a contract's term or status: its instant and its value in chat form."""

    contract_id: int
    field: str
    effective_at: datetime
    value: str | None


class WeekChunk:
    """The records of one chunk's contracts for one week, one query per table. Late slots are
    not among the slots: they are billed on the week they arrived in, not in their own."""

    def __init__(self, s: Session, *, ids: list[int], start: datetime, end: datetime, monday: date,
                 history_fields: Sequence[str]) -> None:
        conn = reading_connection(s)
        in_week = (Slot.contract_id.in_(ids), Slot.start >= start, Slot.start < end, Slot.deleted_at.is_(None),
                   Slot.late_request_id.is_(None))
        self.contracts: dict[int, Contract] = {c.id: c for c in s.scalars(select(Contract).where(Contract.id.in_(ids)))}
        self.slots = ChunkSlots(conn, select(*SLOT_COLUMNS).where(*in_week).order_by(Slot.contract_id, Slot.start))
        self.sessions = {row.id: SessionSpan(*row) for row in conn.execute(
            select(WorkSession.id, WorkSession.started_at, WorkSession.ended_at).where(
                WorkSession.contract_id.in_(ids), WorkSession.started_at < end,
                or_(WorkSession.ended_at.is_(None), WorkSession.ended_at > start)))}
        self.disputes: dict[int, list[Dispute]] = _grouped(s.scalars(select(Dispute).where(
            Dispute.contract_id.in_(ids), Dispute.week_start == monday).order_by(Dispute.id)))
        self.changes: dict[int, list[ChangeRow]] = _grouped(ChangeRow(*row) for row in conn.execute(
            select(ContractChange.contract_id, ContractChange.field, ContractChange.effective_at, ContractChange.value)
            .where(ContractChange.contract_id.in_(ids), ContractChange.field.in_(list(history_fields)))
            .order_by(ContractChange.id)))
        self.bonuses: dict[int, list[Decimal]] = defaultdict(list)
        for contract_id, amount in conn.execute(select(Bonus.contract_id, Bonus.amount).where(
                Bonus.contract_id.in_(ids), Bonus.week_start == monday)):
            self.bonuses[contract_id].append(amount)
        self.names: dict[int, str] = dict(conn.execute(select(Member.id, Member.name).where(
            Member.id.in_(sorted({c.freelancer_id for c in self.contracts.values()})))).all())
        self.workspaces: dict[int, Workspace] = {ws.id: ws for ws in s.scalars(select(Workspace).where(
            Workspace.id.in_(sorted({c.workspace_id for c in self.contracts.values()}))))}


def reading_connection(s: Session) -> Connection:
    """The session's connection, on PostgreSQL set to UTC for this transaction: psycopg then
    hands out instants in UTC already, where any other zone costs a conversion per value."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    return conn


class ChunkSlots:
    """The chunk's slots by field (SLOT_COLUMNS), all contracts one after another."""

    def __init__(self, conn: Connection, query: Select) -> None:
        rows = _binary_rows(conn, query) if conn.dialect.name == "postgresql" else _driver_rows(conn, query)
        self.contracts, starts, sessions, shots, self.active, manual, self.tracked = zip(*rows) if rows else ((),) * 7
        if conn.dialect.name == "sqlite":  # instants as text, booleans as 0 and 1
            starts, shots = list(map(read_repeated_sqlite_text, starts)), read_sqlite_texts(shots)
            manual = list(map(bool, manual))
        # psycopg's instants are aware already, and in UTC (reading_connection)
        self.all = SlotColumns(starts, sessions, shots, self.active, manual)

    def columns(self, contract_id: int) -> SlotColumns:
        return self.all.stretch(*self._bounds(contract_id))

    def activity(self, contract_id: int) -> tuple[int, int]:
        """(active, tracked) minutes, of which the week's activity is the share."""
        begin, end = self._bounds(contract_id)
        return sum(self.active[begin:end]), sum(self.tracked[begin:end])

    def _bounds(self, contract_id: int) -> tuple[int, int]:
        # rows come by contract
        return bisect_left(self.contracts, contract_id), bisect_right(self.contracts, contract_id)


def _driver_rows(conn: Connection, query: Select) -> list[tuple]:
    """The driver's own tuples, without SQLAlchemy's Row objects and per-value processing."""
    result = conn.execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _binary_rows(conn: Connection, query: Select) -> list[tuple]:
    """The same from PostgreSQL in its binary format, on the session's own connection (so in its
    transaction): psycopg reads an instant or a number from a few bytes instead of parsing text,
    a third of the CPU for millions of values. Its instants are in UTC (reading_connection)."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    with conn.connection.driver_connection.cursor(binary=True) as cursor:
        cursor.execute(compiled.string, compiled.params)
        return cursor.fetchall()


def _grouped(rows: Iterable) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[row.contract_id].append(row)
    return groups
