"""Workspace-wide settings: where the weekly summary goes."""

from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.results import Done
from diary.refusal import Refusal
from storage import repo


def set_summary_channel(ctx: Context, actor: Actor) -> Done | Refusal:
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        if not any(c.client_id == me.id for c in repo.contracts_of(s, member_id=me.id)):
            return Refusal("Only a client with a contract can choose the summary channel.", "forbidden")
        ws.summary_channel = actor.channel
        return Done(f"Weekly summaries of every contract will be posted in {actor.channel}.")
