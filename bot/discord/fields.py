"""What the bot's forms (modals) are made of, and how a submitted form is read.

A form's custom_id says what it is for (`tally-form:<action>:<value>`, like a button's), and a
submission is read from the interaction alone: a form opened before the bot restarted is
answered by the new process as a button is (see TallyBot.on_interaction).
"""

import discord

from bot.services.actors import UserRef

FORM_LIFETIME = 15 * 60  # seconds: Discord's interaction tokens live this long
FORM_PREFIX = "tally-form:"
CONTRACT_FORM = FORM_PREFIX + "contract_new"


def text_field(name: str, label: str, placeholder: str = "", *, long: bool = False, required: bool = True,
               default: str | None = None) -> tuple[discord.ui.Label, discord.ui.TextInput]:
    """A labelled text input of a form, and the input itself to read its value back."""
    style = discord.TextStyle.paragraph if long else discord.TextStyle.short
    field = discord.ui.TextInput(custom_id=name, placeholder=placeholder or None, style=style, required=required,
                                 default=default, max_length=1000 if long else 100)
    return discord.ui.Label(text=label, component=field), field


def submitted_values(data: dict) -> dict[str, str | list[str]]:
    """custom_id -> what was entered (text) or chosen (a list of ids), from a modal submission."""
    values: dict[str, str | list[str]] = {}
    for component in data.get("components") or []:
        if component.get("type") == 1:  # an action row
            values |= submitted_values(component)
        elif component.get("type") == 18:  # a label around one input
            values |= submitted_values({"components": [component.get("component") or {}]})
        elif isinstance(component.get("custom_id"), str):
            chosen = component.get("values")
            values[component["custom_id"]] = [str(v) for v in chosen] if isinstance(chosen, list) else str(component.get("value") or "")
    return values


def chosen_user(data: dict, user_id: str) -> UserRef | None:
    """A user picked in a form, named as Discord shows them (nickname, display name, user name)."""
    resolved = data.get("resolved") or {}
    user = (resolved.get("users") or {}).get(user_id)
    if not isinstance(user, dict):
        return None
    member = (resolved.get("members") or {}).get(user_id) or {}
    return UserRef(id=user_id, name=member.get("nick") or user.get("global_name") or user.get("username") or user_id)
