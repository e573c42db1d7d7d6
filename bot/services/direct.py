"""Direct uploads: on an S3-compatible store the agent puts a slot's images in the bucket itself.

The server hands out presigned PUT targets with the length and SHA-256 signed in, so the store
takes no other bytes; when the slot arrives naming its objects, each one is checked by the size
and checksum the store kept (a HEAD, no download) before the slot's row can commit. A folder
store has no such targets: agents keep sending the images in the slot's multipart.
"""

import base64
from datetime import datetime, timedelta
from typing import Any

from bot.services.context import Context
from bot.services.images import Image, screenshot_key, thumbnail_key
from bot.services.webcam import frame_key
from diary.protocol import MAX_OBJECT_BYTES, SlotReport, StoredObject, UploadRequest, UploadTarget, UploadTargets
from diary.refusal import Refusal
from diary.terms import Screenshots
from storage import repo
from storage.tables import Contract, WorkSession

EXPIRES = timedelta(minutes=15)
TYPES = {"screenshot": "image/jpeg", "thumbnail": "image/webp", "webcam": "image/jpeg"}  # what the agent makes
OFF = Refusal("Direct uploads are off on this server: send the screenshot inside the slot's multipart.", "direct_off")
NO_SESSION = Refusal("This device has no such session. Clock in from chat or with `tally-agent start`.", "not_found")


def enabled(blobs: Any) -> bool:
    """Only stores that can presign (S3-compatible ones) take direct uploads."""
    return callable(getattr(blobs, "presign_put", None))


def targets(ctx: Context, member_id: int, body: UploadRequest, *, now: datetime) -> UploadTargets | Refusal:
    """Where to PUT each image of one slot, valid for EXPIRES; or why not."""
    if not enabled(ctx.blobs):
        return OFF
    shape = _check_shape(body)
    if shape:
        return shape
    found = _contract_taking_screenshots(ctx, member_id, body)
    if isinstance(found, Refusal):
        return found
    contract_id, recorded = found
    declared = dict(zip(body.parts, zip(body.sizes, body.sha256s)))
    shot_key = screenshot_key(contract_id, body.slot_start, declared["screenshot"][1], "jpg")
    keys = {"screenshot": shot_key, "thumbnail": thumbnail_key(shot_key)}
    if "webcam" in declared:  # kept only if the webcam rule allows it once the slot arrives
        keys["webcam"] = frame_key(contract_id, body.slot_start, declared["webcam"][1], "jpg")
    return UploadTargets(targets=[_target(ctx, part, keys[part], *declared[part], recorded) for part in body.parts],
                         expires_at=now + EXPIRES)


def _check_shape(body: UploadRequest) -> Refusal | None:
    if not len(body.parts) == len(body.sizes) == len(body.sha256s) or len(set(body.parts)) != len(body.parts):
        return Refusal("Give one size and one sha256 per part, each part once, e.g. "
                       '{"parts": ["screenshot", "thumbnail"], "sizes": [81234, 6120], "sha256s": ["…", "…"]}.')
    if "screenshot" not in body.parts:
        return Refusal("A direct upload carries the slot's screenshot (and optionally its thumbnail).")
    if any(not 0 < size <= MAX_OBJECT_BYTES for size in body.sizes):
        return Refusal(f"Each image is 1 byte to {MAX_OBJECT_BYTES // 1024 // 1024} MB.", "too_large")
    return None


def _contract_taking_screenshots(ctx: Context, member_id: int, body: UploadRequest) -> tuple[int, bool] | Refusal:
    """The session's contract, and whether a slot is already recorded at that start."""
    with ctx.unit() as db:
        found = db.get(WorkSession, body.session_id)
        contract = db.get(Contract, found.contract_id) if found else None
        recorded = contract is not None and repo.slot_at(db, contract_id=contract.id, start=body.slot_start) is not None
    if contract is None or contract.freelancer_id != member_id:
        return NO_SESSION
    if contract.screenshots == Screenshots.OFF:
        return Refusal("This contract takes no screenshots.")
    return contract.id, recorded


def _target(ctx: Context, part: str, key: str, size: int, sha256: str, recorded: bool) -> UploadTarget:
    if recorded:  # a recorded slot's images never change: no agent may overwrite what the client saw
        return UploadTarget(part=part, key=key, url=None, headers={})
    url, headers = ctx.blobs.presign_put(key, size, _b64(sha256), TYPES[part], int(EXPIRES.total_seconds()))
    return UploadTarget(part=part, key=key, url=url, headers=headers)


def _b64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def stored_image(blobs: Any, report: SlotReport) -> Image | Refusal | None:
    """The screenshot a slot names in `objects`, once every named object is in the store with the
    size and checksum the slot declares; None when the slot names none. Runs before the slot's
    group transaction: the HEADs hold no database lock."""
    if not report.objects:
        return None
    shot = report.objects.get("screenshot")
    refusal = _check_named(blobs, report, shot)
    if refusal:
        return refusal
    return Image(b"", TYPES["screenshot"], shot.width, shot.height, shot.sha256, stored_key=shot.key, stored_size=shot.size)


def stored_webcam(report: SlotReport) -> Image | None:
    """The camera frame a slot names in `objects` (checked with the screenshot by stored_image)."""
    frame = (report.objects or {}).get("webcam")
    if frame is None or frame.width is None or frame.height is None:
        return None
    return Image(b"", TYPES["webcam"], frame.width, frame.height, frame.sha256, stored_key=frame.key, stored_size=frame.size)


def _check_named(blobs: Any, report: SlotReport, shot: StoredObject | None) -> Refusal | None:
    if not enabled(blobs):
        return OFF
    frame = report.objects.get("webcam")
    if shot is None or shot.width is None or shot.height is None or (frame and (frame.width is None or frame.height is None)):
        return Refusal("objects names the slot's screenshot, with its width and height (and optionally its thumbnail "
                       "and webcam frame, with its width and height).")
    thumb = report.objects.get("thumbnail")
    if thumb is not None and thumb.key != thumbnail_key(shot.key):
        return Refusal("That stored object is not this slot's: ask /uploads for the slot's keys.", "object_mismatch")
    for part, named in report.objects.items():
        refusal = _check_object(blobs, part, named)
        if refusal:
            return refusal
    return None


def _check_object(blobs: Any, part: str, named: StoredObject) -> Refusal | None:
    try:
        found = blobs.stat(named.key)
    except ValueError:  # a key that would leave the store's prefix
        return Refusal("That stored object is not this slot's: ask /uploads for the slot's keys.", "object_mismatch")
    if found is None:
        return Refusal(f"The {part} is not in the bucket: put it there first (or send it in the multipart).", "object_missing")
    if found != (named.size, _b64(named.sha256)):
        return Refusal(f"The {part} in the bucket is not the one this slot declares (size or SHA-256 differ).", "object_mismatch")
    return None
