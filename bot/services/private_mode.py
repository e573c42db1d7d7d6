"""Private mode: the freelancer's switch that keeps everything on the device (docs/rules.md, private).

While it is on the agent records nothing and sends nothing, so that time is in nobody's diary and
never billed. The server keeps only when it was switched, so the freelancer's own diary can show
the gap as private (the client sees a gap), and tells the agent through its state.
"""

from datetime import datetime

from sqlmodel import Session

from bot.services.actors import Actor, resolve
from bot.services.context import Context, state_changed
from bot.services.results import Done
from diary.refusal import Refusal
from storage import repo
from storage.tables import Member, PrivatePeriod

ONLY_FREELANCERS = Refusal("Private mode is for freelancers: it keeps the tracker from recording. "
                           "Once you have a contract, /private on switches it on.", "forbidden")
USAGE = Refusal("Say on or off, e.g. /private on (nothing is recorded until /private off).")


def from_chat(ctx: Context, actor: Actor, switch: str, *, now: datetime) -> Done | Refusal:
    """`/private on|off` in chat; the tracker's own switch arrives as an agent event."""
    on = {"on": True, "off": False}.get(switch.strip().lower())
    if on is None:
        return USAGE
    with ctx.unit() as s:
        _, me = resolve(s, actor)
        if not any(c.freelancer_id == me.id for c in repo.live_contracts_of(s, member_id=me.id)):
            return ONLY_FREELANCERS
        return switch_private(s, me, on, now)


def switch_private(s: Session, me: Member, on: bool, at: datetime) -> Done:
    """Opens or closes the freelancer's private period at `at`; switching to what is already so changes nothing."""
    running = repo.open_private_period(s, member_id=me.id)
    if on and running is None:
        s.add(PrivatePeriod(member_id=me.id, started_at=at))
    elif not on and running is not None:
        running.ended_at = max(at, running.started_at)
    else:
        return Done("Private mode is already on." if on else "Private mode is already off.")
    state_changed(s, me.id)
    if on:
        return Done("Private mode on: your tracker records nothing and sends nothing until /private off. "
                    "Your diary shows this time as private; your client sees a gap.")
    return Done("Private mode off: tracking goes on as before.")


def is_private(s: Session, member_id: int) -> bool:
    return repo.open_private_period(s, member_id=member_id) is not None
