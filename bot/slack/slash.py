"""Slash commands: ack at once, then run the text command on the side and answer privately.

Slack wants an answer within 3 seconds; the command itself runs as a lazy listener, so a slow
database or a busy server never makes Slack show "operation timed out".
"""

from dataclasses import replace

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot import commands
from bot.slack.bridge import Bridge
from bot.slack.modals import contract_modal
from bot.slack.replies import answer
from bot.slack.translate import command_actor, parse_mention, plain_text, spelled

# The README's command table; the buttons' actions (approve, dispute, ...) are buttons in Slack, not commands.
COMMANDS = ("clockin", "clockout", "memo", "diary", "timesheet", "apps", "manual", "delete", "private", "contract", "connect", "bonus", "devices", "earnings", "paid", "profile", "tally")


def wants_form(body: dict) -> bool:
    """`/contract new` with nothing after it opens the new-contract modal."""
    return body.get("command") == "/contract" and plain_text(body.get("text") or "").split() == ["new"]


def needs_admin(body: dict) -> bool:
    """Commands whose service asks whether the person is a workspace admin."""
    return body.get("command") == "/tally" and plain_text(body.get("text") or "").split()[:1] == ["summary-channel"]


async def is_workspace_admin(client, user_id: str) -> bool:
    """Slack's word on it (users.info: is_admin or is_owner); no answer means no."""
    try:
        found = await client.users_info(user=user_id)
    except (TimeoutError, SlackApiError, aiohttp.ClientError):
        return False
    user = found.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def register(app: AsyncApp, bridge: Bridge) -> None:
    async def acknowledge(ack, body: dict, client) -> None:
        await ack()
        if wants_form(body):  # the trigger_id lasts 3 seconds: open the modal here, not lazily
            await client.views_open(trigger_id=body["trigger_id"], view=contract_modal(body.get("channel_id") or ""))

    async def run_command(body: dict, respond, client) -> None:
        if wants_form(body) or not await bridge.first_time(body, "command"):
            return
        actor = command_actor(body)
        if needs_admin(body):
            actor = replace(actor, admin=await is_workspace_admin(client, actor.user))
        result = await bridge.call(commands.run, bridge.ctx, actor, body["command"], plain_text(body.get("text") or ""),
                                   now=bridge.clock(), mention=parse_mention, spell=spelled)
        await answer(bridge, client, respond, actor, result)

    for name in COMMANDS:
        app.command(f"/{name}")(ack=acknowledge, lazy=[run_command])
