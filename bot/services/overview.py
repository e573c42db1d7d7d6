"""What a member's home screen shows: tracking or not, today's and this week's time, paired devices."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from bot.services import ledger, profile
from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import role
from bot.services.results import Profile
from bot.services.views import build_day
from diary.terms import ContractStatus, Role
from diary.weeks import local_day, week_of
from storage import repo
from storage.tables import Contract, Member


@dataclass(frozen=True)
class ContractToday:
    contract_id: int
    title: str
    role: str  # freelancer | client: the viewer's part in it
    counterpart: str
    active: bool  # not paused: the freelancer may clock in
    tracking: bool  # its freelancer is clocked in on it right now
    memo: str
    today_minutes: int
    today_activity: int | None  # percent
    week: str  # "2026-W47"
    week_minutes: int
    over_limit_minutes: int
    limit_hours: Decimal | None


@dataclass(frozen=True)
class DeviceLine:
    name: str
    os: str
    last_seen_at: datetime | None


@dataclass(frozen=True)
class Home:
    name: str
    tracking: str | None  # the title of the contract you are clocked in on
    memo: str
    since: datetime | None
    contracts: list[ContractToday]
    devices: list[DeviceLine]
    tz: str = "UTC"  # the tracked contract's timezone, for `since`
    profile: Profile | None = None  # the member's hours on the profile, as anyone in the workspace sees them


def home(ctx: Context, actor: Actor, *, now: datetime) -> Home:
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        running = repo.open_session(s, freelancer_id=me.id)
        tracked = s.get(Contract, running.contract_id) if running else None
        return Home(
            name=me.name, tracking=_title(tracked) if tracked else None, memo=running.memo if running else "",
            since=running.started_at if running else None,
            contracts=[_today(s, ctx, c, me, now) for c in repo.live_contracts_of(s, member_id=me.id)],
            devices=[DeviceLine(d.name, d.os, d.last_seen_at) for d in repo.unrevoked_devices_of(s, member_id=me.id)],
            tz=tracked.tz if tracked else "UTC", profile=profile.profile_of(s, ctx, ws, me, now),
        )


def _title(contract: Contract) -> str:
    return contract.title or f"contract #{contract.id}"


def _today(s: Session, ctx: Context, contract: Contract, me: Member, now: datetime) -> ContractToday:
    part = role(contract, me)
    other = s.get(Member, contract.client_id if part is Role.FREELANCER else contract.freelancer_id)
    day = build_day(s, ctx, contract, local_day(now, contract.tz), viewer_id=me.id)
    week = week_of(now, contract.tz)
    rec = ledger.records(s, contract, week, ctx.slot_seconds)
    _, statement = ledger.week_days(contract, week, rec, ctx.slot_seconds)
    limit = ledger.limit_minutes(contract, rec, week)  # this week's: a lowered limit waits for next week
    return ContractToday(
        contract_id=contract.id, title=_title(contract), role=part.value, counterpart=other.name,
        active=contract.status == ContractStatus.ACTIVE, tracking=day.tracking, memo=day.memo,
        today_minutes=day.counted_minutes, today_activity=day.activity, week=week.label,
        week_minutes=statement.counted_minutes, over_limit_minutes=statement.over_limit_minutes,
        limit_hours=None if limit is None else Decimal(limit) / 60,
    )
