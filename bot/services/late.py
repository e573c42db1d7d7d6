"""Late slots (docs/rules.md, late slots): recorded before their week's edit deadline, arrived after
it. Ingest keeps them under a late request; the client approves or declines them (Approve /
Decline, like manual time); undecided ones are approved with the review of the week they arrived
in, at its deadline. They are billed on that week's statement (ledger.late_line_of)."""

from datetime import datetime

from sqlmodel import Session

from bot.services import announce, weekly
from bot.services.actors import Actor, resolve
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.context import Context
from bot.services.picking import role
from bot.services.results import Button, Done
from diary.late import LateStatus, check_decision
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from diary.weeks import BillingWeek, describe_instant, week_of
from storage import late_requests, outbox, repo
from storage.engine import Connection
from storage.tables import Contract, LateRequest


def request_for(conn: Connection, contract_id: int, tz: str, start: datetime, now: datetime, cache: dict) -> int:
    """The id of the pending late request the slot at `start` joins (one per contract, own week and
    week of arrival), made on the spot with its message to the contract's channel when there is none."""
    own, arrival = week_of(start, tz), week_of(now, tz)
    key = (contract_id, own.monday, arrival.monday)
    if key not in cache:
        found = late_requests.pending_request_id(conn, contract_id=contract_id, week_start=own.monday,
                                                 billed_week_start=arrival.monday, status=LateStatus.PENDING)
        cache[key] = found if found is not None else _new_request(conn, contract_id, own, arrival, now)
    return cache[key]


def _new_request(conn: Connection, contract_id: int, own: BillingWeek, arrival: BillingWeek, now: datetime) -> int:
    request_id = late_requests.insert_request(conn, contract_id=contract_id, week_start=own.monday, billed_week_start=arrival.monday,
                                              status=LateStatus.PENDING, requested_at=now)
    where = late_requests.channel_of(conn, contract_id=contract_id)
    buttons = (Button("Approve", ButtonRef(ButtonAction.APPROVE_LATE, request_id)),
               Button("Decline", ButtonRef(ButtonAction.DECLINE_LATE, request_id)))
    message = announce.message_values(where.workspace, where.channel_id, "late_request", f"late:{request_id}:request",
                                      request_text(where.freelancer_name, own, arrival), buttons, now, {"late_request_id": request_id})
    outbox.insert_values(conn, message)
    return request_id


def request_text(freelancer: str, own: BillingWeek, arrival: BillingWeek) -> str:
    return (f"Late slots: {freelancer}'s agent was offline, and slots of week {own.label} recorded then arrived after "
            f"that week's edit deadline ({describe_instant(own.edit_deadline, own.tz)}). They show marked late in the diary "
            f"and are billed on week {arrival.label}'s statement once approved; if nobody decides, they are approved "
            f"with that week's review at {describe_instant(arrival.review_deadline, arrival.tz)}.")


def decide(ctx: Context, actor: Actor, request_id: int, *, approve: bool, now: datetime) -> Done | Refusal:
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        request = repo.by_id(s, LateRequest, request_id)
        contract = s.get(Contract, request.contract_id) if request else None
        if contract is None or role(contract, me) is Role.NONE:
            return Refusal(f"There are no late slots #{request_id} of yours.", "not_found")
        billed = BillingWeek(request.billed_week_start, contract.tz)
        refusal = check(role(contract, me), Action.DECIDE_LATE) or check_decision(LateStatus(request.status), billed_week=billed, now=now)
        if refusal:
            return refusal
        _settle(s, ctx, contract, request, LateStatus.APPROVED if approve else LateStatus.DECLINED, me.id, now)
        verb = "approved: they are billed on" if approve else "declined: they stay in the diary, not billed on"
        return Done(f"Late slots of week {BillingWeek(request.week_start, contract.tz).label} {verb} week {billed.label}'s statement.")


def _settle(s: Session, ctx: Context, contract: Contract, request: LateRequest, status: LateStatus, by: int | None, now: datetime) -> None:
    request.status, request.decided_at, request.decided_by = str(status), now, by
    # The week that bills them may be closed already: then this is part of its review, and its
    # stored statement says so.
    review = repo.week_review(s, contract_id=contract.id, week_start=request.billed_week_start)
    if review is not None and review.books is not None:
        weekly.restate(s, contract, BillingWeek(request.billed_week_start, contract.tz), review, ctx.slot_seconds)


def approve_due(ctx: Context, *, now: datetime) -> int:
    """Late slots nobody decided on are approved with the review of the week that bills them, at its deadline."""
    approved = 0
    with ctx.unit() as s:
        for request in repo.pending_late_requests(s):
            contract = s.get(Contract, request.contract_id)
            if now >= BillingWeek(request.billed_week_start, contract.tz).review_deadline:
                review = repo.week_review(s, contract_id=contract.id, week_start=request.billed_week_start)
                if review is None:  # its week must be closed before its review can approve anything
                    continue
                _settle(s, ctx, contract, request, LateStatus.APPROVED, None, now)
                approved += 1
    return approved
