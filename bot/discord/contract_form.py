"""`/contract new`: from typed options, or from a form when it is typed without any."""

from functools import partial

import discord

from bot.discord.fields import FORM_LIFETIME, text_field
from bot.discord.replies import Wiring, actor_of, ref_of, reply_privately, settle
from bot.dispatch import dispatch
from bot.requests import NewContract


class ContractForm(discord.ui.Modal):
    """The few terms every contract needs; the rest can be changed later with /contract set."""

    def __init__(self, wiring: Wiring) -> None:
        super().__init__(title="New contract", timeout=FORM_LIFETIME)
        self.wiring = wiring
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
        chosen = self.freelancer.values
        who = ref_of(chosen[0]) if chosen and isinstance(chosen[0], discord.abc.User) else None
        options = {name: item.value.strip() for name, item in self.inputs.items() if item.value.strip()}
        work = partial(dispatch, self.wiring.ctx, actor_of(interaction), NewContract(who, options), now=self.wiring.clock())
        result, deferred = await settle(work, budget=self.wiring.budget,
                                        defer=partial(interaction.response.defer, ephemeral=True, thinking=True))
        await reply_privately(interaction, result, deferred=deferred)
