"""What a chat platform asks before it can run a command or a click: which contracts to offer,
and which workspace a button belongs to when it is clicked where the platform does not say (a DM)."""

from bot.services.actors import Actor, resolve
from bot.services.button_refs import ButtonRef
from bot.services.context import Context
from storage import repo
from storage.tables import Contract, Device, Dispute, LateRequest, ManualEntry, Member, PaidMark, Workspace


def contract_choices(ctx: Context, actor: Actor) -> list[tuple[int, str]]:
    """The actor's live contracts as (id, label), those of the actor's channel first."""
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        mine = repo.live_contracts_of(s, member_id=me.id)
        mine.sort(key=lambda c: (c.channel_id != actor.channel, c.id))
        return [(c.id, _label(c, s.get(Member, c.freelancer_id if c.client_id == me.id else c.client_id))) for c in mine]


def _label(contract: Contract, other: Member) -> str:
    return f"#{contract.id} {contract.title or 'untitled'} — with {other.name}"


TABLES = {"contract": Contract, "dispute": Dispute, "manual": ManualEntry, "device": Device, "late": LateRequest,
          "paid": PaidMark}


def _contract_of(s, ref: ButtonRef) -> Contract | None:
    found = s.get(TABLES[ref.names], ref.number)
    return s.get(Contract, found.contract_id) if isinstance(found, Dispute | ManualEntry | LateRequest | PaidMark) else found


def _workspace_of(s, ref: ButtonRef) -> Workspace | None:
    if ref.names == "device":  # a device belongs to a member, who belongs to one workspace
        device = s.get(Device, ref.number)
        member = s.get(Member, device.member_id) if device else None
        return s.get(Workspace, member.workspace_id) if member else None
    contract = _contract_of(s, ref)
    return s.get(Workspace, contract.workspace_id) if contract else None


def button_workspace(ctx: Context, ref: ButtonRef) -> str | None:
    """The platform's id of the workspace whose contract a button acts on."""
    with ctx.unit() as s:
        ws = _workspace_of(s, ref)
        return ws.external_id if ws else None
