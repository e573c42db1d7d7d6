"""Recording the slots agents report: every check of the agent API and the rules
(docs/rules.md#screenshots, docs/rules.md#late-slots), idempotent per start.

Uploads arrive concurrently, and the API hands them over in groups (`record_uploads`). A group is
checked and written in ONE transaction: one token lookup, one session lookup, one lookup of the
slots already there, the screenshot files written, two multi-row inserts, one update and one
commit. A transaction per upload cost several times the HTTP work of the upload itself; shared
by a group, it costs a fraction of it. The rules are the same for a group of one.
"""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.services import devices, late, sessions
from bot.services.context import Context
from bot.services.images import THUMB_TYPE, Image, screenshot_key, thumbnail_key
from bot.services.ledger import counted_now, slot_counted
from diary.acceptance import check_report
from diary.activity import active_minutes, tracked_minutes
from diary.late import is_late
from diary.protocol import SlotAccepted, SlotReport
from diary.refusal import Refusal
from diary.terms import Screenshots
from diary.text import MAX_MEMO, fit
from storage import slot_ingest as stored
from storage.engine import Connection
from storage.outage import DatabaseUnavailable
from storage.races import KeyTaken
from storage.slot_ingest import RecordedSlot, SessionRow

log = logging.getLogger(__name__)

NO_SESSION = Refusal("This device has no such session. Clock in from chat or with `tally-agent start`.", "not_found")


@dataclass(frozen=True)
class Upload:
    """One slot as it arrived. `now` is its arrival: the rules judge it at that instant."""

    report: SlotReport
    image: Image | None
    now: datetime
    token: str | None = None  # the bearer token, checked in the group's own transaction...
    device: Any = None  # ...or a device (id, member_id) the caller has already authenticated


Outcome = SlotAccepted | Refusal | Exception


def record_slot(ctx: Context, device: Any, report: SlotReport, image: Image | None, *, now: datetime):
    """SlotAccepted (new or a repeat of the same slot) or a Refusal; never a lost slot."""
    return _record_one(ctx, Upload(report, image, now, device=device))


def record_uploads(ctx: Context, uploads: Sequence[Upload]) -> list[Outcome]:
    """An outcome per upload, in order. If the group fails as a whole (say, it raced another process
    for the same slot, or the screenshot store failed), each upload is tried on its own, so a bad
    upload costs only its own answer; an error is returned in its place, not raised."""
    try:
        return _record_group(ctx, uploads)
    except DatabaseUnavailable as error:  # logged once for the whole outage; every agent retries
        return [error] * len(uploads)
    except Exception:
        log.warning("a group of %d uploads failed together; recording each alone", len(uploads), exc_info=True)
        return [_alone(ctx, upload) for upload in uploads]


def _alone(ctx: Context, upload: Upload) -> Outcome:
    try:
        return _record_one(ctx, upload)
    except Exception as error:  # noqa: BLE001 - answered as a 500 to this upload's sender, and logged there
        return error


def _record_one(ctx: Context, upload: Upload) -> SlotAccepted | Refusal:
    try:
        return _record_group(ctx, [upload])[0]
    except KeyTaken:
        # Two uploads of one slot raced: the loser now finds the winner's row.
        return _record_group(ctx, [upload])[0]


# ---------------------------------------------------------------- one group, one transaction

@dataclass
class _New:
    """A slot this group inserts; `id` is known once the insert has run."""

    upload: Upload
    session: SessionRow  # the session with its contract's columns
    device_id: int
    fingerprint: str
    active_minutes: int
    late: bool  # arrived after its week's edit deadline: kept, billed once the client approves
    id: int | None = None
    late_request_id: int | None = None

    @property
    def blob_key(self) -> str:
        image = self.upload.image
        return screenshot_key(self.session.contract_id, self.upload.report.slot_start, image.sha256, image.extension)


@dataclass(frozen=True)
class _Pending:
    """The answer to an upload whose slot this group inserts: known after the insert."""

    new: _New
    duplicate: bool = False


@dataclass
class _Group:
    """What the group's reads found, and the slots it decided to insert, by (contract, start)."""

    devices: dict[str, Any]  # token -> its live device (id, last_seen_at)
    sessions: dict[int, SessionRow]
    existing: dict[tuple[int, datetime], RecordedSlot]
    slot_seconds: int
    new: dict[tuple[int, datetime], _New] = field(default_factory=dict)

    def device_of(self, upload: Upload) -> Any:
        return upload.device if upload.device is not None else self.devices.get(upload.token)


