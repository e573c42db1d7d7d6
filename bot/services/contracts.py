"""Contracts: create, show, pause, resume, end, and change rate, limit and settings."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from bot.services import announce, sessions
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.picking import pick
from bot.services.results import Choice, ContractCard
from diary.contract_terms import Terms, check_limit, check_rate, check_terms
from diary.money import format_money
from diary.permissions import Action
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.weeks import local_day
from storage import repo
from storage.tables import Contract, ContractChange, Member

SETTINGS = ("currency", "weekly_payment", "manual_allowed", "screenshots", "billing", "tz", "idle_minutes", "title", "window")


def card(s: Session, contract: Contract, headline: str) -> ContractCard:
    return ContractCard(
        headline=headline, id=contract.id, title=contract.title,
        client=s.get(Member, contract.client_id).name, freelancer=s.get(Member, contract.freelancer_id).name,
        channel=contract.channel_id, rate=contract.rate, currency=contract.currency,
        limit_hours=contract.weekly_limit_hours, weekly_payment=contract.weekly_payment,
        manual=contract.manual_allowed, screenshots=contract.screenshots, billing=contract.billing,
        tz=contract.tz, idle_minutes=contract.idle_minutes, status=contract.status,
        start_day=contract.start_day, status_since=_status_since(s, contract), delivery_error=contract.delivery_error,
    )


def _status_since(s: Session, contract: Contract) -> date:
    """The day (on the contract's calendar) its status last changed: paused or ended since then."""
    moves = repo.changes(s, contract_id=contract.id, field="status")
    return local_day(moves[-1].at, contract.tz) if moves else contract.start_day


def _log(s: Session, contract: Contract, field: str, value, by: Member, now: datetime) -> None:
    text = None if value is None else str(value)
    s.add(ContractChange(contract_id=contract.id, at=now, field=field, value=text, by_member_id=by.id))


def create(ctx: Context, actor: Actor, freelancer: UserRef, terms: Terms, *, now: datetime) -> ContractCard | Refusal:
    refusal = check_terms(terms)
    if refusal:
        return refusal
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        other = resolve_ref(s, ws, freelancer)
        if other.id == me.id:
            return Refusal("You cannot hire yourself: name the freelancer, e.g. /contract new @bob rate=40.")
        contract = _new_contract(s, ws.id, actor.channel, me, other, terms, now)
        for field, value in (("rate", terms.rate), ("limit", terms.limit_hours), ("status", ContractStatus.ACTIVE)):
            _log(s, contract, field, value, me, now)
        text = f"{me.name} started a contract with {other.name}: {format_money(contract.rate, contract.currency)}/h."
        announce.to_channel(s, contract, kind="contract", key=f"contract:{contract.id}:created", text=text, now=now)
        return card(s, contract, "Contract created")


def _new_contract(s: Session, ws_id: int, channel: str, me: Member, other: Member, terms: Terms, now: datetime) -> Contract:
    contract = Contract(
        workspace_id=ws_id, channel_id=channel, client_id=me.id, freelancer_id=other.id,
        title=terms.title, currency=terms.currency, rate=terms.rate, weekly_limit_hours=terms.limit_hours,
        weekly_payment=terms.weekly_payment, manual_allowed=terms.manual, screenshots=str(terms.screenshots),
        billing=str(terms.billing), tz=terms.tz, idle_minutes=terms.idle_minutes, window=terms.window,
        start_day=local_day(now, terms.tz), created_at=now,
    )
    s.add(contract)
    s.flush()
    return contract


def _pick_managed(s: Session, actor: Actor, action: Action, command: str, contract_id, other: UserRef | None):
    ws, me = resolve(s, actor)
    who = resolve_ref(s, ws, other) if other else None
    return me, pick(s, me, channel=actor.channel, action=action, command=command, contract_id=contract_id, other=who)


def show(ctx: Context, actor: Actor, *, contract_id: int | None = None, other: UserRef | None = None):
    with ctx.unit() as s:
        _, found = _pick_managed(s, actor, Action.VIEW, "/contract show", contract_id, other)
        return found if isinstance(found, Refusal | Choice) else card(s, found, f"Contract #{found.id}")


STATUS_MOVES = {
    ContractStatus.PAUSED: ({ContractStatus.ACTIVE}, "paused"),
    ContractStatus.ACTIVE: ({ContractStatus.PAUSED}, "resumed"),
    ContractStatus.ENDED: ({ContractStatus.ACTIVE, ContractStatus.PAUSED}, "ended"),
}


def set_status(
    ctx: Context, actor: Actor, status: ContractStatus, *, now: datetime,
    contract_id: int | None = None, other: UserRef | None = None,
) -> ContractCard | Choice | Refusal:
    allowed_from, verb = STATUS_MOVES[status]
    with ctx.unit() as s:
        me, contract = _pick_managed(s, actor, Action.MANAGE_CONTRACT, f"/contract {verb}", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        if contract.status not in allowed_from:
            return Refusal(f"Contract #{contract.id} is {contract.status}; it cannot be {verb}.")
        _apply_status(s, contract, status, me, now)
        text = f"{me.name} {verb} the contract{_title(contract)}."
        announce.to_channel(s, contract, kind="contract", key=f"contract:{contract.id}:{verb}:{now.isoformat()}", text=text, now=now)
        return card(s, contract, f"Contract {verb}")


def _apply_status(s: Session, contract: Contract, status: ContractStatus, me: Member, now: datetime) -> None:
    if status is not ContractStatus.ACTIVE:
        sessions.stop_running(s, contract, now=now, reason=str(status))
    if status is ContractStatus.ENDED:
        contract.end_day = local_day(now, contract.tz)
    contract.status = str(status)
    _log(s, contract, "status", status, me, now)


def _title(contract: Contract) -> str:
    return f" “{contract.title}”" if contract.title else f" #{contract.id}"


def set_rate(ctx: Context, actor: Actor, rate: Decimal, *, now: datetime, contract_id=None, other=None):
    return _set_money_term(ctx, actor, "rate", rate, check_rate(rate), now=now, contract_id=contract_id, other=other)


def set_limit(ctx: Context, actor: Actor, hours: Decimal | None, *, now: datetime, contract_id=None, other=None):
    return _set_money_term(ctx, actor, "limit", hours, check_limit(hours), now=now, contract_id=contract_id, other=other)


def _set_money_term(ctx, actor, field, value, refusal, *, now, contract_id, other):
    """Rate and limit: a raise applies to this week at once, a cut from next week (DESIGN §1)."""
    if refusal:
        return refusal
    with ctx.unit() as s:
        me, contract = _pick_managed(s, actor, Action.MANAGE_CONTRACT, f"/contract {field}", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        old = contract.rate if field == "rate" else contract.weekly_limit_hours
        _store_term(contract, field, value)
        _log(s, contract, field, value, me, now)
        when = "from this week on" if _is_raise(old, value) else "from next week on"
        text = f"{me.name} set the {_term_name(field)} to {_show(value, field, contract)} {when}."
        announce.to_channel(s, contract, kind="contract", key=f"contract:{contract.id}:{field}:{now.isoformat()}", text=text, now=now)
        return card(s, contract, f"{_term_name(field).capitalize()} changed {when}")


def _store_term(contract: Contract, field: str, value) -> None:
    if field == "rate":
        contract.rate = value
    else:
        contract.weekly_limit_hours = value


def _is_raise(old: Decimal | None, new: Decimal | None) -> bool:
    return new is None or (old is not None and new >= old)


def _term_name(field: str) -> str:
    return "hourly rate" if field == "rate" else "weekly limit"


def _show(value, field: str, contract: Contract) -> str:
    if value is None:
        return "no limit"
    return f"{format_money(value, contract.currency)}/h" if field == "rate" else f"{value} h"


def configure(ctx: Context, actor: Actor, terms: Terms, fields: tuple[str, ...], *, now: datetime, contract_id=None, other=None):
    """Other settings (screenshots, billing, tz, idle, manual, weekly, title, window) apply at once."""
    unknown = set(fields) - set(SETTINGS)
    if unknown:
        return Refusal(f"These cannot be changed this way: {', '.join(sorted(unknown))}.")
    with ctx.unit() as s:
        me, contract = _pick_managed(s, actor, Action.MANAGE_CONTRACT, "/contract set", contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        refusal = check_terms(replace(_terms_of(contract), **{_term_key(f): getattr(terms, _term_key(f)) for f in fields}))
        if refusal:
            return refusal
        for f in fields:
            value = getattr(terms, _term_key(f))
            setattr(contract, f, str(value) if f in ("screenshots", "billing") else value)
            _log(s, contract, f, value, me, now)
        return card(s, contract, "Settings changed")


_TERM_KEYS = {"manual_allowed": "manual", "weekly_payment": "weekly_payment", "idle_minutes": "idle_minutes"}


def _term_key(field: str) -> str:
    return _TERM_KEYS.get(field, field)


def _terms_of(contract: Contract) -> Terms:
    return Terms(
        rate=contract.rate, currency=contract.currency, limit_hours=contract.weekly_limit_hours,
        weekly_payment=contract.weekly_payment, manual=contract.manual_allowed, screenshots=contract.screenshots,
        billing=contract.billing, tz=contract.tz, idle_minutes=contract.idle_minutes, title=contract.title,
        window=contract.window,
    )
