"""Buttons whose custom_id carries what they act on: `tally:<action>:<value>`.

They are discord.py dynamic items, so a click is understood from the custom_id alone, also on
a message sent before the bot restarted or by the outbox dispatcher through REST.
"""

import re

import discord

from bot.services.results import Button

PREFIX = "tally"
TEMPLATE = re.compile(rf"{PREFIX}:(?P<action>[a-z_]+):(?P<value>[^\s]*)")

# Colour says what a button does: green gives, red takes away, grey only shows.
STYLES = {
    "approve_week": discord.ButtonStyle.success, "approve_manual": discord.ButtonStyle.success,
    "accept_dispute": discord.ButtonStyle.success, "withdraw_dispute": discord.ButtonStyle.success,
    "dispute_week": discord.ButtonStyle.danger, "decline_manual": discord.ButtonStyle.danger,
    "confirm_dispute": discord.ButtonStyle.danger, "answer_dispute": discord.ButtonStyle.primary,
}


def custom_id(button: Button) -> str:
    return f"{PREFIX}:{button.action}:{button.value}"


def parse(custom_id_text: str) -> tuple[str, str] | None:
    found = TEMPLATE.fullmatch(custom_id_text or "")
    return (found["action"], found["value"]) if found else None


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    """One of our buttons; a click is handed to the bot with the action and value it carries."""

    def __init__(self, button: Button) -> None:
        super().__init__(discord.ui.Button(
            label=button.label, custom_id=custom_id(button),
            style=STYLES.get(button.action, discord.ButtonStyle.secondary),
        ))
        self.button = button

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(Button(item.label or "", match["action"], match["value"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_tally_click(interaction, self.button.action, self.button.value)
