"""Whether someone may open a button's form at all, asked before the form is shown.

The dispute and answer buttons open a form; someone who may not dispute or answer should hear
"no" at the click, not after filling it in. The form's submission is still checked in full.
"""

from bot.services.actors import Actor, resolve
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.context import Context
from bot.services.picking import role
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from storage.tables import Contract, Dispute

NOT_YOURS = Refusal("You are not a party to this contract.", "forbidden")


def _disputed_contract(s, number: int) -> Contract | None:
    return s.get(Contract, number)


def _answered_contract(s, number: int) -> Contract | None:
    item = s.get(Dispute, number)
    return s.get(Contract, item.contract_id) if item else None


GATES = {
    ButtonAction.DISPUTE_WEEK: (_disputed_contract, Action.DISPUTE),
    ButtonAction.ANSWER_DISPUTE: (_answered_contract, Action.ANSWER_DISPUTE),
}


def may_open(ctx: Context, actor: Actor, ref: ButtonRef) -> Refusal | None:
    """None when `actor` may fill in the form the button `ref` opens; otherwise why not."""
    gate = GATES.get(ref.action)
    if gate is None:
        return None
    find, needed = gate
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = find(s, ref.number)
        if contract is None or role(contract, me) is Role.NONE:
            return NOT_YOURS
        return check(role(contract, me), needed)
