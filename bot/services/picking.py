"""Which contract a command is about: the channel's, the one named, or a question back."""

from sqlmodel import Session

from bot.services.results import Choice
from diary.permissions import Action, check, role_of
from diary.refusal import Refusal
from diary.terms import Role
from storage import repo
from storage.tables import Contract, Member

NO_CONTRACT = Refusal(
    "You have no contract here yet. A client starts one in a channel with "
    "`/contract new @freelancer rate=40`."
)


def role(contract: Contract, member: Member) -> Role:
    return role_of(member.id, client_id=contract.client_id, freelancer_id=contract.freelancer_id)


def _label(s: Session, contract: Contract, me: Member) -> str:
    other_id = contract.client_id if contract.freelancer_id == me.id else contract.freelancer_id
    other = s.get(Member, other_id)
    title = contract.title or "untitled"
    return f"#{contract.id} {title} (with {other.name}, in {contract.channel_id})"


def _counterpart_is(contract: Contract, me: Member, other: Member | None) -> bool:
    if other is None or other.id == me.id:  # naming yourself narrows nothing
        return True
    return other.id in (contract.client_id, contract.freelancer_id)


def _by_id(s: Session, me: Member, contract_id: int) -> Contract | Refusal:
    contract = repo.by_id(s, Contract, contract_id)
    if contract is None or role(contract, me) is Role.NONE:
        return Refusal(f"There is no contract #{contract_id} of yours.{_yours(s, me)}")
    return contract


def _yours(s: Session, me: Member) -> str:
    """The contracts the person could have meant, so a wrong number is not a dead end."""
    live = repo.live_contracts_of(s, member_id=me.id)
    if not live:
        return ""
    return " Yours: " + "; ".join(_label(s, c, me) for c in live[:5]) + ("; …" if len(live) > 5 else "") + "."


def pick(
    s: Session, me: Member, *, channel: str, action: Action, command: str,
    contract_id: int | None = None, other: Member | None = None,
) -> Contract | Choice | Refusal:
    """The contract this command acts on, checked that `me` may do `action` on it."""
    found = _by_id(s, me, contract_id) if contract_id else _search(s, me, channel, action, command, other)
    if isinstance(found, Contract):
        return check(role(found, me), action) or found
    return found


def _search(s: Session, me: Member, channel: str, action: Action, command: str, other: Member | None):
    found = _among(s, me, channel, action, command, other, repo.live_contracts_of)
    if found is NO_CONTRACT:
        # An ended contract's last weeks are still read, approved and disputed (docs/rules.md#approval):
        # its parties are answered about it, and the service says what an ended contract no longer does.
        found = _among(s, me, channel, action, command, other, repo.ended_contracts_of)
    if found is NO_CONTRACT and other is not None and other.id != me.id:
        # "/timesheet @bbo" is a typo, not a person without contracts: say whom, and which are yours.
        return Refusal(f"You have no contract with {other.name}.{_yours(s, me)}", "not_found")
    return found


def _among(s: Session, me: Member, channel: str, action: Action, command: str, other: Member | None, contracts_of):
    here = [c for c in contracts_of(s, member_id=me.id, channel_id=channel) if _counterpart_is(c, me, other)]
    allowed = [c for c in here if check(role(c, me), action) is None]
    if not allowed and here:
        return here[0]  # the permission check then says who may do this
    if not allowed:
        everywhere = contracts_of(s, member_id=me.id)
        allowed = [c for c in everywhere if _counterpart_is(c, me, other) and check(role(c, me), action) is None]
    if len(allowed) == 1:
        return allowed[0]
    if not allowed:
        return NO_CONTRACT
    options = [(c.id, _label(s, c, me)) for c in allowed]
    return Choice("Which contract? Repeat the command for the one you mean:", command, options)
