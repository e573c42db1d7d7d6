"""Answering the person who asked: private cards, CSV files, and messages updated in place."""

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.cards import Card, CsvRequest, card_for
from bot.render.csv import timesheet_csv
from bot.services.actors import Actor
from bot.services.results import Clicked, Timesheet
from bot.slack.blocks import card_blocks, escape, fallback_text, settled
from bot.slack.bridge import Bridge
from diary.refusal import Refusal

log = logging.getLogger("tally.slack")


def private(card: Card) -> dict:
    """A card as an ephemeral reply (respond / response_url), seen only by the person who asked."""
    return {"response_type": "ephemeral", "replace_original": False, "text": fallback_text(card), "blocks": card_blocks(card)}


async def answer(bridge: Bridge, client: AsyncWebClient, respond, actor: Actor, result) -> None:
    """The reply to a slash command: privately, or a CSV file by direct message."""
    if isinstance(result, CsvRequest):
        return await send_csv(client, respond, actor, result.timesheet)
    await respond(**private(card_for(result)))


async def send_csv(client: AsyncWebClient, respond, actor: Actor, sheet: Timesheet) -> None:
    """A file cannot be ephemeral: it goes to the asker's direct messages with the app."""
    try:
        opened = await client.conversations_open(users=actor.user)
        await client.files_upload_v2(
            channel=opened["channel"]["id"], content=timesheet_csv(sheet), filename=f"timesheet-{sheet.week}-{sheet.contract_id}.csv",
            title=f"Timesheet {sheet.week} of {sheet.freelancer}", initial_comment=f"Timesheet {sheet.week} of {sheet.freelancer} as CSV.",
        )
    except (TimeoutError, SlackApiError, aiohttp.ClientError) as error:
        log.warning("could not send a timesheet CSV: %s", error)
        return await respond(**private(card_for(Refusal("I could not send you the file; ask again in a moment."))))
    await respond(**private(Card(lines=[f"I sent you timesheet {sheet.week} as a CSV file in a direct message."])))


async def settle_click(client: AsyncWebClient, respond, body: dict, result) -> None:
    """After a click: a decision updates the message in place; anything else is a private reply."""
    if not isinstance(result, Clicked):
        return await respond(**private(card_for(result)))
    container = body.get("container") or {}
    blocks = settled((body.get("message") or {}).get("blocks") or [], result)
    if container.get("is_ephemeral") or not container.get("message_ts"):
        return await respond(replace_original=True, text=escape(result.text), blocks=blocks)
    await client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text=escape(result.text), blocks=blocks)


async def settle_form(client: AsyncWebClient, origin: dict, actor: Actor, result) -> None:
    """After a form a button opened: update that button's message, or tell the person privately."""
    if isinstance(result, Clicked) and origin.get("ts"):
        blocks = settled(origin.get("blocks", []), result)
        return await client.chat_update(channel=origin["channel"], ts=origin["ts"], text=escape(result.text), blocks=blocks)
    card = card_for(result)
    await client.chat_postEphemeral(channel=origin["channel"], user=actor.user, text=fallback_text(card), blocks=card_blocks(card))
