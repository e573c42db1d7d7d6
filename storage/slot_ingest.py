"""The slot ingest's reads and writes: Core statements on the group's bare connection, built once
(building one costs about as much as running it), returning typed rows.

Each session comes with the columns of its contract the checks read: one row serves as both.
`screenshots_from`: when the screenshots term last changed; a slot begun before keeps the value it began with.
"""

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, and_, bindparam, func, insert, select, update

from storage.devices import DEVICES, LIVE_DEVICE_COLUMNS, DeviceRow
from storage.tables import Contract, ContractChange, Screenshot, Slot, WorkSession

SLOTS, SHOTS, SESSIONS, CONTRACTS = Slot.__table__, Screenshot.__table__, WorkSession.__table__, Contract.__table__
CHANGES = ContractChange.__table__
SCREENSHOTS_FROM = select(func.max(CHANGES.c.effective_at)).where(
    CHANGES.c.contract_id == SESSIONS.c.contract_id, CHANGES.c.field == "screenshots").scalar_subquery().label("screenshots_from")
# `window_from`: when the window term last changed (a slot begun before a change to on keeps no windows).
WINDOW_FROM = select(func.max(CHANGES.c.effective_at)).where(
    CHANGES.c.contract_id == SESSIONS.c.contract_id, CHANGES.c.field == "window").scalar_subquery().label("window_from")
SESSION_COLUMNS = (SESSIONS.c.id, SESSIONS.c.contract_id, SESSIONS.c.started_at, SESSIONS.c.ended_at, SESSIONS.c.memo,
                   CONTRACTS.c.freelancer_id, CONTRACTS.c.screenshots, CONTRACTS.c.billing, CONTRACTS.c.tz, CONTRACTS.c.window,
                   SCREENSHOTS_FROM, WINDOW_FROM)
SLOT_COLUMNS = (SLOTS.c.id, SLOTS.c.contract_id, SLOTS.c.start, SLOTS.c.meta_hash, SLOTS.c.deleted_at,
                SLOTS.c.manual, SLOTS.c.screenshot_at, SLOTS.c.active_minutes, SLOTS.c.late_request_id)
SESSIONS_BY_ID = select(*SESSION_COLUMNS).join(CONTRACTS, CONTRACTS.c.id == SESSIONS.c.contract_id).where(
    SESSIONS.c.id.in_(bindparam("ids", expanding=True)))
# Contracts x starts is a superset of the (contract, start) pairs asked for; the unique index serves it.
SLOTS_AT = select(*SLOT_COLUMNS).where(SLOTS.c.contract_id.in_(bindparam("contracts", expanding=True)),
                                       SLOTS.c.start.in_(bindparam("starts", expanding=True)))
# A group of one (most groups, where few agents upload) reads all of it in one statement without
# IN lists, which SQLAlchemy renders afresh on every execution: the device of the token, the
# session with its contract, and the slot already at that start. No row: the token is unknown.
READ_ONE = select(
    *(column.label(f"d_{column.name}") for column in LIVE_DEVICE_COLUMNS),
    *(column.label(f"s_{column.name}") for column in SESSION_COLUMNS),
    *(column.label(f"x_{column.name}") for column in SLOT_COLUMNS),
).select_from(
    DEVICES.outerjoin(SESSIONS, SESSIONS.c.id == bindparam("session_id"))
    .outerjoin(CONTRACTS, CONTRACTS.c.id == SESSIONS.c.contract_id)
    .outerjoin(SLOTS, and_(SLOTS.c.contract_id == SESSIONS.c.contract_id, SLOTS.c.start == bindparam("start")))
).where(DEVICES.c.token_hash == bindparam("token_hash"))
# Asking for the ids in parameter order would make SQLite insert row by row; instead each id is
# matched to its slot by the slot's (contract, start), unique within a group.
INSERT_SLOTS = insert(SLOTS).returning(SLOTS.c.id, SLOTS.c.contract_id, SLOTS.c.start)
INSERT_SHOTS = insert(SHOTS)
TOUCH_SESSIONS = update(SESSIONS).where(SESSIONS.c.id.in_(bindparam("ids", expanding=True))).values(
    last_report_at=bindparam("at"))
TOUCH_SESSION = update(SESSIONS).where(SESSIONS.c.id == bindparam("session_id")).values(last_report_at=bindparam("at"))


class SessionRow(NamedTuple):
    """A session with the columns of its contract the ingest's checks read (SESSION_COLUMNS)."""

    id: int
    contract_id: int
    started_at: datetime
    ended_at: datetime | None
    memo: str
    freelancer_id: int
    screenshots: str
    billing: str
    tz: str
    window: bool
    screenshots_from: datetime | None
    window_from: datetime | None


