"""Cards drawn as Block Kit, and the plain text Slack shows in notifications and as a fallback."""

from dataclasses import replace

from bot.render.cards import Card
from bot.render.text import card_text
from bot.services.results import Button, Clicked

SECTION_LIMIT = 2900  # Slack refuses section text over 3000 characters
FIELDS_PER_SECTION = 10
HEADER_LIMIT = 150
TEXT_LIMIT = 3000
LINK_ACTION = "open_link"  # a URL button: Slack reports the click, there is nothing to do
STYLES = {"Approve": "primary", "Accept": "primary", "Confirm": "primary"}


def escape(text: str) -> str:
    """User text inside mrkdwn: `<`, `>` and `&` would otherwise turn into links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(text[:SECTION_LIMIT])}


def context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(text[:SECTION_LIMIT])]}


def card_blocks(card: Card) -> list[dict]:
    if card.refusal:
        return [section(f":no_entry_sign: {escape(' '.join(card.lines))}")]
    blocks = _title(card.title) + _lines(card.lines) + _grid(card.grid) + _fields(card.fields)
    if card.buttons:
        blocks.append(actions(card.buttons))
    if card.footer:
        blocks.append(context(escape(card.footer)))
    return blocks


def fallback_text(card: Card) -> str:
    """What notifications and old clients show: the card as text, without its buttons."""
    return escape(card_text(replace(card, buttons=[])))[:TEXT_LIMIT]


def _title(title: str) -> list[dict]:
    if not title:
        return []
    if len(title) <= HEADER_LIMIT:
        return [{"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}]
    return [section(f"*{escape(title)}*")]


def _lines(lines: list[str]) -> list[dict]:
    text = "\n".join(escape(line) for line in lines if line)
    return [section(text)] if text else []


def _grid(grid: list[str]) -> list[dict]:
    """Monospace rows in code blocks, split so no block outgrows Slack's limit."""
    chunks, current = [], []
    for row in grid:
        if current and sum(len(r) + 1 for r in current) + len(row) > SECTION_LIMIT - 10:
            chunks.append(current)
            current = []
        current.append(escape(row))
    return [section("```" + "\n".join(chunk) + "```") for chunk in [*chunks, current] if chunk]


def _fields(fields: list[tuple[str, str]]) -> list[dict]:
    items = [mrkdwn(f"*{escape(label)}*\n{escape(value)}") for label, value in fields]
    return [{"type": "section", "fields": items[i:i + FIELDS_PER_SECTION]} for i in range(0, len(items), FIELDS_PER_SECTION)]


def actions(buttons: list[Button]) -> dict:
    return {"type": "actions", "elements": [button_element(b) for b in buttons]}


def button_element(button: Button) -> dict:
    element = {"type": "button", "text": {"type": "plain_text", "text": button.label}}
    if button.url:
        return element | {"action_id": LINK_ACTION, "url": button.url}
    element |= {"action_id": str(button.ref.action), "value": button.ref.encode()}
    return element | ({"style": STYLES[button.label]} if button.label in STYLES else {})


def _stays(element: dict, clicked: Clicked) -> bool:
    return element.get("action_id") == LINK_ACTION or element.get("action_id") in clicked.keep


def settled(blocks: list[dict], clicked: Clicked) -> list[dict]:
    """A message after a click decided something: the buttons that stay, the outcome and who acted below."""
    kept = []
    for block in blocks:
        if block.get("type") == "actions":
            elements = [e for e in block.get("elements", []) if _stays(e, clicked)]
            block = {**block, "elements": elements} if elements else None
        if block:
            kept.append(block)
    return kept + [context(f":white_check_mark: {escape(clicked.text)} (<@{clicked.by}>)")]
