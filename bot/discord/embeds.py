"""Cards drawn for Discord: an embed with the words and buttons below it; refusals as plain text."""

import io

import discord

from bot.discord.ids import ActionButton, ref_of
from bot.render.cards import Card, CsvRequest, card_for
from bot.render.csv import timesheet_csv
from bot.render.text import card_text
from bot.services.results import Button, Clicked

COLOUR = discord.Colour(0x3B82F6)
# Discord's limits on the parts of a message.
TITLE, DESCRIPTION, FIELDS, FIELD_VALUE, FOOTER, CONTENT, BUTTONS = 256, 4096, 25, 1024, 2048, 2000, 25


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _description(card: Card) -> str:
    text = "\n".join(line for line in card.lines if line)
    if card.grid:  # monospace, so the diary's cells and the timesheet's columns line up
        text += ("\n" if text else "") + "```\n" + "\n".join(card.grid) + "\n```"
    return text


def _mention(label: str, value: str) -> str:
    """A channel id shows as the channel's name, clickable."""
    return f"<#{value}>" if label == "Channel" and value.isdigit() else value


def card_embed(card: Card) -> discord.Embed:
    embed = discord.Embed(title=clip(card.title, TITLE) or None, description=clip(_description(card), DESCRIPTION) or None,
                          colour=COLOUR)
    for label, value in card.fields[:FIELDS]:
        embed.add_field(name=clip(label, TITLE), value=clip(_mention(label, value) or "—", FIELD_VALUE))
    if card.footer:
        embed.set_footer(text=clip(card.footer, FOOTER))
    return embed


def buttons_view(buttons: list[Button]) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons[:BUTTONS]:
        view.add_item(discord.ui.Button(label=button.label, url=button.url) if button.url else ActionButton.of(button))
    return view


def card_parts(card: Card) -> dict:
    """Keyword arguments for sending `card`: plain content for a refusal, else an embed and its buttons."""
    if card.refusal:
        return {"content": clip(card_text(card), CONTENT)}
    view = buttons_view(card.buttons)
    return {"embed": card_embed(card), **({"view": view} if view else {})}


def result_parts(result) -> dict:
    """Keyword arguments for a reply showing a service result; a CSV timesheet comes as a file."""
    if isinstance(result, CsvRequest):
        sheet = result.timesheet
        data = io.BytesIO(timesheet_csv(sheet).encode())
        name = f"timesheet-{sheet.week}-contract-{sheet.contract_id}.csv"
        return {"embed": card_embed(card_for(sheet)), "file": discord.File(data, filename=name)}
    return card_parts(card_for(result))


def buttons_on(message: discord.Message) -> list[Button]:
    """Our buttons on a message, read back from their custom_ids (the bot may never have seen it)."""
    found = []
    for row in message.components:
        for item in getattr(row, "children", [row]):
            url, ref = getattr(item, "url", None), ref_of(getattr(item, "custom_id", None) or "")
            if url or ref:
                found.append(Button(getattr(item, "label", None) or "", ref, url=url))
    return found


def acted_on(message: discord.Message, clicked: Clicked) -> tuple[discord.Embed, discord.ui.View | None]:
    """The message as it looks once a click decided something: its words, the outcome and who
    acted, and the buttons that stay."""
    embed = message.embeds[0].copy() if message.embeds else \
        discord.Embed(description=clip(message.content, DESCRIPTION) or None, colour=COLOUR)
    if len(embed.fields) < FIELDS:
        embed.add_field(name="Outcome", value=clip(f"{clicked.text} (<@{clicked.by}>)", FIELD_VALUE), inline=False)
    return embed, buttons_view([b for b in buttons_on(message) if clicked.keeps(b)])
