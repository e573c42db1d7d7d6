"""The Discord bot: app commands, persistent buttons, and the wiring `tally serve` and `tally worker` start."""

import logging
from collections.abc import Callable
from datetime import datetime

import discord
from discord.ext import commands as ext

from bot.discord.clicks import click, form_ref, submit_button_form
from bot.discord.cog import TallyCog
from bot.discord.contract_form import submit_contract_form
from bot.discord.endpoints import use_endpoints
from bot.discord.fields import CONTRACT_FORM
from bot.discord.ids import ActionButton
from bot.discord.replies import REPLY_BUDGET, Wiring, first_time, utc_now
from bot.services.button_refs import ButtonRef
from bot.services.context import Context
from bot.settings import Settings

log = logging.getLogger("tally.discord")


def minimal_intents() -> discord.Intents:
    """Guilds only: interactions carry who asked, so no privileged intent (members, messages) is needed."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class TallyBot(ext.Bot):
    def __init__(self, wiring: Wiring, *, guild_ready_timeout: float = 2.0) -> None:
        # Tally never joins voice channels: the warnings about missing voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(command_prefix=ext.when_mentioned, intents=minimal_intents(), help_command=None,
                         guild_ready_timeout=guild_ready_timeout)
        self.wiring = wiring
        self.synced_guilds: set[int] = set()

    async def setup_hook(self) -> None:
        # Buttons are recognised by their custom_id pattern, so clicks on messages sent before a
        # restart, or by the outbox through REST, reach the same handler.
        self.add_dynamic_items(ActionButton)
        await self.add_cog(TallyCog(self.wiring))

    async def on_ready(self) -> None:
        for guild in self.guilds:
            await self.sync_commands(guild)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.sync_commands(guild)

    async def sync_commands(self, guild: discord.Guild) -> None:
        """Guild commands appear at once (global ones take up to an hour), so each guild gets its own copy."""
        if guild.id in self.synced_guilds:
            return
        self.tree.copy_global_to(guild=guild)
        try:
            await self.tree.sync(guild=guild)
        except discord.HTTPException as error:
            log.warning("could not register the commands in guild %s: %s", guild.id, error)
            return
        self.synced_guilds.add(guild.id)
        log.info("commands registered in guild %s (%s)", guild.id, guild.name)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Forms are answered here, from the submission alone: one opened before a restart works too."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        if not await first_time(self.wiring, interaction):  # a submission delivered again: acted on once
            return
        form_id = (interaction.data or {}).get("custom_id", "")
        if form_id == CONTRACT_FORM:
            await submit_contract_form(self.wiring, interaction)
        elif (ref := form_ref(form_id)) is not None:
            await submit_button_form(self.wiring, interaction, ref)

    async def on_tally_click(self, interaction: discord.Interaction, ref: ButtonRef | None) -> None:
        await click(self.wiring, interaction, ref)


def build_bot(ctx: Context, settings: Settings, *, clock: Callable[[], datetime] = utc_now,
              guild_ready_timeout: float = 2.0, reply_budget: float = REPLY_BUDGET) -> TallyBot:
    use_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    return TallyBot(Wiring(ctx, clock, reply_budget), guild_ready_timeout=guild_ready_timeout)


async def start_discord(ctx: Context, settings: Settings, *, clock: Callable[[], datetime] = utc_now,
                        guild_ready_timeout: float = 2.0, reply_budget: float = REPLY_BUDGET) -> None:
    """Runs the bot until it is closed or the task is cancelled: log in, open the gateway, serve interactions."""
    bot = build_bot(ctx, settings, clock=clock, guild_ready_timeout=guild_ready_timeout, reply_budget=reply_budget)
    async with bot:
        await bot.start(settings.discord_token)
