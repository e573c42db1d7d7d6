"""The webcam (docs/rules.md#webcam): the freelancer's consent, the frame a slot may carry, who
sees it, and its going with the slot.

A frame arrives beside its slot's screenshot. It is stored after the slot is recorded, in a step
of its own: a frame the rule does not allow (no webcam term, no consent on the device) is dropped,
and the slot is never refused or lost because of its frame.
"""

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.services import images
from bot.services.context import Context
from diary.changes import read_history, value_at
from diary.contract_terms import BY_NAME
from diary.protocol import EventResult
from diary.refusal import Refusal
from diary.terms import Screenshots, Webcam
from diary.webcam import Consent, agent_webcam, consented_at, frame_allowed
from storage import repo
from storage import webcam as store
from storage.tables import Contract, Device, Slot, WebcamFrame

log = logging.getLogger(__name__)

NO_FRAME = Refusal("This slot has no webcam frame.", "not_found")
NEEDS_GIVEN = Refusal('A webcam_consent event says whether consent is given, e.g. {"kind": "webcam_consent", '
                      '"at": "2026-11-18T10:00:00+00:00", "given": true}.')
BATCH = 500


def frame_key(contract_id: int, start: datetime, sha256: str, extension: str) -> str:
    """Beside the slot's screenshot, told apart by its name."""
    return f"{contract_id}/{start.astimezone(UTC):%Y/%m/%d/%H%M%S}-{sha256[:16]}.webcam.{extension}"


# ---------------------------------------------------------------- consent

def record_consent(s: Session, device: Device, given: bool | None, at: datetime, *, now: datetime) -> EventResult | Refusal:
    """`webcam_consent` from the device: kept with the instant it was given or withdrawn there."""
    if given is None:
        return NEEDS_GIVEN
    store.add_consent(s, device_id=device.id, given=given, at=min(at, now), reported_at=now)
    if given:
        return EventResult(ok=True, message="Webcam consent recorded: a camera frame is taken with each screenshot "
                                            "on contracts that ask for it, from the next slot on.")
    return EventResult(ok=True, message="Webcam consent withdrawn: no camera frame is taken from the next slot on.")


def _consents(s: Session, device_ids: list[int]) -> dict[int, list[Consent]]:
    found: dict[int, list[Consent]] = {i: [] for i in device_ids}
    for row in store.consents_of(s, device_ids=device_ids):
        found[row.device_id].append(Consent(row.at, row.given))
    return found


def device_consents(s: Session, device_id: int, now: datetime) -> bool:
    return consented_at(_consents(s, [device_id])[device_id], now)


def for_agent(s: Session, device_id: int, contract_id: int | None, *, now: datetime) -> Webcam:
    """The `webcam` of the agent state: the contract's term (set last) and this device's consent."""
    contract = s.get(Contract, contract_id) if contract_id is not None else None
    if contract is None or not contract.webcam:
        return Webcam.OFF
    return agent_webcam(True, device_consents(s, device_id, now))


def consent_line(s: Session, contract: Contract) -> str:
    """For the contract card: whether the freelancer consented (as each device last said), and where."""
    live = store.live_devices_of(s, member_id=contract.freelancer_id)
    consents = _consents(s, [d.id for d in live])
    names = [d.name for d in live if consents[d.id] and consents[d.id][-1].given]
    if names:
        return "the freelancer consented on " + ", ".join(names)
    if not contract.webcam:
        return ""  # nobody asked, nobody consented: nothing to say
    return "the client asked for it; the freelancer has not consented (tracker window, or `tally-agent consent webcam`)"


# ---------------------------------------------------------------- frames

