"""The app commands of the README's command table, with typed options of the same names; `/contract`
and `/tally` are groups.

Each command fills the same typed request (bot.requests) that the text form parses into, and
bot.dispatch runs it; the answer goes to the asker privately. Amounts are string options read by
the same parser as typed text, so money never passes through a binary float.
"""

from functools import partial

import discord
from discord import app_commands
from discord.ext import commands as ext

from bot import requests as rq
from bot.discord import choosing
from bot.discord.contract_form import ContractForm
from bot.discord.replies import Wiring, actor_of, first_time, ref_of, reply_privately, settle
from bot.discord.term_options import hints, term_options
from bot.dispatch import dispatch
from diary.contract_terms import TERMS
from diary.money import parse_amount
from diary.refusal import Refusal, then
from diary.terms import ContractStatus

CONTRACT = "Which contract, when you have several"
USER = "Whose (the other party of your contract)"
MANUAL_EXAMPLE = "e.g. 09:00-10:30"


def option_text(value: object) -> str:
    """A typed option as it would have been typed: True -> "on", 15 -> "15" (amounts and hours are
    text options already, so no number goes through a binary float)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def spelled(request: rq.Request) -> str:
    """A request as Discord shows a command with its options, to suggest it back."""
    return rq.option_line(request, lambda user: f"<@{user.id}>")


def _user(user: discord.User | None):
    return ref_of(user) if user else None


class TallyCog(ext.Cog):
    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.ctx = wiring.ctx

    async def run(self, interaction: discord.Interaction, request: rq.Request | Refusal) -> None:
        """Runs the request (or shows why the options did not make one) and answers privately."""
        actor, now = actor_of(interaction), self.wiring.clock()
        if not await first_time(self.wiring, interaction):
            return
        work = partial(then, request, lambda r: dispatch(self.ctx, actor, r, now=now, spell=spelled))
        defer = partial(interaction.response.defer, ephemeral=True, thinking=True)
        result, deferred = await settle(work, budget=self.wiring.budget, defer=defer)
        await reply_privately(interaction, result, deferred=deferred)

    @app_commands.command(description="Start tracking on this channel's contract")
    @app_commands.describe(memo="What you are working on", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def clockin(self, interaction: discord.Interaction, memo: str = "", contract: int | None = None) -> None:
        await self.run(interaction, rq.ClockIn(memo, contract))

    @app_commands.command(description="Stop tracking; shows the session's counted time and activity")
    async def clockout(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, rq.ClockOut())

    @app_commands.command(description="What you are working on from now on")
    @app_commands.describe(text="e.g. code review")
    async def memo(self, interaction: discord.Interaction, text: str) -> None:
        await self.run(interaction, rq.SetMemo(text))

    @app_commands.command(description="A day's slots: activity per 10 minutes, totals and a diary link")
    @app_commands.describe(date="2026-11-20, today, yesterday or a weekday", user=USER, contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def diary(self, interaction: discord.Interaction, date: str | None = None, user: discord.User | None = None,
                    contract: int | None = None) -> None:
        await self.run(interaction, rq.ShowDiary(date, _user(user), contract))

    @app_commands.command(description="The week per day: counted, billable, over limit, manual, amount")
    @app_commands.describe(week="this, last or 2026-W47", user=USER, csv="Attach it as a CSV file", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def timesheet(self, interaction: discord.Interaction, week: str | None = None, user: discord.User | None = None,
                        csv: bool = False, contract: int | None = None) -> None:
        await self.run(interaction, rq.ShowTimesheet(week, _user(user), csv, contract))

    @app_commands.command(description="Time per app and window title for the week (contracts with window=on)")
    @app_commands.describe(week="this, last or 2026-W47", user=USER, contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def apps(self, interaction: discord.Interaction, week: str | None = None, user: discord.User | None = None,
                   contract: int | None = None) -> None:
        await self.run(interaction, rq.ShowApps(week, _user(user), contract))

    @app_commands.command(description="Ask the client for manual time")
    @app_commands.rename(span="range")
    @app_commands.describe(span="HH:MM-HH:MM, e.g. 09:00-10:30", memo="What you did", date="The day (default today)",
                           contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def manual(self, interaction: discord.Interaction, span: str, memo: str, date: str | None = None,
                     contract: int | None = None) -> None:
        await self.run(interaction, then(rq.Span.parse(span, MANUAL_EXAMPLE), lambda times: rq.AskManual(times, date, memo, contract)))

    @app_commands.command(description="Delete one of your slots (its screenshot and its time) until the edit deadline")
    @app_commands.describe(slot="The slot's start as /diary shows it, e.g. 14:20", date="The day (default today)",
                           contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def delete(self, interaction: discord.Interaction, slot: str, date: str | None = None,
                     contract: int | None = None) -> None:
        await self.run(interaction, rq.DeleteSlot(slot, date, contract))

    @app_commands.command(description="Switch your tracker to private (nothing is recorded or sent) and back")
    @app_commands.describe(switch="on or off")
    @app_commands.choices(switch=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")])
    async def private(self, interaction: discord.Interaction, switch: str) -> None:
        await self.run(interaction, rq.SetPrivate(switch))

    @app_commands.command(description="A one-time code to pair the desktop agent (valid 10 minutes)")
    async def connect(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, rq.Connect())

    @app_commands.command(description="Your paired devices, with a Revoke button each")
    async def devices(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, rq.ListDevices())

    @app_commands.command(description="Pay a bonus on this week's statement")
    @app_commands.describe(user="The freelancer", amount="e.g. 50 or 49.90", note="What it is for", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def bonus(self, interaction: discord.Interaction, user: discord.User, amount: str, note: str = "",
                    contract: int | None = None) -> None:
        await self.run(interaction, then(parse_amount(amount), lambda value: rq.PayBonus(ref_of(user), value, note, contract)))

    @app_commands.command(description="Pending, available and paid amounts per contract and in total, with lifetime hours")
    @app_commands.describe(user="Only your contracts with this person")
    async def earnings(self, interaction: discord.Interaction, user: discord.User | None = None) -> None:
        await self.run(interaction, rq.ShowEarnings(_user(user)))

    @app_commands.command(description="Mark a week's available amount paid (client)")
    @app_commands.describe(week="2026-W47 or last", user="The freelancer (outside the contract's channel)", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def paid(self, interaction: discord.Interaction, week: str, user: discord.User | None = None,
                   contract: int | None = None) -> None:
        await self.run(interaction, rq.MarkPaid(week, _user(user), contract))

    @app_commands.command(description="A person's lifetime hours and contracts (no amounts)")
    @app_commands.describe(user="Whose profile (default yours)")
    async def profile(self, interaction: discord.Interaction, user: discord.User | None = None) -> None:
        await self.run(interaction, rq.ShowProfile(_user(user)))

    contract = app_commands.Group(name="contract", description="Create and manage this channel's contract")

    @contract.command(name="new", description="Start a contract in this channel (without options: a form)")
    @app_commands.describe(freelancer="Who works", **hints(TERMS))
    @app_commands.autocomplete(tz=choosing.timezones)
    @term_options(TERMS, before={"freelancer": discord.User | None})
    async def contract_new(self, interaction: discord.Interaction, freelancer: discord.User | None = None, **given) -> None:
        options = {name: option_text(value) for name, value in given.items() if value is not None}
        if freelancer is None and not options:
            await interaction.response.send_modal(ContractForm())
            return
        await self.run(interaction, then(rq.term_values(options), lambda values: rq.NewContract(_user(freelancer), values)))

    @contract.command(name="show", description="The contract's terms")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_show(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self.run(interaction, rq.ShowContract(contract=contract))

    @contract.command(name="pause", description="Pause the contract (tracking stops)")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_pause(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self.run(interaction, rq.SetStatus(ContractStatus.PAUSED, contract=contract))

    @contract.command(name="resume", description="Resume a paused contract")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_resume(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self.run(interaction, rq.SetStatus(ContractStatus.ACTIVE, contract=contract))

    @contract.command(name="end", description="End the contract")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_end(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self.run(interaction, rq.SetStatus(ContractStatus.ENDED, contract=contract))

    @contract.command(name="limit", description="Change the weekly limit (a raise applies at once)")
    @app_commands.describe(limit="Hours per week, e.g. 30; none for no limit", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_limit(self, interaction: discord.Interaction, limit: str, contract: int | None = None) -> None:
        await self.run(interaction, then(rq.limit_hours(limit), lambda hours: rq.SetLimit(hours, contract=contract)))

    @contract.command(name="rate", description="Change the hourly rate (a raise applies at once)")
    @app_commands.describe(rate="e.g. 45 or 45.50", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_rate(self, interaction: discord.Interaction, rate: str, contract: int | None = None) -> None:
        await self.run(interaction, then(parse_amount(rate), lambda value: rq.SetRate(value, contract=contract)))

    @contract.command(name="set", description="Change terms; the answer says from when each change applies")
    @app_commands.describe(contract=CONTRACT, **hints(TERMS))
    @app_commands.autocomplete(tz=choosing.timezones, contract=choosing.contracts)
    @term_options(TERMS, after={"contract": int | None})
    async def contract_set(self, interaction: discord.Interaction, contract: int | None = None, **given) -> None:
        options = {name: option_text(value) for name, value in given.items() if value is not None}
        await self.run(interaction, then(rq.term_values(options), lambda values: rq.SetTerms(values, contract=contract)))

    tally = app_commands.Group(name="tally", description="Tally itself: help and the weekly summary channel")

    @tally.command(name="summary-channel", description="Post the weekly summary of every contract in this channel")
    async def summary_channel(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, rq.SetSummaryChannel())

    @tally.command(name="help", description="What each command does, with examples")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, rq.ShowHelp())
