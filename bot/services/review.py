"""Closing a week into a statement; approval, disputes and bonuses (docs/rules.md#approval,
docs/rules.md#disputes, docs/rules.md#bonuses)."""

from datetime import datetime, time
from decimal import Decimal

from sqlmodel import Session

from bot.services import announce, weekly
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.context import Context
from bot.services.picking import pick, role
from bot.services.results import Button, Choice, Done
from bot.services.views import pick_week
from diary.closing import weeks_due
from diary.dates import resolve_day
from diary.money import format_money
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.review import DisputeStatus, WeekStatus, approve, auto_approve, dispute_step, open_dispute
from diary.terms import Role
from diary.text import ANSWER, NOTE, REASON, checked
from diary.weeks import BillingWeek, describe_span, local_instant, week_of
from storage import repo
from storage.tables import Bonus, Contract, Dispute, Member, WeekReview


def close_week(ctx: Context, contract_id: int, week: BillingWeek, *, now: datetime) -> WeekReview | Refusal:
    """The statement of a week whose edits have closed, and its review message; once only."""
    with ctx.unit() as s:
        contract = s.get(Contract, contract_id)
        return ensure_closed(s, ctx, contract, week, now)


def ensure_closed(s: Session, ctx: Context, contract: Contract, week: BillingWeek, now: datetime, *,
                  request_review: bool = True) -> WeekReview | Refusal:
    """The week's review, closing it now if the week-close job has not yet: weeks before it that
    the job missed too are closed first, each with its review request, so weeks close in order.
    An approval closes its own week without asking for a review it has just given."""
    review = repo.week_review(s, contract_id=contract.id, week_start=week.monday)
    if review is not None:
        return review
    if now < week.edit_deadline:
        return Refusal(f"Week {week.label} is still open for the freelancer's edits.", "conflict")
    last = repo.last_closed_week(s, contract_id=contract.id)
    due = weeks_due(tz=contract.tz, start_day=contract.start_day, end_day=contract.end_day, last_closed=last, now=now)
    for earlier in due:
        if earlier.monday < week.monday:
            weekly.close_one(s, ctx, contract, earlier, now)
    return weekly.close_one(s, ctx, contract, week, now, request_review=request_review)


def _client_pick(s: Session, actor: Actor, action: Action, command: str, contract_id, other: UserRef | None):
    ws, me = resolve(s, actor)
    who = resolve_ref(s, ws, other) if other else None
    return me, pick(s, me, channel=actor.channel, action=action, command=command, contract_id=contract_id, other=who)


