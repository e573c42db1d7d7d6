"""App Home: tracking or not, today's and this week's time per contract, devices, clock in/out."""

from slack_bolt.async_app import AsyncApp

from bot.dispatch import dispatch
from bot.render.cards import Card, card_for
from bot.services import overview
from bot.requests import ClockIn, ClockOut
from bot.services.actors import Actor
from bot.services.button_refs import ButtonAction, ButtonRef
from bot.services.overview import ContractToday, Home
from bot.services.results import Button
from bot.slack.blocks import card_blocks
from bot.slack.bridge import Bridge
from bot.slack.translate import event_actor, interaction_actor, spelled
from diary.money import format_minutes
from diary.weeks import describe_time
from diary.refusal import Refusal

CLOCK_IN, CLOCK_OUT = ButtonAction.CLOCK_IN, ButtonAction.CLOCK_OUT
DIVIDER = {"type": "divider"}
MAX_CONTRACTS = 20  # a home tab holds 100 blocks


def _activity(percent: int | None) -> str:
    return "no activity recorded" if percent is None else f"activity {percent}%"


def _limit(c: ContractToday) -> str:
    limit = "no weekly limit" if c.limit_hours is None else f"of {c.limit_hours:.4g} h"
    over = f", {format_minutes(c.over_limit_minutes)} over the limit" if c.over_limit_minutes else ""
    return f"{format_minutes(c.week_minutes)} {limit}{over}"


def status_card(home: Home) -> Card:
    if home.tracking is None:
        return Card(title="Tally", lines=["Not tracking."])
    memo = f" — {home.memo}" if home.memo else ""
    line = f"Tracking {home.tracking}{memo}, since {describe_time(home.since, home.tz)}."
    return Card(title="Tally", lines=[line], buttons=[Button("Clock out", ButtonRef(CLOCK_OUT, 0))])


def contract_card(c: ContractToday, tracking_anything: bool) -> Card:
    state = ("tracking now" + (f" — {c.memo}" if c.memo else "")) if c.tracking else "not tracking"
    fields = [("You are", f"the {c.role}, with {c.counterpart}"), ("Now", state),
              ("Today", f"{format_minutes(c.today_minutes)} counted, {_activity(c.today_activity)}"),
              (f"This week ({c.week})", _limit(c))]
    can_start = c.role == "freelancer" and c.active and not tracking_anything
    clock_in = [Button("Clock in", ButtonRef(CLOCK_IN, c.contract_id))] if can_start else []
    return Card(lines=[f"#{c.contract_id} {c.title}" + ("" if c.active else " (paused)")], fields=fields, buttons=clock_in)


def devices_card(home: Home) -> Card:
    if not home.devices:
        return Card(lines=["No device paired yet: /connect gives you a pairing code for the desktop agent."])
    seen = [f"{d.name} ({d.os or 'unknown system'})" + (f", last seen {d.last_seen_at:%Y-%m-%d %H:%M} UTC" if d.last_seen_at else "")
            for d in home.devices]
    return Card(lines=["Paired devices:", *seen])


def home_view(home: Home, notice: Card | None = None) -> dict:
    cards = [*([notice] if notice else []), status_card(home)]
    cards += [contract_card(c, home.tracking is not None) for c in home.contracts[:MAX_CONTRACTS]]
    if not home.contracts:
        cards.append(Card(lines=["You have no contract yet. A client starts one in a channel with /contract new @freelancer rate=40."]))
    cards.append(devices_card(home))
    if home.profile is not None:  # what anyone in the workspace sees with /profile
        cards.append(card_for(home.profile))
    blocks = []
    for card in cards:
        blocks += [*card_blocks(card), DIVIDER]
    return {"type": "home", "blocks": blocks[:-1]}


async def publish(bridge: Bridge, client, actor: Actor, notice: Card | None = None) -> None:
    home = await bridge.call(overview.home, bridge.ctx, actor, now=bridge.clock())
    if isinstance(home, Refusal):  # the database is away: the tab keeps what it showed
        return
    await client.views_publish(user_id=actor.user, view=home_view(home, notice))


def register(app: AsyncApp, bridge: Bridge) -> None:
    async def opened(body: dict, event: dict, client) -> None:
        if event.get("tab", "home") == "home":
            await publish(bridge, client, event_actor(body))

    async def acknowledge(ack) -> None:
        await ack()

    async def clock(body: dict, client) -> None:
        """The home buttons are the clock commands, named with the contract they act on."""
        actor, action = interaction_actor(body), body["actions"][0]
        ref = ButtonRef.decode(action.get("action_id") or "", action.get("value") or "")
        request = ClockIn(contract=ref.number) if ref and ref.action is CLOCK_IN else ClockOut()
        result = await bridge.call(dispatch, bridge.ctx, actor, request, now=bridge.clock(), spell=spelled)
        await publish(bridge, client, actor, card_for(result))

    app.event("app_home_opened")(opened)
    app.action(str(CLOCK_IN))(ack=acknowledge, lazy=[clock])
    app.action(str(CLOCK_OUT))(ack=acknowledge, lazy=[clock])
