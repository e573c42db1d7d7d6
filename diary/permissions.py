"""Who may do what on a contract: the freelancer works, the client manages and pays, nobody else."""

from enum import StrEnum

from diary.refusal import Refusal
from diary.terms import Role


class Action(StrEnum):
    CLOCK = "clock"
    MEMO = "memo"
    MANUAL = "manual"
    DELETE_SLOT = "delete_slot"
    PAIR = "pair"
    ANSWER_DISPUTE = "answer_dispute"
    VIEW = "view"
    MANAGE_CONTRACT = "manage_contract"
    APPROVE = "approve"
    DISPUTE = "dispute"
    BONUS = "bonus"
    DECIDE_MANUAL = "decide_manual"
    DECIDE_LATE = "decide_late"
    PAY = "pay"


_ALLOWED = {
    Role.FREELANCER: frozenset(
        {Action.CLOCK, Action.MEMO, Action.MANUAL, Action.DELETE_SLOT, Action.PAIR, Action.ANSWER_DISPUTE, Action.VIEW}
    ),
    Role.CLIENT: frozenset(
        {Action.MANAGE_CONTRACT, Action.APPROVE, Action.DISPUTE, Action.BONUS, Action.DECIDE_MANUAL, Action.DECIDE_LATE, Action.PAY,
         Action.VIEW}
    ),
    Role.NONE: frozenset(),
}

# Completes "Only the <role> of this contract can ...".
_WHAT = {
    Action.CLOCK: "clock in and out on it",
    Action.MEMO: "set its memo",
    Action.MANUAL: "ask for manual time on it",
    Action.DELETE_SLOT: "delete its tracked time",
    Action.PAIR: "pair a device for it",
    Action.ANSWER_DISPUTE: "accept or answer a dispute of its hours",
    Action.VIEW: "see its diary",
    Action.MANAGE_CONTRACT: "change its settings, rate or limit",
    Action.APPROVE: "approve its hours",
    Action.DISPUTE: "dispute its hours",
    Action.BONUS: "pay a bonus on it",
    Action.DECIDE_MANUAL: "approve or decline manual time on it",
    Action.DECIDE_LATE: "approve or decline its late slots",
    Action.PAY: "mark its weeks paid",
}


def role_of(member_id: int, *, client_id: int, freelancer_id: int) -> Role:
    """The member's part in a contract; the client's part wins if both ids are the same person."""
    if member_id == client_id:
        return Role.CLIENT
    if member_id == freelancer_id:
        return Role.FREELANCER
    return Role.NONE


def check(role: Role, action: Action) -> Refusal | None:
    """None when `role` may do `action`; otherwise a refusal that names who may."""
    if action in _ALLOWED[role]:
        return None
    if role == Role.NONE:
        return Refusal("You are not a party to this contract.", "forbidden")
    other = Role.CLIENT if role == Role.FREELANCER else Role.FREELANCER
    return Refusal(f"Only the {other.value} of this contract can {_WHAT[action]}.", "forbidden")
