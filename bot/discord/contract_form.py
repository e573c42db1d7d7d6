"""`/contract new`: from typed options, or from a form when it is typed without any."""

from functools import partial

import discord

from bot.discord.fields import (
    CONTRACT_FORM,
    FORM_LIFETIME,
    chosen_user,
    submitted_values,
    text_field,
)
from bot.discord.replies import Wiring, actor_of, reply_privately, settle
from bot.dispatch import dispatch
from bot.requests import NewContract, term_values
from diary.refusal import then

FIELDS = ("rate", "currency", "limit", "title")


class ContractForm(discord.ui.Modal):
    """The few terms every contract needs; the rest can be changed later with /contract set."""

    def __init__(self) -> None:
        super().__init__(title="New contract", timeout=FORM_LIFETIME, custom_id=CONTRACT_FORM)
        self.freelancer = discord.ui.UserSelect(custom_id="freelancer", min_values=1, max_values=1)
        self.add_item(discord.ui.Label(text="Freelancer", component=self.freelancer))
        self.inputs = {}
        for name, label, placeholder, default in (
            ("rate", "Hourly rate", "40", None), ("currency", "Currency", "USD", "USD"),
            ("limit", "Weekly limit in hours (empty: no limit)", "40", None), ("title", "Title", "Landing page", None),
        ):
            row, self.inputs[name] = text_field(name, label, placeholder, required=name == "rate", default=default)
            self.add_item(row)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pass  # answered by submit_contract_form, in this process or the next


async def submit_contract_form(wiring: Wiring, interaction: discord.Interaction) -> None:
    data = interaction.data or {}
    values = submitted_values(data)
    chosen = values.get("freelancer") or []
    who = chosen_user(data, chosen[0]) if isinstance(chosen, list) and chosen else None
    options = {name: value.strip() for name in FIELDS if isinstance(value := values.get(name), str) and value.strip()}
    request, actor, now = then(term_values(options), lambda terms: NewContract(who, terms)), actor_of(interaction), wiring.clock()
    work = partial(then, request, lambda r: dispatch(wiring.ctx, actor, r, now=now))
    result, deferred = await settle(work, budget=wiring.budget,
                                    defer=partial(interaction.response.defer, ephemeral=True, thinking=True))
    await reply_privately(interaction, result, deferred=deferred)
