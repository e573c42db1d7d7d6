"""The work-diary pages: what a signed diary link lets its holder see and do, as that member."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.services import apps, edits, images, links, webcam
from bot.services.actors import Actor
from bot.services.context import Context
from bot.services.picking import role
from bot.services.results import AppsReport, DayDiary, Done, Timesheet
from bot.services.views import build_day, build_timesheet
from diary.refusal import Refusal
from diary.terms import Role
from diary.weeks import BillingWeek, day_bounds, edits_open, week_of
from storage import repo
from storage.tables import Contract, Member, Slot, Workspace

BAD_LINK = Refusal("This diary link is not valid: it has expired or was changed. Ask for a new one with /diary in chat.",
                   "forbidden")
NO_SLOT = Refusal("There is no such slot in this diary.", "not_found")


@dataclass(frozen=True)
class Viewer:
    """The holder of a genuine link: one member, looking at one contract they are a party to."""

    member_id: int
    contract_id: int
    role: Role
    day: date  # the day the link opens on
    tz: str  # the contract's billing timezone


@dataclass(frozen=True)
class SlotDetail:
    app: str
    title: str


@dataclass(frozen=True)
class DayPage:
    diary: DayDiary
    week: Timesheet
    details: dict[int, SlotDetail]  # by slot id
    can_delete: bool  # the freelancer, before the week's edit deadline
    edit_deadline: datetime
    webcams: frozenset[int] = frozenset()  # the slots with a webcam frame, shown beside the screenshot


@dataclass(frozen=True)
class Shot:
    data: bytes
    content_type: str
    sha256: str


def open_link(ctx: Context, token: str, *, now: datetime) -> Viewer | Refusal:
    """The viewer of a genuine, unexpired link whose member is still a party to the contract."""
    grant = links.verify(ctx.secret_key, token, now=now)
    if grant is None:
        return BAD_LINK
    with ctx.unit() as s:
        contract, member = s.get(Contract, grant.contract_id), s.get(Member, grant.member_id)
        if contract is None or member is None or role(contract, member) is Role.NONE:
            return BAD_LINK
        return Viewer(member.id, contract.id, role(contract, member), _day(grant.day, contract.tz, now), contract.tz)


def _day(text: str, tz: str, now: datetime) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return week_of(now, tz).monday


def day_page(ctx: Context, viewer: Viewer, day: date, *, now: datetime) -> DayPage:
    with ctx.unit() as s:
        contract = s.get(Contract, viewer.contract_id)
        week = week_of(day_bounds(day, contract.tz)[0], contract.tz)
        diary = build_day(s, ctx, contract, day, viewer_id=viewer.member_id)
        details = _details(s, contract, diary)
        return DayPage(
            diary=diary, week=build_timesheet(s, ctx, contract, week, now), details=details,
            can_delete=viewer.role is Role.FREELANCER and edits_open(week, now), edit_deadline=week.edit_deadline,
            webcams=frozenset(webcam.with_frames(s, list(details))),
        )


def _details(s: Session, contract: Contract, diary: DayDiary) -> dict[int, SlotDetail]:
    # build_day loaded these slots into this session, so s.get finds them without a query.
    ids = [cell.slot_id for row in diary.rows for cell in row.cells if cell.slot_id is not None]
    slots = [s.get(Slot, slot_id) for slot_id in ids]
    history = apps.window_history(s, contract)
    # A window kept under window=off (by a server before that was refused) is never shown.
    return {x.id: SlotDetail(x.window_app or "", x.window_title or "") if apps.window_shown(x, history) else SlotDetail("", "")
            for x in slots}


@dataclass(frozen=True)
class WeekPage:
    sheet: Timesheet
    apps: AppsReport | None  # None where window tracking was off all week


def week_page(ctx: Context, viewer: Viewer, week: BillingWeek, *, now: datetime) -> WeekPage:
    with ctx.unit() as s:
        contract = s.get(Contract, viewer.contract_id)
        report = apps.build_apps(s, ctx, contract, week)
        return WeekPage(build_timesheet(s, ctx, contract, week, now), report if isinstance(report, AppsReport) else None)


NO_SHOT = Refusal("This slot has no screenshot.", "not_found")


def screenshot(ctx: Context, viewer: Viewer, slot_id: int, *, thumb: bool = False) -> Shot | Refusal:
    """A slot's screenshot (or its thumbnail), only of the link's contract and only while the slot
    is not deleted."""
    with ctx.unit() as s:
        slot = repo.by_id(s, Slot, slot_id)
        if slot is None or slot.contract_id != viewer.contract_id or slot.deleted_at is not None:
            return NO_SLOT
        shot = repo.screenshot_of(s, slot_id=slot.id)
    if shot is None:
        return NO_SHOT
    if thumb:
        return _thumbnail(ctx, shot)
    data = ctx.blobs.get(shot.blob_key)
    return NO_SHOT if data is None else Shot(data, shot.content_type, shot.sha256)


def _thumbnail(ctx: Context, shot) -> Shot | Refusal:
    """The stored thumbnail; one uploaded before thumbnails were made at ingest gets it made once, here."""
    key = images.thumbnail_key(shot.blob_key)
    data = ctx.blobs.get(key)
    if data is None:
        full = ctx.blobs.get(shot.blob_key)
        data = images.thumbnail(full) if full is not None else None
        if data is None:
            return NO_SHOT
        ctx.blobs.put(key, data, images.THUMB_TYPE)
    return Shot(data, images.THUMB_TYPE, shot.sha256)


def webcam_frame(ctx: Context, viewer: Viewer, slot_id: int) -> Shot | Refusal:
    """A slot's webcam frame: to the contract's two parties, through their link, like its screenshot."""
    found = webcam.frame(ctx, viewer.contract_id, slot_id)
    return found if isinstance(found, Refusal) else Shot(*found)


def delete_slot(ctx: Context, viewer: Viewer, slot_id: int, *, now: datetime) -> Done | Refusal:
    """Deletes a slot of the link's contract as the link's member: the edit rules decide."""
    with ctx.unit() as s:
        slot = repo.by_id(s, Slot, slot_id)
        if slot is None or slot.contract_id != viewer.contract_id:
            return NO_SLOT
        actor = actor_of(s, viewer.member_id)
    return edits.delete_slot(ctx, actor, slot_id, now=now)


def actor_of(s: Session, member_id: int) -> Actor:
    """The chat identity of a member, for use cases that take an actor."""
    member = s.get(Member, member_id)
    ws = s.get(Workspace, member.workspace_id)
    return Actor(ws.platform, ws.external_id, member.external_id, member.name)
