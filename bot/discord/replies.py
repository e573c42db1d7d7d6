"""Answering an interaction in time, and who is asking.

Discord drops an interaction that is not answered within 3 seconds. The service call runs in a
worker thread (it talks to the database); when it is not done within the budget the interaction
is deferred first and the result follows. Replies to the asker are private (ephemeral).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from bot.discord.embeds import result_parts
from bot.services import replays
from bot.services.actors import Actor, UserRef
from bot.services.availability import or_unavailable
from bot.services.context import Context
from diary.refusal import Refusal

log = logging.getLogger("tally.discord")

REPLY_BUDGET = 2.0  # seconds a service may take before we defer; leaves a second for the network
TROUBLE = Refusal("Something went wrong on our side; please try again in a minute.")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Wiring:
    """What every handler needs: the services' context, the clock, and the reply budget."""

    ctx: Context
    clock: Callable[[], datetime] = utc_now
    budget: float = REPLY_BUDGET


def ref_of(user: discord.abc.User) -> UserRef:
    return UserRef(id=str(user.id), name=user.display_name)


def actor_of(interaction: discord.Interaction, *, guild: str | None = None) -> Actor:
    """Who asks, in which guild (`guild` names it for a direct message, which has none) and channel."""
    user, workspace = interaction.user, guild or str(interaction.guild_id or "")
    # A workspace admin is a member with Manage Server here; the interaction carries that, no call needed.
    admin = bool(interaction.guild_id and interaction.permissions.manage_guild)
    return Actor("discord", workspace, str(user.id), user.display_name, str(interaction.channel_id or ""), admin=admin)


async def first_time(wiring: Wiring, interaction: discord.Interaction) -> bool:
    """False for an interaction already acted on (Discord delivered it again): drop it."""
    key = f"discord:{interaction.id}"
    try:
        return await asyncio.to_thread(replays.first_time, wiring.ctx, key, now=wiring.clock())
    except Exception:  # the database is away: the interaction's own answer will say so
        return True


def _safely(work: Callable[[], object]) -> object:
    try:
        return or_unavailable(work)
    except Exception:  # a bug must still answer the person, privately
        log.exception("a Discord interaction's service call failed")
        return TROUBLE


async def settle(work: Callable[[], object], *, budget: float, defer: Callable[[], Awaitable]) -> tuple[object, bool]:
    """The result of `work`, and whether the interaction had to be deferred to wait for it."""
    task = asyncio.ensure_future(asyncio.to_thread(_safely, work))
    try:
        return await asyncio.wait_for(asyncio.shield(task), budget), False
    except TimeoutError:
        await defer()
        return await task, True


async def reply_privately(interaction: discord.Interaction, result, *, deferred: bool) -> None:
    parts = result_parts(result)
    if deferred:
        await interaction.followup.send(ephemeral=True, **parts)
    else:
        await interaction.response.send_message(ephemeral=True, **parts)


async def update_message(interaction: discord.Interaction, embed: discord.Embed, view, *, deferred: bool) -> None:
    """Edits the message whose button was pressed (callback type 7, or the original after a deferral)."""
    if deferred:
        await interaction.edit_original_response(embed=embed, view=view)
    else:
        await interaction.response.edit_message(embed=embed, view=view)