def _record_group(ctx: Context, uploads: Sequence[Upload]) -> list[SlotAccepted | Refusal]:
    with ctx.transaction() as conn:  # Core statements on a bare connection: no ORM objects to build
        group = _read(conn, uploads, ctx.slot_seconds)
        decided = [_decide(group, upload) for upload in uploads]
        # Every write comes after the screenshots are stored: no lock is held while the files are written.
        _write(conn, ctx, list(group.new.values()))
        seen = {device.id: device.last_seen_at for device in group.devices.values()}
        devices.mark_seen(conn, seen, now=max(u.now for u in uploads))
    for n in group.new.values():  # rare: a slot still on its way when its session ended
        if n.session.ended_at is not None:
            sessions.tell_corrected_total(ctx, n.session.id, n.upload.report.slot_start, now=n.upload.now)
    return [_answer(d, ctx.slot_seconds) if isinstance(d, _Pending) else d for d in decided]


def _read(conn: Connection, uploads: Sequence[Upload], slot_seconds: int) -> _Group:
    if len(uploads) == 1 and uploads[0].device is None:
        return _read_one(conn, uploads[0], slot_seconds)
    tokens = {u.token for u in uploads if u.device is None}
    found = devices.authenticate_in(conn, tokens) if tokens else {}
    sessions = _sessions(conn, {u.report.session_id for u in uploads})
    starts = {_key(sessions[u.report.session_id].contract_id, u.report) for u in uploads if u.report.session_id in sessions}
    return _Group(found, sessions, _existing(conn, starts), slot_seconds)


def _read_one(conn: Connection, upload: Upload, slot_seconds: int) -> _Group:
    """What _read finds, for a single upload, in one statement."""
    start = upload.report.slot_start.astimezone(UTC)
    found = stored.read_one(conn, token_hash=devices.digest(upload.token), session_id=upload.report.session_id, start=start)
    if found is None:
        return _Group({}, {}, {}, slot_seconds)
    sessions = {found.session.id: found.session} if found.session is not None else {}
    existing = {(found.slot.contract_id, found.slot.start): found.slot} if found.slot is not None else {}
    return _Group({upload.token: found.device}, sessions, existing, slot_seconds)


def _sessions(conn: Connection, ids: set[int]) -> dict[int, SessionRow]:
    return stored.sessions_by_id(conn, ids=list(ids))


def _key(contract_id: int, report: SlotReport) -> tuple[int, datetime]:
    return contract_id, report.slot_start.astimezone(UTC)


def _existing(conn: Connection, keys: set[tuple[int, datetime]]) -> dict[tuple[int, datetime], RecordedSlot]:
    """The slots already recorded at these (contract, start) pairs."""
    return stored.slots_at(conn, keys=keys)


def _decide(group: _Group, upload: Upload) -> SlotAccepted | Refusal | _Pending:
    device = group.device_of(upload)
    if device is None:
        return devices.UNKNOWN_TOKEN
    if devices.revoked_for(device, upload.report.slot_start):
        return devices.REVOKED
    report, session = upload.report, group.sessions.get(upload.report.session_id)
    if session is None or session.freelancer_id != device.member_id:
        return NO_SESSION
    key, fingerprint = _key(session.contract_id, report), _fingerprint(report, upload.image)
    if key in group.new:
        return _repeat_of_new(group.new[key], fingerprint)
    if key in group.existing:
        return _repeat(group.existing[key], fingerprint, session, group.slot_seconds)
    refusal = check_report(report, has_image=upload.image is not None, session_start=session.started_at,
                           session_end=session.ended_at, screenshots=Screenshots(session.screenshots),
                           screenshots_from=session.screenshots_from, slot_seconds=group.slot_seconds,
                           now=upload.now) or _check_stored(upload, session)
    if refusal:
        return refusal
    arrived_late = is_late(start=report.slot_start, tz=session.tz, now=upload.now)
    group.new[key] = _New(upload, session, device.id, fingerprint, active_minutes(report.minutes), arrived_late)
    return _Pending(group.new[key])


def _check_stored(upload: Upload, session: Any) -> Refusal | None:
    """An image already in the bucket must be the one this slot's key names: no agent can claim
    another contract's object (its size and checksum were checked before the group, see direct)."""
    image = upload.image
    if image is None or image.stored_key is None:
        return None
    if image.stored_key != screenshot_key(session.contract_id, upload.report.slot_start, image.sha256, image.extension):
        return Refusal("That stored object is not this slot's: ask /uploads for the slot's keys.", "object_mismatch")
    return None


def _fingerprint(report: SlotReport, image: Image | None) -> str:
    # `objects` joins the fingerprint only when present: slots recorded before it existed keep theirs.
    # So do `windows`: a slot re-sent by an older agent after the upgrade stays the same slot.
    unset = {name for name in ("objects", "windows") if getattr(report, name) is None}
    body = report.model_dump_json(exclude={"agent_version"} | unset)
    body += image.sha256 if image else ""
    return hashlib.sha256(body.encode()).hexdigest()


def _conflict(start: datetime) -> Refusal:
    return Refusal(f"A different slot was already recorded for {start.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC.", "conflict")


def _repeat_of_new(new: _New, fingerprint: str) -> _Pending | Refusal:
    """The same slot twice in one group: the second is a repeat of the first, as if it came later."""
    return _Pending(new, duplicate=True) if new.fingerprint == fingerprint else _conflict(new.upload.report.slot_start)


