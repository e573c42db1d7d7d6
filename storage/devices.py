"""Device tokens and pairing codes as the hot paths read and write them: Core statements on the
caller's connection, built once (building one costs about as much as running it)."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select, update
from sqlmodel import Session

from storage.tables import Device, PairingCode

DEVICES, CODES = Device.__table__, PairingCode.__table__
# Revoked devices are read too: a revoked device still delivers what it recorded before.
LIVE_DEVICE_COLUMNS = (DEVICES.c.id, DEVICES.c.member_id, DEVICES.c.token_hash, DEVICES.c.last_seen_at,
                       DEVICES.c.revoked_at)
_BY_HASHES = select(*LIVE_DEVICE_COLUMNS).where(DEVICES.c.token_hash.in_(bindparam("hashes", expanding=True)))
_SEEN = update(DEVICES).where(DEVICES.c.id.in_(bindparam("ids", expanding=True))).values(last_seen_at=bindparam("now"))


class DeviceRow(NamedTuple):
    """A device as the upload path checks it (LIVE_DEVICE_COLUMNS)."""

    id: int
    member_id: int
    token_hash: str
    last_seen_at: datetime | None
    revoked_at: datetime | None


def devices_by_hash(conn: Connection, *, hashes: list[str]) -> dict[str, DeviceRow]:
    """The devices (revoked ones too) of these token hashes, by hash; one query for any number."""
    return {row.token_hash: DeviceRow(*row) for row in conn.execute(_BY_HASHES, {"hashes": hashes})}


def mark_seen(conn: Connection, *, ids: list[int], now: datetime) -> None:
    conn.execute(_SEEN, {"ids": ids, "now": now})


def claim_code(s: Session, *, code_id: int, now: datetime) -> bool:
    """Marks the code used if nobody has yet: one conditional UPDATE, so of any number of
    concurrent requests with one code exactly one gets True."""
    taken = s.exec(update(CODES).where(CODES.c.id == code_id, CODES.c.used_at.is_(None)).values(used_at=now))
    return taken.rowcount == 1
