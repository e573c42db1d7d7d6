"""What each device's agent said it can do where it runs (device_capability), read and written."""

from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from storage.tables import Device, DeviceCapability


class Unable(NamedTuple):
    """A device that said it can neither take screenshots nor count input (or one of them), and why."""

    device_id: int
    device_name: str
    reason: str
    reported_at: datetime


def report(s: Session, *, device_id: int, screenshots: bool, input: bool, reason: str, at: datetime) -> None:
    """Keeps the device's latest report (one row per device); one older than it, arriving late, changes nothing."""
    row = s.exec(select(DeviceCapability).where(DeviceCapability.device_id == device_id)).first()
    if row is not None and row.reported_at > at:
        return
    row = row or DeviceCapability(device_id=device_id)
    row.screenshots, row.input, row.reason, row.reported_at = screenshots, input, reason[:200], at
    s.add(row)
    s.flush()


def unable_devices_of(s: Session, *, member_id: int) -> tuple[int, list[Unable]]:
    """How many unrevoked devices the member has, and those of them that said they cannot track."""
    rows = s.exec(
        select(Device, DeviceCapability)
        .join(DeviceCapability, DeviceCapability.device_id == Device.id, isouter=True)
        .where(Device.member_id == member_id, Device.revoked_at.is_(None))
    ).all()
    unable = [Unable(d.id, d.name, c.reason, c.reported_at) for d, c in rows
              if c is not None and not (c.screenshots and c.input)]  # fmt: skip
    return len(rows), unable
