"""Workspace-wide settings: where the weekly summary goes.

The summary lists every contract, freelancer and amount of the workspace, so only a workspace
admin chooses its channel: the platform says who is one (Slack's admins and owners, Discord's
Manage Server permission, the shell's `/as NAME admin`), and the adapter hands that in as
`Actor.admin`. A move is announced in the channel the summary leaves, so nobody takes it quietly.
"""

from bot.services import announce
from bot.services.actors import Actor, resolve
from bot.services.context import Context
from bot.services.results import Done
from diary.refusal import Refusal

NOT_ADMIN = Refusal("Only a workspace admin can choose the summary channel: it shows every contract and amount "
                    "of the workspace. Ask an admin to type /tally summary-channel in the channel they want.",
                    "forbidden")


def set_summary_channel(ctx: Context, actor: Actor, *, now=None) -> Done | Refusal:
    if not actor.admin:
        return NOT_ADMIN
    with ctx.unit() as s:
        ws, me = resolve(s, actor)
        previous = ws.summary_channel
        if previous == actor.channel:
            return Done(f"Weekly summaries already go to {actor.channel}.")
        ws.summary_channel = actor.channel
        if previous and now is not None:
            text = f"{me.name} moved the weekly summary from this channel to {actor.channel}."
            announce.to_workspace_channel(s, ws, previous, kind="summary_moved", text=text, now=now,
                                          key=f"summary-moved:{ws.id}:{now.isoformat()}:{actor.channel}")
        return Done(f"Weekly summaries of every contract will be posted in {actor.channel}.")
