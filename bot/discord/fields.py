"""What the bot's forms (modals) are made of."""

import discord

FORM_LIFETIME = 15 * 60  # seconds: Discord's interaction tokens live this long


def text_field(name: str, label: str, placeholder: str = "", *, long: bool = False, required: bool = True,
               default: str | None = None) -> tuple[discord.ui.Label, discord.ui.TextInput]:
    """A labelled text input of a form, and the input itself to read its value back."""
    style = discord.TextStyle.paragraph if long else discord.TextStyle.short
    field = discord.ui.TextInput(custom_id=name, placeholder=placeholder or None, style=style, required=required,
                                 default=default, max_length=1000 if long else 100)
    return discord.ui.Label(text=label, component=field), field
