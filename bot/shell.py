"""`tally shell --as NAME`: the chat commands in a terminal, over the same services as Slack and Discord."""

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot import commands
from bot.render.cards import post_card
from bot.render.text import card_text, render
from bot.services.actors import Actor, UserRef
from bot.services.availability import DATABASE_DOWN, or_unavailable
from bot.services.button_refs import ButtonAction
from bot.services.context import Context
from bot.services.results import Button
from storage import outbox
from storage.tables import Outbox

WORKSPACE = "local"


def mention(token: str) -> UserRef | None:
    """`@bob` names the shell user bob."""
    if token.startswith("@") and len(token) > 1:
        name = token[1:]
        return UserRef(id=name.lower(), name=name)
    return None


class Shell:
    def __init__(self, ctx: Context, user: str, *, out: TextIO = sys.stdout, channel: str = "#general",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), admins: Iterable[str] = ()) -> None:
        self.ctx, self.out, self.clock = ctx, out, clock
        self.user, self.channel = user, channel
        self.admins = {name.lower() for name in admins}  # the workspace admins: named with /as NAME admin

    @property
    def actor(self) -> Actor:
        return Actor("shell", WORKSPACE, self.user.lower(), self.user, self.channel, admin=self.user.lower() in self.admins)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def handle(self, line: str) -> None:
        """One typed line: a local switch (/as, /channel), a chat command, or a hint."""
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if not line.startswith("/"):
            return self.say("Commands start with /, e.g. /clockin writing docs. /tally help lists them.")
        name, _, rest = line[1:].partition(" ")
        if name == "as":
            return self._switch_user(rest.strip())
        if name == "channel":
            return self._switch_channel(rest.strip())
        result = or_unavailable(commands.run, self.ctx, self.actor, name, rest, now=self.clock(), mention=mention)
        self.say(render(result, button_hint=_button_command))
        if result is not DATABASE_DOWN:
            self.deliver()

    def _switch_user(self, text: str) -> None:
        name, _, role = text.partition(" ")
        name = name.lstrip("@")
        if not name.replace("_", "").replace("-", "").isalnum() or role.strip() not in ("", "admin"):
            return self.say("Say who, e.g. /as bob, or /as alice admin for a workspace admin.")
        self.user = name
        if role.strip() == "admin":
            self.admins.add(name.lower())
        self.say(f"You are now {self.user}" + (", a workspace admin." if name.lower() in self.admins else "."))

    def _switch_channel(self, name: str) -> None:
        if not name:
            return self.say("Say which channel, e.g. /channel #design.")
        self.channel = name if name.startswith("#") else f"#{name}"
        self.say(f"You are now in {self.channel}.")

    def deliver(self) -> None:
        """The shell's outbox dispatcher: channel posts and direct messages are printed here."""
        with self.ctx.unit() as s:
            for message in outbox.due_messages(s, platform="shell", now=self.clock()):
                self.say(_post(message))
                message.status, message.sent_at = "sent", self.clock()

    def run(self, lines: Iterable[str], *, echo: bool) -> None:
        for line in lines:
            if echo:
                self.say(f"{self.user}> {line.rstrip()}")
            self.handle(line)


def _post(message: Outbox) -> str:
    where = f"to {message.channel[1:]}" if message.channel.startswith("@") else message.channel
    return f"[{where}] " + card_text(post_card(message.payload), button_hint=_button_command)


BUTTON_COMMANDS = {
    ButtonAction.APPROVE_WEEK: "/approve {week} contract={number}",
    ButtonAction.DISPUTE_WEEK: "/dispute HH:MM-HH:MM DAY REASON contract={number}",
    ButtonAction.OPEN_DIARY: "/timesheet {week} contract={number}",
    ButtonAction.ACCEPT_DISPUTE: "/accept {number}",
    ButtonAction.ANSWER_DISPUTE: "/answer {number} TEXT",
    ButtonAction.WITHDRAW_DISPUTE: "/withdraw {number}",
    ButtonAction.CONFIRM_DISPUTE: "/confirm {number}",
    ButtonAction.APPROVE_MANUAL: "/approve manual {number}",
    ButtonAction.DECLINE_MANUAL: "/decline {number}",
    ButtonAction.REVOKE_DEVICE: "/revoke {number}",
    ButtonAction.UNDO_PAID: "/paid undo {number}",
    ButtonAction.APPROVE_LATE: "/approve late {number}",
    ButtonAction.DECLINE_LATE: "/decline late {number}",
}


def _button_command(button: Button) -> str:
    """What to type in the shell for a button the chat platforms would show."""
    if button.ref is None:
        return ""
    return " ".join(BUTTON_COMMANDS[button.ref.action].format(number=button.ref.number, week=button.ref.week).split())


