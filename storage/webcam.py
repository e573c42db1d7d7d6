"""Data access for the webcam: the freelancer's consents per device and the slots' camera frames."""

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.tables import Device, Slot, WebcamConsent, WebcamFrame


def add_consent(s: Session, *, device_id: int, given: bool, at: datetime, reported_at: datetime) -> None:
    s.add(WebcamConsent(device_id=device_id, given=given, at=at, reported_at=reported_at))


def consents_of(s: Session, *, device_ids: Iterable[int]) -> list[WebcamConsent]:
    """The consents given and withdrawn on these devices, oldest first."""
    ids = list(device_ids)
    if not ids:
        return []
    query = select(WebcamConsent).where(col(WebcamConsent.device_id).in_(ids))
    return list(s.exec(query.order_by(WebcamConsent.at, WebcamConsent.id)))


def live_devices_of(s: Session, *, member_id: int) -> list[Device]:
    return list(s.exec(select(Device).where(Device.member_id == member_id, col(Device.revoked_at).is_(None))
                       .order_by(Device.id)))


def frame_of(s: Session, *, slot_id: int) -> WebcamFrame | None:
    return s.exec(select(WebcamFrame).where(WebcamFrame.slot_id == slot_id)).first()


def frames_for(s: Session, *, slot_ids: Iterable[int]) -> dict[int, WebcamFrame]:
    ids = list(slot_ids)
    if not ids:
        return {}
    return {frame.slot_id: frame for frame in s.exec(select(WebcamFrame).where(col(WebcamFrame.slot_id).in_(ids)))}


def add_frame(s: Session, frame: WebcamFrame) -> None:
    s.add(frame)


def frames_before(s: Session, *, cutoff: datetime, limit: int) -> list[tuple[int, str]]:
    """(id, blob key) of the oldest frames taken before `cutoff`, at most `limit`."""
    query = select(WebcamFrame.id, WebcamFrame.blob_key).where(WebcamFrame.created_at < cutoff)
    return [(row[0], row[1]) for row in s.exec(query.order_by(WebcamFrame.id).limit(limit))]


def delete_frames(s: Session, *, ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids:
        s.exec(delete(WebcamFrame).where(col(WebcamFrame.id).in_(ids)))


def frames_of_contracts(s: Session, *, contract_ids: Iterable[int]) -> list[WebcamFrame]:
    ids = list(contract_ids)
    if not ids:
        return []
    query = select(WebcamFrame).join(Slot, col(Slot.id) == WebcamFrame.slot_id).where(col(Slot.contract_id).in_(ids))
    return list(s.exec(query.order_by(WebcamFrame.id)))
