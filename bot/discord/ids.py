"""Buttons whose custom_id carries what they act on: `tally:<action>:<value>` (a ButtonRef).

They are discord.py dynamic items, so a click is understood from the custom_id alone, also on
a message sent before the bot restarted or by the outbox dispatcher through REST.
"""

import re

import discord

from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.results import Button

PREFIX = "tally"
TEMPLATE = re.compile(rf"{PREFIX}:(?P<action>[a-z_]+):(?P<value>[^\s]*)")

# Colour says what a button does: green gives, red takes away, grey only shows.
STYLES = {
    ButtonAction.APPROVE_WEEK: discord.ButtonStyle.success, ButtonAction.APPROVE_MANUAL: discord.ButtonStyle.success,
    ButtonAction.ACCEPT_DISPUTE: discord.ButtonStyle.success, ButtonAction.WITHDRAW_DISPUTE: discord.ButtonStyle.success,
    ButtonAction.DISPUTE_WEEK: discord.ButtonStyle.danger, ButtonAction.DECLINE_MANUAL: discord.ButtonStyle.danger,
    ButtonAction.CONFIRM_DISPUTE: discord.ButtonStyle.danger, ButtonAction.ANSWER_DISPUTE: discord.ButtonStyle.primary,
    ButtonAction.APPROVE_LATE: discord.ButtonStyle.success, ButtonAction.DECLINE_LATE: discord.ButtonStyle.danger,
}


def custom_id(ref: ButtonRef) -> str:
    return f"{PREFIX}:{ref.action}:{ref.encode()}"


def form_id(prefix: str, ref: ButtonRef) -> str:
    """The custom_id of the form a button opens: `prefix`, then what the button acts on."""
    return f"{prefix}{ref.action}:{ref.encode()}"


def form_ref(prefix: str, form_id_text: str) -> ButtonRef | None:
    """What a button's form acts on, read back from the form's custom_id."""
    if not form_id_text.startswith(prefix):
        return None
    action, _, value = form_id_text.removeprefix(prefix).partition(":")
    return ButtonRef.decode(action, value)


def ref_of(custom_id_text: str) -> ButtonRef | None:
    """The reference a custom_id carries; None when it is not one of ours or is damaged."""
    found = TEMPLATE.fullmatch(custom_id_text or "")
    return ButtonRef.decode(found["action"], found["value"]) if found else None


class ActionButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    """One of our buttons; a click is handed to the bot with the reference it carries."""

    def __init__(self, label: str, ref: ButtonRef | None, custom_id_text: str = "") -> None:
        super().__init__(discord.ui.Button(
            label=label, custom_id=custom_id(ref) if ref else custom_id_text,
            style=STYLES.get(ref.action, discord.ButtonStyle.secondary) if ref else discord.ButtonStyle.secondary,
        ))
        self.ref = ref

    @classmethod
    def of(cls, button: Button) -> "ActionButton":
        return cls(button.label, button.ref)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(item.label or "", ButtonRef.decode(match["action"], match["value"]), match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.on_tally_click(interaction, self.ref)