def store_frame(ctx: Context, token_hash: str, slot_id: int, image: images.Image | None, *, now: datetime) -> bool:
    """Keeps a slot's frame, sent by the device of `token_hash`, where the rule allows it; True when
    kept (or already there)."""
    if image is None:
        return False
    with ctx.unit() as s:
        slot = repo.by_id(s, Slot, slot_id)
        device = repo.device_by_token_hash(s, token_hash=token_hash)
        if slot is None or device is None or slot.device_id != device.id or slot.deleted_at is not None:
            return False
        if store.frame_of(s, slot_id=slot.id) is not None:
            return True
        key = frame_key(slot.contract_id, slot.start, image.sha256, image.extension)
        if image.stored_key is not None and image.stored_key != key:
            return False
        if not _allowed(s, slot, device.id):
            log.info("a webcam frame for slot %s was dropped: no webcam term or no consent in force", slot.id)
            if image.stored_key is not None:  # put in the bucket before the rule was asked: nothing may keep it
                ctx.blobs.delete(key)
            return False
        contract = s.get(Contract, slot.contract_id)
        if image.stored_key is None:
            _put(ctx, key, image)
        blurred = _blurred(s, contract, slot)
        store.add_frame(s, WebcamFrame(slot_id=slot.id, blob_key=key, sha256=image.sha256, content_type=image.content_type,
                                       width=image.width, height=image.height, size=image.size, blurred=blurred,
                                       created_at=now))
        return True


def _put(ctx: Context, key: str, image: images.Image) -> None:
    ctx.blobs.put(key, image.data, image.content_type)
    if image.thumbnail is not None:
        ctx.blobs.put(images.thumbnail_key(key), image.thumbnail, images.THUMB_TYPE)


def _allowed(s: Session, slot: Slot, device_id: int) -> bool:
    term = read_history(BY_NAME["webcam"], repo.changes(s, contract_id=slot.contract_id, field="webcam"))
    return frame_allowed(term, _consents(s, [device_id])[device_id], slot_start=slot.start, shot_at=slot.screenshot_at)


def _blurred(s: Session, contract: Contract, slot: Slot) -> bool:
    """As the screenshot was: blurred on the device under screenshots=blur (or a private app)."""
    history = read_history(BY_NAME["screenshots"], repo.changes(s, contract_id=contract.id, field="screenshots"))
    mode = value_at(history, slot.start) if history else contract.screenshots
    return mode == Screenshots.BLUR or slot.private_app


def frame(ctx: Context, contract_id: int, slot_id: int) -> tuple[bytes, str, str] | Refusal:
    """A slot's frame (data, content type, sha256), for a viewer of `contract_id` the caller has checked."""
    with ctx.unit() as s:
        slot = repo.by_id(s, Slot, slot_id)
        if slot is None or slot.contract_id != contract_id or slot.deleted_at is not None:
            return NO_FRAME
        found = store.frame_of(s, slot_id=slot.id)
    if found is None:
        return NO_FRAME
    data = ctx.blobs.get(found.blob_key)
    return NO_FRAME if data is None else (data, found.content_type, found.sha256)


def with_frames(s: Session, slot_ids: list[int]) -> set[int]:
    """Which of these slots have a frame (the diary page shows it beside the screenshot)."""
    return set(store.frames_for(s, slot_ids=slot_ids))


def drop_frame(s: Session, ctx: Context, slot_id: int) -> None:
    """With its slot: the frame's files, then its row."""
    found = store.frame_of(s, slot_id=slot_id)
    if found is not None:
        images.delete_files(ctx.blobs, found.blob_key)
        store.delete_frames(s, ids=[found.id])


def delete_old_frames(ctx: Context, *, now: datetime, days: int) -> int:
    """Frames go when screenshots do: after the configured number of days."""
    cutoff, deleted = now - timedelta(days=days), 0
    while True:
        with ctx.unit() as s:
            rows = store.frames_before(s, cutoff=cutoff, limit=BATCH)
            for _, key in rows:  # files first, as for screenshots: a crash leaves rows to try again
                images.delete_files(ctx.blobs, key)
            store.delete_frames(s, ids=[row_id for row_id, _ in rows])
        deleted += len(rows)
        if len(rows) < BATCH:
            return deleted


def erase_frames(ctx: Context, contract_ids: list[int]) -> int:
    """Every frame of these contracts (a member's erasure): files first, then rows."""
    with ctx.unit() as s:
        frames = store.frames_of_contracts(s, contract_ids=contract_ids)
        for found in frames:
            images.delete_files(ctx.blobs, found.blob_key)
        store.delete_frames(s, ids=[f.id for f in frames])
    return len(frames)
