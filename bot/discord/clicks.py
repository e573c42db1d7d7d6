"""Button clicks, and the forms some buttons open first (dispute, answer): bot.buttons.press decides.

A decision (Clicked) edits the message that carried the button to show the outcome, who acted and
the buttons that stay; anything else (a refusal, a diary link) is a private reply to the person
who clicked.
"""

import asyncio
import logging
from functools import partial

import discord

from bot.buttons import NEEDS_FORM, press
from bot.discord.embeds import acted_on
from bot.discord.fields import FORM_LIFETIME, FORM_PREFIX, submitted_values, text_field
from bot.discord import ids
from bot.discord.replies import (
    TROUBLE,
    Wiring,
    actor_of,
    first_time,
    reply_privately,
    settle,
    update_message,
)
from bot.services.actors import Actor
from bot.services.availability import or_unavailable
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.forms import may_open
from bot.services.prompts import button_workspace
from bot.services.results import Clicked
from storage.outage import DatabaseUnavailable

log = logging.getLogger("tally.discord")

FORM_TITLES = {ButtonAction.DISPUTE_WEEK: "Dispute hours", ButtonAction.ANSWER_DISPUTE: "Answer the dispute"}
# label, placeholder, long text, required
FORM_FIELDS = {
    "range": ("Time range", "10:00-11:30", False, True),
    "day": ("Day of that week", "wed or 2026-11-18", False, True),
    "reason": ("Reason", "no work visible in the screenshots", True, True),
    "answer": ("Your answer", "the screenshots show the staging server", True, True),
}


async def click(wiring: Wiring, interaction: discord.Interaction, ref: ButtonRef | None) -> None:
    if not await first_time(wiring, interaction):
        return
    actor = await clicker(wiring, interaction, ref)
    if ref is not None and ref.action in NEEDS_FORM:
        await open_form(wiring, interaction, actor, ref)
    else:
        await act(wiring, interaction, actor, ref, {})


async def clicker(wiring: Wiring, interaction: discord.Interaction, ref: ButtonRef | None) -> Actor:
    """Who clicked. A direct message (a reminder) has no guild: the button's contract names it."""
    if interaction.guild_id is not None or ref is None:
        return actor_of(interaction)
    try:
        guild = await asyncio.to_thread(button_workspace, wiring.ctx, ref)
    except DatabaseUnavailable:
        guild = None  # the click's own answer says the database is away
    except Exception:
        log.exception("could not find the guild of a button clicked in a direct message")
        guild = None
    return actor_of(interaction, guild=guild)


async def act(wiring: Wiring, interaction: discord.Interaction, actor: Actor, ref: ButtonRef | None, form: dict) -> None:
    work = partial(press, wiring.ctx, actor, ref, now=wiring.clock(), form=form)
    result, deferred = await settle(work, budget=wiring.budget, defer=interaction.response.defer)
    if isinstance(result, Clicked) and interaction.message is not None:
        embed, view = acted_on(interaction.message, result)
        await update_message(interaction, embed, view, deferred=deferred)
    else:
        await reply_privately(interaction, result, deferred=deferred)


async def open_form(wiring: Wiring, interaction: discord.Interaction, actor: Actor, ref: ButtonRef) -> None:
    gate = partial(or_unavailable, may_open, wiring.ctx, actor, ref)
    try:
        refusal = await asyncio.wait_for(asyncio.to_thread(gate), wiring.budget)
    except TimeoutError:
        refusal = None  # a form can only be the first answer: open it rather than miss the deadline
    except Exception:
        log.exception("could not check who may fill in a form")
        refusal = TROUBLE
    if refusal is not None:
        await reply_privately(interaction, refusal, deferred=False)
    else:
        await interaction.response.send_modal(ButtonForm(ref))


class ButtonForm(discord.ui.Modal):
    """The fields bot.buttons.NEEDS_FORM names for an action; submitting presses the button."""

    def __init__(self, ref: ButtonRef) -> None:
        super().__init__(title=FORM_TITLES.get(ref.action, "Tally"), timeout=FORM_LIFETIME,
                         custom_id=ids.form_id(FORM_PREFIX, ref))
        self.ref = ref
        self.inputs = {}
        for name in NEEDS_FORM[ref.action]:
            label, placeholder, long, required = FORM_FIELDS[name]
            row, self.inputs[name] = text_field(name, label, placeholder, long=long, required=required)
            self.add_item(row)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pass  # answered by submit_button_form, in this process or the next


def form_ref(form_id: str) -> ButtonRef | None:
    """What a button's form acts on, from the form's custom_id."""
    return ids.form_ref(FORM_PREFIX, form_id)


async def submit_button_form(wiring: Wiring, interaction: discord.Interaction, ref: ButtonRef) -> None:
    """A button's form, filled in: pressing the button with what was entered."""
    actor = await clicker(wiring, interaction, ref)
    values = submitted_values(interaction.data or {})
    form = {name: value for name in NEEDS_FORM.get(ref.action, ()) if isinstance(value := values.get(name, ""), str)}
    await act(wiring, interaction, actor, ref, form)
