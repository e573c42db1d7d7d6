"""Recording a slot the agent reports: every check of DESIGN §1/§4, idempotent per start."""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.services.context import Context
from bot.services.images import Image
from bot.services.ledger import slot_counted
from diary.activity import active_minutes
from diary.protocol import SlotAccepted, SlotReport
from diary.refusal import Refusal
from diary.slots import is_aligned, slot_end
from diary.terms import Screenshots
from diary.weeks import describe_instant, week_of
from storage import repo
from storage.tables import Contract, Device, Screenshot, Slot, WorkSession

SKEW = timedelta(minutes=2)
NO_SESSION = Refusal("This device has no such session. Clock in from chat or with `tally-agent start`.", "not_found")


def record_slot(ctx: Context, device: Device, report: SlotReport, image: Image | None, *, now: datetime):
    """SlotAccepted (new or a repeat of the same slot) or a Refusal; never a lost slot."""
    try:
        return _record(ctx, device, report, image, now)
    except IntegrityError:
        # Two uploads of one slot raced: the loser now finds the winner's row.
        return _record(ctx, device, report, image, now)


def _record(ctx: Context, device: Device, report: SlotReport, image: Image | None, now: datetime):
    with ctx.unit() as s:
        session = s.get(WorkSession, report.session_id)
        contract = s.get(Contract, session.contract_id) if session else None
        if contract is None or contract.freelancer_id != device.member_id:
            return NO_SESSION
        fingerprint = _fingerprint(report, image)
        existing = repo.slot_at(s, contract_id=contract.id, start=report.slot_start)
        if existing is not None:
            return _repeat(existing, fingerprint, session, contract, ctx.slot_seconds)
        refusal = check_report(report, image, session, contract, ctx.slot_seconds, now)
        if refusal:
            return refusal
        slot = _store(s, ctx, device, contract, session, report, image, fingerprint, now)
        return SlotAccepted(id=slot.id, slot_start=slot.start, counted_minutes=slot_counted(slot, session, contract, ctx.slot_seconds))


def _fingerprint(report: SlotReport, image: Image | None) -> str:
    body = report.model_dump_json(exclude={"agent_version"}) + (image.sha256 if image else "")
    return hashlib.sha256(body.encode()).hexdigest()


def _repeat(existing: Slot, fingerprint: str, session: WorkSession, contract: Contract, slot_seconds: int):
    if existing.meta_hash != fingerprint:
        return Refusal(f"A different slot was already recorded for {existing.start:%Y-%m-%d %H:%M:%S} UTC.", "conflict")
    counted = 0 if existing.deleted_at else slot_counted(existing, session, contract, slot_seconds)
    return SlotAccepted(id=existing.id, slot_start=existing.start, counted_minutes=counted, duplicate=True)


def check_report(report: SlotReport, image: Image | None, session: WorkSession, contract: Contract, slot_seconds: int, now: datetime) -> Refusal | None:
    start, end = report.slot_start, slot_end(report.slot_start, slot_seconds)
    session_end = session.ended_at or now
    checks = (
        (not is_aligned(start, slot_seconds), f"slot_start must be a multiple of {slot_seconds} s since the epoch."),
        (start > now + SKEW, "That slot is in the future; check the computer's clock."),
        (end <= session.started_at - SKEW or start >= session_end + SKEW, "That slot lies outside its session."),
        (contract.screenshots == Screenshots.OFF and (image is not None or report.screenshot_at is not None), "This contract takes no screenshots."),
        (image is not None and report.screenshot_at is None, "A screenshot needs its screenshot_at instant."),
        (report.screenshot_at is not None and not start <= report.screenshot_at < end, "screenshot_at must lie inside the slot."),
    )
    for failed, message in checks:
        if failed:
            return Refusal(message)
    return _check_deadline(start, contract, now)


def _check_deadline(start: datetime, contract: Contract, now: datetime) -> Refusal | None:
    deadline = week_of(start, contract.tz).edit_deadline
    if now >= deadline:
        return Refusal(f"Too late: that week closed for changes on {describe_instant(deadline, contract.tz)}.", "too_late")
    return None


def _store(s: Session, ctx: Context, device: Device, contract: Contract, session: WorkSession,
           report: SlotReport, image: Image | None, fingerprint: str, now: datetime) -> Slot:
    slot = Slot(
        contract_id=contract.id, session_id=session.id, start=report.slot_start,
        minutes=[None if m is None else [m.keys, m.mouse] for m in report.minutes],
        active_minutes=active_minutes(report.minutes), screenshot_at=report.screenshot_at,
        memo=(report.memo if report.memo is not None else session.memo)[:500],
        window_app=report.window.app if report.window else None,
        window_title=report.window.title if report.window else None,
        device_id=device.id, agent_version=report.agent_version, meta_hash=fingerprint, received_at=now,
    )
    s.add(slot)
    s.flush()
    if image is not None:
        _store_image(s, ctx, contract, slot, image, now)
    session.last_report_at = now
    return slot


def _store_image(s: Session, ctx: Context, contract: Contract, slot: Slot, image: Image, now: datetime) -> None:
    key = f"{contract.id}/{slot.start:%Y/%m/%d/%H%M%S}-{image.sha256[:16]}.{image.extension}"
    ctx.blobs.put(key, image.data, image.content_type)  # the file exists before the row commits
    s.add(Screenshot(slot_id=slot.id, blob_key=key, sha256=image.sha256, content_type=image.content_type,
                     width=image.width, height=image.height, size=len(image.data),
                     blurred=contract.screenshots == Screenshots.BLUR, created_at=now))
