"""The app commands of DESIGN §5, with typed options of the same names; `/contract` and `/tally` are groups.

Each command makes the same service call as its text form in bot.commands (contract terms go
through the very same parser), and answers the asker privately with the rendered result.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands as ext

from bot import commands as text_commands
from bot.discord import choosing
from bot.discord.contract_form import ContractForm, create
from bot.discord.replies import Wiring, actor_of, ref_of, reply_privately, settle
from bot.render.cards import CsvRequest, Help
from bot.services import (
    contracts,
    devices,
    links,
    manual,
    review,
    sessions,
    views,
    workspaces,
)
from bot.services.actors import Actor
from bot.services.results import DayDiary, Timesheet
from diary.dates import parse_range
from diary.money import parse_amount
from diary.refusal import Refusal
from diary.terms import ContractStatus

CONTRACT = "Which contract, when you have several"
USER = "Whose (the other party of your contract)"
Service = Callable[[Actor, datetime], object]


def option_text(value: object) -> str:
    """A typed option as it would have been typed: 40.0 -> "40", True -> "on"."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _call(wiring: Wiring, actor: Actor, now: datetime, *, words=(), options=None, mentions=()) -> text_commands.Call:
    return text_commands.Call(wiring.ctx, actor, now, list(words), dict(options or {}), list(mentions))


def _with_contract(options: dict, contract: int | None) -> dict:
    return {**options, **({"contract": str(contract)} if contract else {})}


def _amount_then(amount: float, service: Callable):
    value = parse_amount(option_text(amount))
    return value if isinstance(value, Refusal) else service(value)


