"""What a chat platform asks before a command runs: which contracts to offer, and whether a form
is worth opening for this person at all (a form filled in only to be refused wastes their time)."""

from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import role
from diary.permissions import Action, check
from diary.refusal import Refusal
from storage import repo
from storage.tables import Contract, Dispute, Member


def contract_choices(ctx: Context, actor: Actor) -> list[tuple[int, str]]:
    """The actor's live contracts as (id, label), those of the actor's channel first."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        mine = repo.contracts_of(s, member_id=me.id)
        mine.sort(key=lambda c: (c.channel_id != actor.channel, c.id))
        return [(c.id, _label(c, s.get(Member, c.freelancer_id if c.client_id == me.id else c.client_id))) for c in mine]


def _label(contract: Contract, other: Member) -> str:
    return f"#{contract.id} {contract.title or 'untitled'} — with {other.name}"


FORM_ACTIONS = {"dispute_week": Action.DISPUTE, "answer_dispute": Action.ANSWER_DISPUTE}


def may_fill(ctx: Context, actor: Actor, action: str, value: str) -> Refusal | None:
    """The refusal the form's button would end in for this person, or None to open the form."""
    wanted = FORM_ACTIONS.get(action)
    number = value.partition(":")[0]
    if wanted is None or not number.isdigit():
        return None  # the button press itself explains what is wrong
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = _contract_of(s, action, int(number))
        if contract is None:
            return None
        return check(role(contract, me), wanted)


def _contract_of(s, action: str, number: int) -> Contract | None:
    if action == "dispute_week":
        return s.get(Contract, number)
    item = s.get(Dispute, number)
    return s.get(Contract, item.contract_id) if item else None
