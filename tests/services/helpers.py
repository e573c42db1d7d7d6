"""Small builders for service tests: people in one workspace, and slots as an agent reports them."""

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from bot.services import contracts, devices, ingest, sessions
from bot.services.actors import Actor, UserRef
from diary.contract_terms import Terms
from diary.protocol import MinuteCounts, PairRequest, SlotReport
from storage.tables import Outbox, Slot, WorkSession


def person(name: str, channel: str = "C1") -> Actor:
    return Actor("slack", "T1", f"U-{name}", name, channel)


ALICE, BOB, CAROL = person("alice"), person("bob"), person("carol")


def ref(actor: Actor) -> UserRef:
    return UserRef(actor.user, actor.name)


def hire(ctx, now: datetime, client: Actor = ALICE, freelancer: Actor = BOB, **terms) -> int:
    card = contracts.create(ctx, client, ref(freelancer), Terms(**{"rate": Decimal("40"), **terms}), now=now)
    return card.id


def pair_device(ctx, freelancer: Actor, now: datetime):
    code = devices.issue_code(ctx, freelancer, now=now).code
    response = devices.pair(ctx, PairRequest(code=code, device_name="laptop", os="linux", agent_version="1"), now=now)
    return devices.authenticate(ctx, response.token, now=now)


def report(session_id: int, start: datetime, *, shot_after: int | None = 300, active: int = 10, memo: str | None = None) -> SlotReport:
    minutes = [MinuteCounts(keys=3, mouse=5) if i < active else MinuteCounts() for i in range(10)]
    shot = None if shot_after is None else start + timedelta(seconds=shot_after)
    return SlotReport(session_id=session_id, slot_start=start, minutes=minutes, screenshot_at=shot, memo=memo)


def running_session_id(ctx) -> int:
    with ctx.unit() as s:
        return s.exec(select(WorkSession).where(WorkSession.ended_at.is_(None))).one().id


def work(ctx, device, freelancer: Actor, start: datetime, slots: int, *, memo: str = "work") -> int:
    """Clock in at `start`, report `slots` full slots with screenshots, clock out after the last."""
    sessions.clock_in(ctx, freelancer, memo=memo, now=start)
    session_id = running_session_id(ctx)
    for i in range(slots):
        t = start + timedelta(minutes=10 * i)
        ingest.record_slot(ctx, device, report(session_id, t), None, now=t + timedelta(minutes=10))
    sessions.clock_out(ctx, freelancer, now=start + timedelta(minutes=10 * slots))
    return session_id


def outbox(ctx, kind: str | None = None) -> list[Outbox]:
    with ctx.unit() as s:
        rows = s.exec(select(Outbox).order_by(Outbox.id)).all()
    return [r for r in rows if kind is None or r.kind == kind]


def slots(ctx) -> list[Slot]:
    with ctx.unit() as s:
        return list(s.exec(select(Slot).order_by(Slot.start)))


def as_admin(actor: Actor) -> Actor:
    """The same person, as a workspace admin (who alone may choose the summary channel)."""
    return replace(actor, admin=True)
