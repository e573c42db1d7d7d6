"""What waiting agents are told to do, read for many freelancers at once (long-poll re-checks)."""

from collections.abc import Collection
from datetime import datetime

from bot.services.context import Context
from bot.services.devices import state_in
from bot.services.tracker_state import DETAILS
from diary.protocol import AgentState
from diary.terms import Webcam
from storage import repo


def state_mark(state: AgentState) -> str:
    """What an agent acts on, without the clock: two equal marks mean nothing changed for it.
    The webcam is marked as the contract's term alone: a device's consent is its own news."""
    if state.webcam == Webcam.ON:
        state = state.model_copy(update={"webcam": Webcam.NEEDS_CONSENT})
    return state.model_dump_json(exclude={"server_time", *DETAILS})


def state_marks(ctx: Context, member_ids: Collection[int], *, now: datetime) -> dict[int, str]:
    """The state mark of each freelancer, in one query however many agents are waiting."""
    with ctx.unit() as s:
        # Sessions and their contracts load together, so state_in finds each contract without a query.
        running = repo.open_sessions_of(s, freelancer_ids=list(member_ids))
        private = repo.private_members(s, member_ids=list(member_ids))
        return {m: state_mark(state_in(s, running.get(m), ctx.slot_seconds, now, private=m in private)) for m in member_ids}
