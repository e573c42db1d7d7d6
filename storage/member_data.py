"""What Tally holds about one person, read out whole (an export) or with their texts and
screenshots removed (an erasure) — for a request under privacy law.

An erasure keeps what the books need: contracts, hours, statements and reviews stay as they are.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, update
from sqlmodel import Session, SQLModel, select

from storage.webcam import frames_of_contracts
from storage.tables import (
    Bonus,
    Contract,
    ContractChange,
    Device,
    Dispute,
    ManualEntry,
    Member,
    Outbox,
    PaidMark,
    Screenshot,
    Slot,
    WeekReview,
    WorkSession,
    Workspace,
)

SECRETS = {"token_hash", "code_hash", "meta_hash"}  # hashes of credentials: nobody's data, everyone's risk
ERASED = "(erased)"


def members_named(s: Session, name: str) -> list[tuple[Member, Workspace]]:
    wanted = name.strip().lstrip("@").lower()
    rows = s.exec(select(Member, Workspace).join(Workspace, Workspace.id == Member.workspace_id).order_by(Member.id))
    return [(m, w) for m, w in rows if m.name.lower() == wanted or m.external_id.lower() == wanted]


def plain(row: SQLModel) -> dict:
    return {k: v for k, v in row.model_dump(mode="json").items() if k not in SECRETS}


def _rows(s: Session, model, *where) -> list[dict]:
    return [plain(r) for r in s.exec(select(model).where(*where).order_by(model.id))]


def all_contracts_of(s: Session, member_id: int) -> list[Contract]:
    query = select(Contract).where(or_(Contract.client_id == member_id, Contract.freelancer_id == member_id))
    return list(s.exec(query.order_by(Contract.id)))


def contract_record(s: Session, contract: Contract, member_id: int) -> dict:
    """A contract as one of its parties may have it; the diary itself only for its freelancer."""
    cid = contract.id
    record = {"role": "freelancer" if contract.freelancer_id == member_id else "client", "contract": plain(contract),
              "changes": _rows(s, ContractChange, ContractChange.contract_id == cid),
              "weeks": _rows(s, WeekReview, WeekReview.contract_id == cid),
              "disputes": _rows(s, Dispute, Dispute.contract_id == cid),
              "bonuses": _rows(s, Bonus, Bonus.contract_id == cid),
              "paid": _rows(s, PaidMark, PaidMark.contract_id == cid),
              "manual_time": _rows(s, ManualEntry, ManualEntry.contract_id == cid)}
    if record["role"] == "freelancer":
        record["sessions"] = _rows(s, WorkSession, WorkSession.contract_id == cid)
        record["slots"] = _rows(s, Slot, Slot.contract_id == cid)
        record["screenshots"] = [plain(shot) for shot in screenshots_of(s, [cid])]
        record["webcam_frames"] = [plain(frame) for frame in frames_of_contracts(s, contract_ids=[cid])]
    return record


def screenshots_of(s: Session, contract_ids: Iterable[int]) -> list[Screenshot]:
    query = select(Screenshot).join(Slot, Slot.id == Screenshot.slot_id).where(Slot.contract_id.in_(list(contract_ids)))
    return list(s.exec(query.order_by(Screenshot.id)))


def all_devices_of(s: Session, member_id: int) -> list[dict]:
    return _rows(s, Device, Device.member_id == member_id)


@dataclass
class Erased:
    screenshots: int = 0
    slots: int = 0  # slots whose memo or window title was removed
    messages: int = 0  # outbox messages whose quoted memo was removed


def erase_diary_texts(s: Session, contract_ids: list[int]) -> Erased:
    """Screenshot rows, memos and window titles of these contracts; hours, minutes and statements stay."""
    out = Erased()
    slots = list(s.exec(select(Slot).where(Slot.contract_id.in_(contract_ids))))
    for slot in slots:
        if slot.memo or slot.window_title or slot.window_app or slot.windows:
            out.slots += 1
        slot.memo, slot.window_title, slot.window_app, slot.windows = "", None, None, None
    for session in s.exec(select(WorkSession).where(WorkSession.contract_id.in_(contract_ids))):
        session.memo = ""
    for entry in s.exec(select(ManualEntry).where(ManualEntry.contract_id.in_(contract_ids))):
        entry.memo = ERASED
    shots = screenshots_of(s, contract_ids)
    for shot in shots:
        s.delete(shot)
    out.screenshots = len(shots)
    out.messages = scrub_messages(s, contract_ids)
    return out


def scrub_messages(s: Session, contract_ids: list[int]) -> int:
    """The clock-in posts and manual-time requests of these contracts kept in the outbox end in
    " — <memo>": that part is replaced, the rest of each message stays."""
    sessions = s.exec(select(WorkSession.id).where(WorkSession.contract_id.in_(contract_ids))).all()
    entries = s.exec(select(ManualEntry.id).where(ManualEntry.contract_id.in_(contract_ids))).all()
    keys = [f"clockin:{sid}" for sid in sessions] + [f"manual:{eid}:request" for eid in entries]
    changed = 0
    for start in range(0, len(keys), 500):
        for row in s.exec(select(Outbox).where(Outbox.dedupe_key.in_(keys[start:start + 500]))):
            text = str(row.payload.get("text", ""))
            if " — " in text and not text.endswith(f" — {ERASED}"):
                payload = {**row.payload, "text": text.rsplit(" — ", 1)[0] + f" — {ERASED}"}
                s.exec(update(Outbox).where(Outbox.id == row.id).values(payload=payload))
                changed += 1
    return changed