def _repeat(existing: Any, fingerprint: str, session: Any, slot_seconds: int) -> SlotAccepted | Refusal:
    if existing.meta_hash != fingerprint:
        return _conflict(existing.start)
    counted = 0 if existing.deleted_at else slot_counted(existing, session, session, slot_seconds)
    return SlotAccepted(id=existing.id, slot_start=existing.start, counted_minutes=counted, duplicate=True,
                        late=existing.late_request_id is not None)


def _answer(pending: _Pending, slot_seconds: int) -> SlotAccepted:
    new, report = pending.new, pending.new.upload.report
    counted = counted_now(new.session, slot_seconds, start=report.slot_start, session_start=new.session.started_at,
                          session_end=new.session.ended_at, screenshot_at=report.screenshot_at, active_minutes=new.active_minutes)
    return SlotAccepted(id=new.id, slot_start=report.slot_start, counted_minutes=counted, duplicate=pending.duplicate,
                        late=new.late)


# ---------------------------------------------------------------- the group's writes

def _write(conn: Connection, ctx: Context, new: list[_New]) -> None:
    if not new:
        return
    for n in new:  # the files are stored before the rows that name them can commit
        if n.upload.image is not None and n.upload.image.stored_key is None:  # direct uploads are there already
            ctx.blobs.put(n.blob_key, n.upload.image.data, n.upload.image.content_type)
            if n.upload.image.thumbnail is not None:
                ctx.blobs.put(thumbnail_key(n.blob_key), n.upload.image.thumbnail, THUMB_TYPE)
    requests: dict = {}
    for n in new:
        if n.late:
            n.late_request_id = late.request_for(conn, n.session.contract_id, n.session.tz, n.upload.report.slot_start, n.upload.now, requests)
    if len(new) == 1 and stored.on_postgres(conn):
        return _write_one_on_postgres(conn, new[0])
    ids = stored.insert_slots(conn, [_slot_row(n) for n in new])
    for n in new:
        n.id = ids[_key(n.session.contract_id, n.upload.report)]
    shots = [_shot_row(n) for n in new if n.upload.image]
    if shots:
        stored.insert_screenshots(conn, shots)
    _touch_sessions(conn, new)


def _write_one_on_postgres(conn: Connection, new: _New) -> None:
    """A group of one on PostgreSQL: the slot, its screenshot and the session's last report in one
    statement (one round trip to the server instead of three). SQLite, in the process, gains nothing."""
    slot = _slot_row(new)
    shot = {key: value for key, value in _shot_row(new).items() if key != "slot_id"} if new.upload.image else {}
    new.id = stored.write_one_on_postgres(conn, slot=slot, shot=shot, session_id=new.session.id, at=new.upload.now)


def _slot_row(new: _New) -> dict[str, Any]:
    report = new.upload.report
    # The active window is kept only where the contract opted in (window=on); an agent that sends
    # one anyway (an old one, or a hostile one) has it dropped here.
    keep = _windows_kept(new.session, report.slot_start)
    window = report.window if keep and not report.private_app else None
    return {
        "contract_id": new.session.contract_id, "session_id": new.session.id, "start": report.slot_start,
        "minutes": [None if m is None else [m.keys, m.mouse] for m in report.minutes],
        "active_minutes": new.active_minutes, "tracked_minutes": tracked_minutes(report.minutes), "screenshot_at": report.screenshot_at,
        "memo": fit(report.memo if report.memo is not None else new.session.memo, MAX_MEMO),
        "window_app": window.app if window else None, "window_title": window.title if window else None,
        "windows": _samples(report) if keep else None,
        "manual": False, "device_id": new.device_id, "agent_version": report.agent_version,
        "meta_hash": new.fingerprint, "received_at": new.upload.now, "late_request_id": new.late_request_id,
        "private_app": report.private_app,
    }


def _windows_kept(session: Any, start: datetime) -> bool:
    """window=on is in force for a slot begun at `start` (docs/rules.md#apps)."""
    return bool(session.window) and (session.window_from is None or start >= session.window_from)


def _samples(report: SlotReport) -> list | None:
    """The per-minute samples as stored: [app, title] or null; text already cleaned and cut by the protocol."""
    if report.windows is None:
        return None
    return [None if w is None else [w.app, w.title] for w in report.windows]


def _shot_row(new: _New) -> dict[str, Any]:
    image = new.upload.image
    return {"slot_id": new.id, "blob_key": new.blob_key, "sha256": image.sha256, "content_type": image.content_type,
            "width": image.width, "height": image.height, "size": image.size,
            "blurred": new.session.screenshots == Screenshots.BLUR or new.upload.report.private_app,
            "created_at": new.upload.now}


def _touch_sessions(conn: Connection, new: list[_New]) -> None:
    """The sessions' last report: the group's latest arrival, a few milliseconds from each one's own."""
    stored.touch_sessions(conn, ids={n.session.id for n in new}, at=max(n.upload.now for n in new))
