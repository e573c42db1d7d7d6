"""Cards as plain text: what the shell prints, and the fallback text of chat messages."""

from bot.render.cards import Card, CsvRequest, card_for
from bot.render.csv import timesheet_csv


def card_text(card: Card, *, button_hint=None) -> str:
    parts = [card.title] if card.title else []
    parts += card.lines
    parts += [f"  {line}" for line in card.grid]
    parts += _field_lines(card.fields)
    if card.buttons:
        parts.append("  " + "  ".join(_button(b, button_hint) for b in card.buttons))
    if card.footer:
        parts.append(f"  {card.footer}")
    return "\n".join(parts)


def _button(button, hint) -> str:
    """A link button shows where it leads; another, when a hint is given, what to type instead."""
    target = button.url or (hint(button) if hint else "")
    return f"[{button.label}{': ' + target if target else ''}]"


def render(result, *, button_hint=None) -> str:
    if isinstance(result, CsvRequest):
        return timesheet_csv(result.timesheet)
    return card_text(card_for(result), button_hint=button_hint)


def _field_lines(fields: list[tuple[str, str]], width: int = 100) -> list[str]:
    """Fields side by side, " · " between them, wrapped before a line grows past `width`."""
    lines, current = [], ""
    for label, value in fields:
        item = f"{label}: {value}"
        if current and len(current) + 3 + len(item) > width:
            lines.append(current)
            current = ""
        current = f"{current} · {item}" if current else f"  {item}"
    return lines + ([current] if current else [])