def approve_week(ctx: Context, actor: Actor, *, now: datetime, week: str | None = None,
                 other: UserRef | None = None, contract_id: int | None = None) -> Done | Choice | Refusal:
    with ctx.unit() as s:
        me, contract = _client_pick(s, actor, Action.APPROVE, "/approve", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        billing_week = _week(week or "last", contract.tz, now)
        if isinstance(billing_week, Refusal):
            return billing_week
        return _decide(s, ctx, contract, billing_week, me, now)


def _week(text: str, tz: str, now: datetime) -> BillingWeek | Refusal:
    try:
        return pick_week(text, tz, now)
    except ValueError as error:
        return Refusal(str(error))


def _decide(s: Session, ctx: Context, contract: Contract, week: BillingWeek, me: Member, now: datetime) -> Done | Refusal:
    review = ensure_closed(s, ctx, contract, week, now, request_review=False)
    if isinstance(review, Refusal):
        return approve(WeekStatus.PENDING, week=week, now=now)  # says when approving opens
    status = approve(WeekStatus(review.status), week=week, now=now)
    if isinstance(status, Refusal):
        return status
    review.status, review.decided_at, review.decided_by = str(status), now, me.id
    return Done(f"Week {week.label} approved by {me.name}.")


def auto_approve_due(ctx: Context, *, now: datetime) -> list[int]:
    """Pending weeks whose review window has closed become approved; returns their review ids."""
    done = []
    with ctx.unit() as s:
        for review in repo.reviews_with_status(s, statuses=(WeekStatus.PENDING,)):
            contract = s.get(Contract, review.contract_id)
            week = BillingWeek(review.week_start, contract.tz)
            if not isinstance(auto_approve(WeekStatus(review.status), week=week, now=now), Refusal):
                review.status, review.decided_at = str(WeekStatus.AUTO_APPROVED), now
                if weekly.has_work(review.statement or {}):  # an empty week had no review message either
                    announce.to_channel(s, contract, kind="auto_approved", key=f"auto:{review.id}", text=weekly.auto_approved_text(s, contract, week, review), now=now)
                done.append(review.id)
    return done


def dispute(ctx: Context, actor: Actor, *, start: time, end: time, day: str | None, reason: str, now: datetime,
            other: UserRef | None = None, contract_id: int | None = None) -> Done | Choice | Refusal:
    reason = checked(reason, REASON)
    if isinstance(reason, Refusal):
        return reason
    if not reason:
        return Refusal("Say why, e.g. /dispute 10:00-11:30 2026-11-20 no work visible in the screenshots.")
    with ctx.unit() as s:
        me, contract = _client_pick(s, actor, Action.DISPUTE, "/dispute", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        # Only last week can be under review, so weekday names mean its days.
        when = resolve_day(day, week_of(now, contract.tz).previous().days[-1])
        if isinstance(when, Refusal):
            return when
        begin, finish = local_instant(when, start, contract.tz), local_instant(when, end, contract.tz)
        week = week_of(begin, contract.tz)
        if finish <= begin or finish > week.end:
            return Refusal("Name a time range of one day, e.g. /dispute 10:00-11:30 2026-11-20 REASON.")
        return _open(s, ctx, contract, week, me, begin, finish, reason.strip(), now)


def _open(s: Session, ctx: Context, contract: Contract, week: BillingWeek, me: Member, begin, finish, reason: str, now: datetime):
    review = ensure_closed(s, ctx, contract, week, now)
    status = open_dispute(WeekStatus(review.status) if isinstance(review, WeekReview) else WeekStatus.PENDING, week=week, now=now)
    if isinstance(status, Refusal):
        return status
    review.status = str(status)
    item = Dispute(contract_id=contract.id, week_start=week.monday, range_start=begin, range_end=finish,
                   reason=reason, created_at=now, updated_at=now)
    s.add(item)
    s.flush()
    weekly.restate(s, contract, week, review, ctx.slot_seconds)
    buttons = (Button("Accept", ButtonRef(ButtonAction.ACCEPT_DISPUTE, item.id)),
               Button("Answer", ButtonRef(ButtonAction.ANSWER_DISPUTE, item.id)))
    text = f"{me.name} disputes {describe_span(begin, finish, contract.tz)} of week {week.label}: {item.reason}"
    announce.to_channel(s, contract, kind="dispute", key=f"dispute:{item.id}:open", text=text, now=now, buttons=buttons, extra={"dispute_id": item.id})
    return Done(f"Dispute #{item.id} opened by {me.name}; the freelancer can accept it or answer.")


STEP_ACTION = {"accept": Action.ANSWER_DISPUTE, "answer": Action.ANSWER_DISPUTE, "withdraw": Action.DISPUTE, "confirm": Action.DISPUTE}


def dispute_action(ctx: Context, actor: Actor, dispute_id: int, step: str, *, now: datetime, text: str = "") -> Done | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        item = repo.by_id(s, Dispute, dispute_id)
        contract = s.get(Contract, item.contract_id) if item else None
        if contract is None or role(contract, me) is Role.NONE:
            return Refusal(f"There is no dispute #{dispute_id} of yours.", "not_found")
        refusal = check(role(contract, me), STEP_ACTION.get(step, Action.DISPUTE))
        if refusal:
            return refusal
        text = checked(text, ANSWER)
        if isinstance(text, Refusal):
            return text
        if step == "answer" and not text:
            return Refusal("Write your answer, e.g. /answer 3 the screenshots show the staging server.")
        return _step(s, contract, item, me, step, text, now, ctx.slot_seconds)


def _step(s: Session, contract: Contract, item: Dispute, me: Member, step: str, text: str, now: datetime,
          slot_seconds: int) -> Done | Refusal:
    status = dispute_step(DisputeStatus(item.status), step)
    if isinstance(status, Refusal):
        return status
    item.status, item.updated_at = str(status), now
    if step == "answer":
        item.answer = text
        buttons = (Button("Withdraw", ButtonRef(ButtonAction.WITHDRAW_DISPUTE, item.id)),
                   Button("Confirm", ButtonRef(ButtonAction.CONFIRM_DISPUTE, item.id)))
        announce.to_channel(s, contract, kind="dispute", key=f"dispute:{item.id}:answer", text=f"{me.name} answers dispute #{item.id}: {item.answer}",
                            now=now, buttons=buttons, extra={"dispute_id": item.id})
    review = repo.week_review(s, contract_id=contract.id, week_start=item.week_start)
    weekly.restate(s, contract, BillingWeek(item.week_start, contract.tz), review, slot_seconds)
    _settle_week(s, contract, item, me, now)
    return Done(f"Dispute #{item.id} {status.value} by {me.name}.")


def _settle_week(s: Session, contract: Contract, item: Dispute, me: Member, now: datetime) -> None:
    """Once no dispute of the week is pending, the rest of the week stands approved."""
    pending = [d for d in repo.disputes(s, contract_id=contract.id, week_start=item.week_start)
               if d.status in (DisputeStatus.OPEN, DisputeStatus.ANSWERED)]
    review = repo.week_review(s, contract_id=contract.id, week_start=item.week_start)
    if not pending and review is not None and review.status == WeekStatus.DISPUTED:
        review.status, review.decided_at = str(WeekStatus.APPROVED), now


def bonus(ctx: Context, actor: Actor, other: UserRef, amount: Decimal, *, note: str = "", now: datetime,
          contract_id: int | None = None) -> Done | Choice | Refusal:
    if amount <= 0:
        return Refusal("A bonus is a positive amount, e.g. /bonus @bob 50 thanks for the weekend fix.")
    note = checked(note, NOTE)
    if isinstance(note, Refusal):
        return note
    with ctx.unit() as s:
        me, contract = _client_pick(s, actor, Action.BONUS, "/bonus", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        week = week_of(now, contract.tz)
        s.add(Bonus(contract_id=contract.id, week_start=week.monday, amount=amount, note=note, at=now, by_member_id=me.id))
        text = f"{me.name} paid {s.get(Member, contract.freelancer_id).name} a bonus of {format_money(amount, contract.currency)}" + (f": {note}" if note else ".")
        announce.to_channel(s, contract, kind="bonus", key=f"bonus:{contract.id}:{now.isoformat()}", text=text, now=now)
        return Done(f"Bonus of {format_money(amount, contract.currency)} recorded on week {week.label}.")