class RecordedSlot(NamedTuple):
    """A slot already recorded at a (contract, start) an upload names (SLOT_COLUMNS)."""

    id: int
    contract_id: int
    start: datetime
    meta_hash: str | None
    deleted_at: datetime | None
    manual: bool
    screenshot_at: datetime | None
    active_minutes: int
    late_request_id: int | None


class OneRead(NamedTuple):
    """What READ_ONE found for one upload: its device, and its session and slot where there are."""

    device: DeviceRow
    session: SessionRow | None
    slot: RecordedSlot | None


_DEVICE_END = len(LIVE_DEVICE_COLUMNS)
_SESSION_END = _DEVICE_END + len(SESSION_COLUMNS)


def read_one(conn: Connection, *, token_hash: str, session_id: int, start: datetime) -> OneRead | None:
    """The device, session and recorded slot of one upload in one statement; None: the token is unknown."""
    row = conn.execute(READ_ONE, {"token_hash": token_hash, "session_id": session_id, "start": start}).first()
    if row is None:
        return None
    session, slot = row[_DEVICE_END:_SESSION_END], row[_SESSION_END:]
    return OneRead(DeviceRow(*row[:_DEVICE_END]), SessionRow(*session) if session[0] is not None else None,
                   RecordedSlot(*slot) if slot[0] is not None else None)


def sessions_by_id(conn: Connection, *, ids: list[int]) -> dict[int, SessionRow]:
    return {row.id: SessionRow(*row) for row in conn.execute(SESSIONS_BY_ID, {"ids": ids})}


def slots_at(conn: Connection, *, keys: set[tuple[int, datetime]]) -> dict[tuple[int, datetime], RecordedSlot]:
    """The slots already recorded at these (contract, start) pairs."""
    if not keys:
        return {}
    rows = conn.execute(SLOTS_AT, {"contracts": list({c for c, _ in keys}), "starts": list({t for _, t in keys})})
    found = {(row.contract_id, row.start): RecordedSlot(*row) for row in rows}
    return {key: row for key, row in found.items() if key in keys}


def on_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def insert_slots(conn: Connection, rows: list[dict[str, Any]]) -> dict[tuple[int, datetime], int]:
    """The new slots' ids, by (contract, start)."""
    inserted = conn.execute(INSERT_SLOTS, rows[0] if len(rows) == 1 else rows)  # one row: no executemany
    return {(row.contract_id, row.start): row.id for row in inserted}


def insert_screenshots(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(INSERT_SHOTS, rows[0] if len(rows) == 1 else rows)


def touch_sessions(conn: Connection, *, ids: set[int], at: datetime) -> None:
    """The sessions' last report."""
    if len(ids) == 1:
        conn.execute(TOUCH_SESSION, {"session_id": next(iter(ids)), "at": at})
    else:
        conn.execute(TOUCH_SESSIONS, {"ids": list(ids), "at": at})


def write_one_on_postgres(conn: Connection, *, slot: dict[str, Any], shot: dict[str, Any], session_id: int, at: datetime) -> int:
    """A slot, its screenshot (when `shot` has columns) and its session's last report in one
    statement on PostgreSQL (one round trip to the server instead of three); the slot's id."""
    params = ({f"slot_{key}": value for key, value in slot.items()} | {f"shot_{key}": value for key, value in shot.items()}
              | {"session_id": session_id, "at": at})
    return conn.execute(_one_write(tuple(slot), tuple(shot)), params).scalar_one()


@cache
def _one_write(slot_columns: tuple[str, ...], shot_columns: tuple[str, ...]) -> Select:
    """WITH new_slot AS (INSERT ... RETURNING id), new_shot AS (INSERT ...), touched AS (UPDATE ...)
    SELECT id FROM new_slot; built once per set of columns, so it is compiled once too."""
    new_slot = insert(SLOTS).values({name: bindparam(f"slot_{name}") for name in slot_columns}).returning(SLOTS.c.id).cte("new_slot")
    touched = update(SESSIONS).where(SESSIONS.c.id == bindparam("session_id")).values(last_report_at=bindparam("at"))
    statement = select(new_slot.c.id).add_cte(touched.cte("touched"))
    if shot_columns:
        values = {name: bindparam(f"shot_{name}") for name in shot_columns}
        shot = insert(SHOTS).values(slot_id=select(new_slot.c.id).scalar_subquery(), **values)
        statement = statement.add_cte(shot.cte("new_shot"))
    return statement
