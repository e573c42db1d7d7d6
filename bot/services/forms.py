"""Whether someone may open a button's form at all, asked before the form is shown.

The dispute and answer buttons open a form; someone who may not dispute or answer should hear
"no" at the click, not after filling it in. The form's submission is still checked in full.
"""

from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.picking import role
from diary.permissions import Action, check
from diary.refusal import Refusal
from diary.terms import Role
from storage.tables import Contract, Dispute

NOT_YOURS = Refusal("You are not a party to this contract.", "forbidden")


def _disputed_contract(s, value: str) -> Contract | None:
    contract_id = value.partition(":")[0]
    return s.get(Contract, int(contract_id)) if contract_id.isdigit() else None


def _answered_contract(s, value: str) -> Contract | None:
    item = s.get(Dispute, int(value)) if value.isdigit() else None
    return s.get(Contract, item.contract_id) if item else None


GATES = {
    "dispute_week": (_disputed_contract, Action.DISPUTE),
    "answer_dispute": (_answered_contract, Action.ANSWER_DISPUTE),
}


def may_open(ctx: Context, actor: Actor, action: str, value: str) -> Refusal | None:
    """None when `actor` may fill in the form of button `action` on `value`; otherwise why not."""
    gate = GATES.get(action)
    if gate is None:
        return None
    find, needed = gate
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        contract = find(s, value)
        if contract is None or role(contract, me) is Role.NONE:
            return NOT_YOURS
        return check(role(contract, me), needed)
