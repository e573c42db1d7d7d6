"""Autocomplete for the `contract` and `tz` options."""

import asyncio
from functools import cache
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.discord.replies import actor_of
from bot.services.prompts import contract_choices

MAX_CHOICES, MAX_NAME = 25, 100  # Discord's limits


async def contracts(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """The asker's contracts, this channel's first, narrowed by what they typed (a number or a word)."""
    wiring = interaction.client.wiring
    found = await asyncio.to_thread(contract_choices, wiring.ctx, actor_of(interaction))
    typed = current.strip().lower().lstrip("#")
    matching = [(cid, label) for cid, label in found if typed in label.lower()]
    return [app_commands.Choice(name=label[:MAX_NAME], value=cid) for cid, label in matching[:MAX_CHOICES]]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


async def timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().lower().replace(" ", "_")
    starts = [z for z in _zones() if z.lower().startswith(typed)]
    begun = set(starts)
    inside = [z for z in _zones() if typed in z.lower() and z not in begun]
    return [app_commands.Choice(name=z, value=z) for z in (starts + inside)[:MAX_CHOICES]]