class TallyCog(ext.Cog):
    def __init__(self, wiring: Wiring) -> None:
        self.wiring = wiring
        self.ctx = wiring.ctx

    async def run(self, interaction: discord.Interaction, service: Service) -> None:
        work = partial(service, actor_of(interaction), self.wiring.clock())
        defer = partial(interaction.response.defer, ephemeral=True, thinking=True)
        result, deferred = await settle(work, budget=self.wiring.budget, defer=defer)
        await reply_privately(interaction, result, deferred=deferred)

    @app_commands.command(description="Start tracking on this channel's contract")
    @app_commands.describe(memo="What you are working on", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def clockin(self, interaction: discord.Interaction, memo: str = "", contract: int | None = None) -> None:
        await self.run(interaction, lambda a, now: sessions.clock_in(self.ctx, a, memo=memo, now=now, contract_id=contract))

    @app_commands.command(description="Stop tracking; shows the session's counted time and activity")
    async def clockout(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, lambda a, now: sessions.clock_out(self.ctx, a, now=now))

    @app_commands.command(description="What you are working on from now on")
    @app_commands.describe(text="e.g. code review")
    async def memo(self, interaction: discord.Interaction, text: str) -> None:
        await self.run(interaction, lambda a, now: sessions.set_memo(self.ctx, a, text, now=now))

    @app_commands.command(description="A day's slots: activity per 10 minutes, totals and a diary link")
    @app_commands.describe(date="2026-11-20, today, yesterday or a weekday", user=USER, contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def diary(self, interaction: discord.Interaction, date: str | None = None, user: discord.User | None = None,
                    contract: int | None = None) -> None:
        other = ref_of(user) if user else None

        def service(a: Actor, now: datetime):
            day = views.day_diary(self.ctx, a, now=now, day=date, other=other, contract_id=contract)
            return links.with_diary_link(self.ctx, a, day, now=now) if isinstance(day, DayDiary) else day

        await self.run(interaction, service)

    @app_commands.command(description="The week per day: counted, billable, over limit, manual, amount")
    @app_commands.describe(week="this, last or 2026-W47", user=USER, csv="Attach it as a CSV file", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def timesheet(self, interaction: discord.Interaction, week: str | None = None, user: discord.User | None = None,
                        csv: bool = False, contract: int | None = None) -> None:
        other = ref_of(user) if user else None

        def service(a: Actor, now: datetime):
            sheet = views.timesheet(self.ctx, a, now=now, week=week, other=other, contract_id=contract)
            return CsvRequest(sheet) if csv and isinstance(sheet, Timesheet) else sheet

        await self.run(interaction, service)

    @app_commands.command(description="Ask the client for manual time")
    @app_commands.rename(span="range")
    @app_commands.describe(span="HH:MM-HH:MM, e.g. 09:00-10:30", memo="What you did", date="The day (default today)",
                           contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def manual(self, interaction: discord.Interaction, span: str, memo: str, date: str | None = None,
                     contract: int | None = None) -> None:
        def service(a: Actor, now: datetime):
            times = parse_range(span, text_commands.MANUAL_EXAMPLE)
            if isinstance(times, Refusal):
                return times
            return manual.request(self.ctx, a, start=times[0], end=times[1], day=date, memo=memo, now=now, contract_id=contract)

        await self.run(interaction, service)

    @app_commands.command(description="A one-time code to pair the desktop agent (valid 10 minutes)")
    async def connect(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, lambda a, now: devices.issue_code(self.ctx, a, now=now))

    @app_commands.command(description="Pay a bonus on this week's statement")
    @app_commands.describe(user="The freelancer", amount="e.g. 50", note="What it is for", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def bonus(self, interaction: discord.Interaction, user: discord.User, amount: float, note: str = "",
                    contract: int | None = None) -> None:
        other = ref_of(user)
        await self.run(interaction, lambda a, now: _amount_then(
            amount, lambda value: review.bonus(self.ctx, a, other, value, note=note, now=now, contract_id=contract)))

    contract = app_commands.Group(name="contract", description="Create and manage this channel's contract")

    @contract.command(name="new", description="Start a contract in this channel (without options: a form)")
    @app_commands.describe(freelancer="Who works", rate="Hourly rate, e.g. 40", currency="e.g. USD",
                           limit="Weekly limit in hours", weekly="Fixed weekly payment", manual="Allow manual time",
                           screenshots="Screenshots taken", billing="How a slot counts", tz="Billing timezone",
                           idle="Minutes without input before tracking stops", title="e.g. Landing page")
    @app_commands.autocomplete(tz=choosing.timezones)
    async def contract_new(
        self, interaction: discord.Interaction, freelancer: discord.User | None = None, rate: float | None = None,
        currency: str | None = None, limit: float | None = None, weekly: float | None = None, manual: bool | None = None,
        screenshots: Literal["on", "blur", "off"] | None = None, billing: Literal["segments", "minutes"] | None = None,
        tz: str | None = None, idle: int | None = None, title: str | None = None,
    ) -> None:
        typed = {"rate": rate, "currency": currency, "limit": limit, "weekly": weekly, "manual": manual,
                 "screenshots": screenshots, "billing": billing, "tz": tz, "idle": idle, "title": title}
        options = {key: option_text(value) for key, value in typed.items() if value is not None}
        if freelancer is None and not options:
            await interaction.response.send_modal(ContractForm(self.wiring))
            return
        who = ref_of(freelancer) if freelancer else None
        await self.run(interaction, lambda a, now: create(self.wiring, a, who, options, now))

    @contract.command(name="show", description="The contract's terms")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_show(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self.run(interaction, lambda a, now: contracts.show(self.ctx, a, contract_id=contract))

    async def _status(self, interaction: discord.Interaction, status: ContractStatus, contract: int | None) -> None:
        await self.run(interaction, lambda a, now: contracts.set_status(self.ctx, a, status, now=now, contract_id=contract))

    @contract.command(name="pause", description="Pause the contract (tracking stops)")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_pause(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self._status(interaction, ContractStatus.PAUSED, contract)

    @contract.command(name="resume", description="Resume a paused contract")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_resume(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self._status(interaction, ContractStatus.ACTIVE, contract)

    @contract.command(name="end", description="End the contract")
    @app_commands.describe(contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_end(self, interaction: discord.Interaction, contract: int | None = None) -> None:
        await self._status(interaction, ContractStatus.ENDED, contract)

    @contract.command(name="limit", description="Change the weekly limit (a raise applies at once)")
    @app_commands.describe(limit="Hours per week; 0 for no limit", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_limit(self, interaction: discord.Interaction, limit: float, contract: int | None = None) -> None:
        options = _with_contract({}, contract)
        await self.run(interaction, lambda a, now: text_commands.contract_limit(
            _call(self.wiring, a, now, words=[option_text(limit)], options=options)))

    @contract.command(name="rate", description="Change the hourly rate (a raise applies at once)")
    @app_commands.describe(rate="e.g. 45", contract=CONTRACT)
    @app_commands.autocomplete(contract=choosing.contracts)
    async def contract_rate(self, interaction: discord.Interaction, rate: float, contract: int | None = None) -> None:
        options = _with_contract({}, contract)
        await self.run(interaction, lambda a, now: text_commands.contract_rate(
            _call(self.wiring, a, now, words=[option_text(rate)], options=options)))

    @contract.command(name="set", description="Change settings: screenshots, billing, timezone, idle, manual, weekly, title")
    @app_commands.describe(currency="e.g. EUR", weekly="Fixed weekly payment", manual="Allow manual time",
                           screenshots="Screenshots taken", billing="How a slot counts", tz="Billing timezone",
                           idle="Minutes without input before tracking stops", title="e.g. Landing page", contract=CONTRACT)
    @app_commands.autocomplete(tz=choosing.timezones, contract=choosing.contracts)
    async def contract_set(
        self, interaction: discord.Interaction, currency: str | None = None, weekly: float | None = None,
        manual: bool | None = None, screenshots: Literal["on", "blur", "off"] | None = None,
        billing: Literal["segments", "minutes"] | None = None, tz: str | None = None, idle: int | None = None,
        title: str | None = None, contract: int | None = None,
    ) -> None:
        typed = {"currency": currency, "weekly": weekly, "manual": manual, "screenshots": screenshots,
                 "billing": billing, "tz": tz, "idle": idle, "title": title}
        options = _with_contract({k: option_text(v) for k, v in typed.items() if v is not None}, contract)
        await self.run(interaction, lambda a, now: text_commands.contract_set(_call(self.wiring, a, now, options=options)))

    tally = app_commands.Group(name="tally", description="Tally itself: help and the weekly summary channel")

    @tally.command(name="summary-channel", description="Post the weekly summary of every contract in this channel")
    async def summary_channel(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, lambda a, now: workspaces.set_summary_channel(self.ctx, a))

    @tally.command(name="help", description="What each command does, with examples")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.run(interaction, lambda a, now: Help(text_commands.HELP))
