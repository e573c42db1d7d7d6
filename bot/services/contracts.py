"""Contracts: create, show, pause, resume, end, and change their terms."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from bot.services import announce, capabilities, devices, sessions, webcam
from bot.services.actors import Actor, UserRef, resolve, resolve_ref
from bot.services.context import Context
from bot.services.picking import pick
from bot.services.results import Choice, ContractCard
from diary.changes import in_force_now, read_history, takes_effect
from diary.contract_terms import BY_NAME, HISTORY, TERMS, Applies, Term, Terms, check_terms
from diary.money import format_money
from diary.permissions import Action
from diary.refusal import Refusal
from diary.terms import ContractStatus
from diary.weeks import describe_instant, local_day
from storage import repo
from storage.tables import Contract, ContractChange, Member



def card(s: Session, contract: Contract, headline: str) -> ContractCard:
    return ContractCard(
        headline=headline, id=contract.id,
        client=s.get(Member, contract.client_id).name, freelancer=s.get(Member, contract.freelancer_id).name,
        channel=contract.channel_id, status=contract.status,
        start_day=contract.start_day, status_since=_status_since(s, contract), delivery_error=contract.delivery_error,
        cannot_track=_cannot_track(s, contract),
        **{term.attr: getattr(contract, term.column) for term in TERMS},
        webcam_consent=webcam.consent_line(s, contract),
    )


def _cannot_track(s: Session, contract: Contract) -> str:
    if contract.status != ContractStatus.ACTIVE:
        return ""
    reason = capabilities.cannot_track(s, contract.freelancer_id)
    return capabilities.notice(reason) if reason is not None else ""


def _status_since(s: Session, contract: Contract) -> date:
    """The day (on the contract's calendar) its status last changed: paused or ended since then."""
    moves = repo.changes(s, contract_id=contract.id, field="status")
    return local_day(moves[-1].at, contract.tz) if moves else contract.start_day


def _stored(term: Term, value):
    """The column's form of a value: the fixed choices as their text."""
    return str(value) if term.choices and not isinstance(value, bool) else value


def _log(s: Session, contract: Contract, field: str, text: str | None, by: Member, now: datetime, effective_at: datetime) -> None:
    s.add(ContractChange(contract_id=contract.id, at=now, effective_at=effective_at, field=field, value=text, by_member_id=by.id))


def create(ctx: Context, actor: Actor, freelancer: UserRef, terms: Terms, *, now: datetime) -> ContractCard | Refusal:
    refusal = check_terms(terms)
    if refusal:
        return refusal
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        other = resolve_ref(s, ws, freelancer, create=True)
        if other.id == me.id:
            return Refusal("You cannot hire yourself: name the freelancer, e.g. /contract new @bob rate=40.")
        contract = _new_contract(s, ws.id, actor.channel, me, other, terms, now)
        # The history starts with every term's initial value (docs/rules.md#terms-in-force).
        for term in HISTORY:
            _log(s, contract, term.name, term.text(getattr(terms, term.attr)), me, now, now)
        _log(s, contract, "status", str(ContractStatus.ACTIVE), me, now, now)
        text = f"{me.name} started a contract with {other.name}: {format_money(contract.rate, contract.currency)}/h."
        announce.to_channel(s, contract, kind="contract", key=f"contract:{contract.id}:created", text=text, now=now)
        return card(s, contract, "Contract created")


def _new_contract(s: Session, ws_id: int, channel: str, me: Member, other: Member, terms: Terms, now: datetime) -> Contract:
    columns = {term.column: _stored(term, getattr(terms, term.attr)) for term in TERMS}
    contract = Contract(
        workspace_id=ws_id, channel_id=channel, client_id=me.id, freelancer_id=other.id,
        start_day=local_day(now, terms.tz), created_at=now, **columns,
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
    _log(s, contract, "status", str(status), me, now, now)
    if status is ContractStatus.ENDED and not _works_here(s, contract.freelancer_id):
        # The freelancer's last contract in this workspace: their agents' tokens stop here too.
        devices.revoke_all(s, contract.freelancer_id, now=now)


def _works_here(s: Session, member_id: int) -> bool:
    return any(c.freelancer_id == member_id for c in repo.live_contracts_of(s, member_id=member_id))


def _title(contract: Contract) -> str:
    return f" “{contract.title}”" if contract.title else f" #{contract.id}"


def set_rate(ctx: Context, actor: Actor, rate: Decimal, *, now: datetime, contract_id=None, other=None):
    return change_terms(ctx, actor, {"rate": rate}, now=now, contract_id=contract_id, other=other)


def set_limit(ctx: Context, actor: Actor, hours: Decimal | None, *, now: datetime, contract_id=None, other=None):
    return change_terms(ctx, actor, {"limit": hours}, now=now, contract_id=contract_id, other=other)


def change_terms(ctx: Context, actor: Actor, values: dict[str, object], *, now: datetime, contract_id=None, other=None):
    """`/contract set`, `rate` and `limit`: each change takes effect when its term's rule says
    (docs/rules.md#terms-in-force), and the reply says when, in the contract's timezone."""
    with ctx.unit() as s:
        me, contract = _pick_managed(s, actor, Action.MANAGE_CONTRACT, _command(values), contract_id, other)
        if isinstance(contract, Refusal | Choice):
            return contract
        refusal = _refusal(s, contract, values)
        if refusal:
            return refusal
        told = [_change(s, contract, BY_NAME[name], values[name], me, now, ctx.slot_seconds) for name in _in_order(values)]
        text = f"{me.name} set " + "; ".join(f"the {t.label} to {t.shown} {t.when}" for t in told) + "."
        announce.to_channel(s, contract, kind="contract", key=f"contract:{contract.id}:terms:{now.isoformat()}", text=text, now=now)
        headline = f"{told[0].label.capitalize()} changed {told[0].when}" if len(told) == 1 else "Terms changed"
        return replace(card(s, contract, headline), changes=tuple(t.sentence for t in told))


def _command(values: dict[str, object]) -> str:
    return f"/contract {next(iter(values))}" if set(values) <= {"rate", "limit"} and len(values) == 1 else "/contract set"


def _in_order(values: dict[str, object]) -> list[str]:
    return [term.name for term in TERMS if term.name in values]


def _refusal(s: Session, contract: Contract, values: dict[str, object]) -> Refusal | None:
    unknown = sorted(set(values) - set(BY_NAME))
    if unknown:
        return Refusal(f"I don't know the term {unknown[0]}=; see /tally help for the contract terms.")
    fixed = [name for name in _in_order(values) if BY_NAME[name].applies == Applies.UNTIL_RECORDED
             and values[name] != getattr(contract, BY_NAME[name].column)]
    if fixed and repo.has_recorded_time(s, contract_id=contract.id):
        return Refusal(f"The {BY_NAME[fixed[0]].label} cannot change once time is recorded on a contract: end this one "
                       f"(/contract end) and start a new one with /contract new @freelancer {BY_NAME[fixed[0]].example}.")
    return check_terms(replace(terms_of(contract), **{BY_NAME[name].attr: value for name, value in values.items()}))


@dataclass(frozen=True)
class _Told:
    label: str
    shown: str
    when: str
    sentence: str


def _change(s: Session, contract: Contract, term: Term, value, me: Member, now: datetime, slot_seconds: int) -> _Told:
    at = now
    if term.has_history:
        history = read_history(term, repo.changes(s, contract_id=contract.id, field=term.name))
        in_force = in_force_now(term, history, now=now, tz=contract.tz)
        at = takes_effect(term, in_force=in_force, new=value, now=now, tz=contract.tz, slot_seconds=slot_seconds)
        _log(s, contract, term.name, term.text(value), me, now, at)
    setattr(contract, term.column, _stored(term, value))
    shown, when = term.show(value, contract.currency), _when(term, at, now)
    sentence = f"{term.label.capitalize()}: {shown} {when}" + ("" if at == now else f" ({describe_instant(at, contract.tz)})") + "."
    return _Told(term.label, shown, when, sentence)


def _when(term: Term, at: datetime, now: datetime) -> str:
    if term.applies == Applies.NEXT_SLOT:
        return "from the next slot on"
    if term.has_history:
        return "from this week on" if at <= now else "from next week on"
    return "from now on"


def terms_of(contract: Contract) -> Terms:
    return Terms(**{term.attr: getattr(contract, term.column) for term in TERMS})
