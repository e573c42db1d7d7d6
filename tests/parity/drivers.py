"""One story told on each platform: the shell, Slack (its real app and fake) and Discord (the real
discord.py client and its fake). Each driver types commands and clicks buttons as a person would
there, and returns what that person then reads."""

import asyncio
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.discord.sender import DiscordSender
from bot.shell import Shell
from bot.slack.http import mount
from tests.discord.conftest import deliver as discord_deliver
from tests.discord.conftest import run_bot
from tests.discord.fake import CHANNEL_ID, TOKEN, FakeDiscord, buttons_of, message_text
from tests.discord.talk import ALICE as D_ALICE
from tests.discord.talk import BOB as D_BOB
from tests.discord.talk import CAROL as D_CAROL
from tests.discord.talk import Discord
from tests.slack.conftest import deliver as slack_deliver
from tests.slack.conftest import slack_settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import ALICE as S_ALICE
from tests.slack.harness import BOB as S_BOB
from tests.slack.harness import CAROL as S_CAROL
from tests.slack.harness import CHANNEL, SlackSide, labels, serve, text_of, view_of

REPLY, REFUSED, UPDATED = "reply", "refused", "updated"  # what a step shows the person


def suggestion(seen: str, contract: int) -> str:
    """The command a question ("which contract?") suggests for contract #`contract`, as shown."""
    line = next(line for line in seen.splitlines() if line.strip().startswith(f"#{contract} ") and "→" in line)
    return line.split("→", 1)[1].strip()


class ShellDriver:
    def __init__(self, ctx, clock) -> None:
        self.out = io.StringIO()
        self.shell = Shell(ctx, "alice", out=self.out, clock=clock, admins={"alice"})

    def _type(self, who: str, line: str) -> str:
        self.shell.user = who
        start = self.out.tell()
        self.shell.handle(line)
        return self.out.getvalue()[start:]

    async def command(self, who: str, line: str, typed: dict, kind: str) -> str:
        return self._type(who, line)

    async def click(self, who: str, label: str, form: dict, kind: str) -> str:
        """The shell prints each button with the command that does the same: [Approve: /approve manual 1]."""
        hints = re.findall(rf"\[{label}: ([^\]]+)\]", self.out.getvalue())
        line = hints[-1]
        for placeholder, value in (("HH:MM-HH:MM", form.get("range")), ("DAY", form.get("day")),
                                   ("REASON", form.get("reason")), ("TEXT", form.get("answer"))):
            line = line.replace(placeholder, value or "")
        return self._type(who, line)

    async def paste(self, who: str, seen: str, contract: int, kind: str) -> str:
        return self._type(who, suggestion(seen, contract))

    def posted(self) -> str:
        return "\n".join(line for line in self.out.getvalue().splitlines() if line.startswith("[#"))

    async def deliver(self) -> None:
        self.shell.deliver()


SLACK_PEOPLE = {"alice": S_ALICE, "bob": S_BOB, "carol": S_CAROL}
DISCORD_PEOPLE = {"alice": D_ALICE, "bob": D_BOB, "carol": D_CAROL}


class SlackDriver:
    def __init__(self, ctx, clock, side: SlackSide, fake: FakeSlack) -> None:
        self.ctx, self.clock, self.side, self.fake = ctx, clock, side, fake
        self.posts: list[dict] = []

    def _mentions(self, text: str) -> str:
        return re.sub(r"@(\w+)", lambda m: SLACK_PEOPLE[m[1]].mention, text)

    async def command(self, who: str, line: str, typed: dict, kind: str) -> str:
        name, _, text = line[1:].partition(" ")
        reply = await asyncio.to_thread(self.side.ask, SLACK_PEOPLE[who], name, self._mentions(text), CHANNEL)
        assert reply["response_type"] == "ephemeral", reply
        return reply.get("text", "") + text_of(reply.get("blocks", []))

    def _message(self, label: str) -> dict:
        current = [self.fake.messages.get(p["ts"], p) for p in self.posts]
        return next(m for m in reversed(current) if label in labels(m["blocks"]))

    async def click(self, who: str, label: str, form: dict, kind: str) -> str:
        message, person = self._message(label), SLACK_PEOPLE[who]
        updates, forms = len(self.fake.of("chat.update")), len(self.fake.of("views.open"))
        sent = await asyncio.to_thread(self.side.click, person, message, label)
        if form:
            opened = await asyncio.to_thread(self.fake.wait, "views.open", count=forms + 1)
            await asyncio.to_thread(self.side.submit, person, view_of(opened[-1]), form)
        if kind == UPDATED:
            await asyncio.to_thread(self.fake.wait, "chat.update", count=updates + 1)
            return text_of(self.fake.messages[message["ts"]]["blocks"])
        reply = await asyncio.to_thread(self.side.reply, sent)
        return reply.get("text", "") + text_of(reply.get("blocks", []))

    async def paste(self, who: str, seen: str, contract: int, kind: str) -> str:
        return await self.command(who, suggestion(seen, contract), {}, kind)

    def posted(self) -> str:
        return "\n".join(self.fake.messages.get(p["ts"], p).get("text", "") for p in self.posts)

    async def deliver(self) -> None:
        self.posts += await asyncio.to_thread(slack_deliver, self.ctx, self.fake, self.clock)


class DiscordDriver:
    def __init__(self, ctx, clock, fake: FakeDiscord, sender) -> None:
        self.ctx, self.clock, self.fake, self.sender = ctx, clock, fake, sender
        self.people = Discord(fake)
        self.posts: list[dict] = []

    async def command(self, who: str, line: str, typed: dict, kind: str) -> str:
        words = line[1:].split()
        path = " ".join(words[:2]) if words[0] in ("contract", "tally") else words[0]
        options = {k: DISCORD_PEOPLE.get(v, v) if isinstance(v, str) else v for k, v in typed.items()}
        reply = await self.people.slash(DISCORD_PEOPLE[who], path, channel=CHANNEL_ID, **options)
        assert reply.ephemeral and bool(reply.body.get("embeds")) == (kind == REPLY), reply
        return reply.text

    async def click(self, who: str, label: str, form: dict, kind: str) -> str:
        message = next(m for m in reversed(self.posts) if label in [b.get("label") for b in buttons_of(m)])
        reply = await self.people.click(DISCORD_PEOPLE[who], message, label)
        if form:
            reply = await self.people.submit(DISCORD_PEOPLE[who], reply, form, message=message)
        assert (reply.type == 7) == (kind == UPDATED) and reply.ephemeral == (kind != UPDATED), reply
        return reply.text

    async def paste(self, who: str, seen: str, contract: int, kind: str) -> str:
        """Discord suggests `/contract rate rate:50 contract:1`: the command's path and its options."""
        words = suggestion(seen, contract).split()
        path = [w.lstrip("/") for w in words if ":" not in w]
        typed = dict(w.split(":", 1) for w in words if ":" in w)
        typed = {k: int(v) if k == "contract" else v for k, v in typed.items()}
        line = "/" + " ".join(path)
        return await self.command(who, line, typed, kind)

    def posted(self) -> str:
        return "\n".join(message_text(p) for p in self.posts)

    async def deliver(self) -> None:
        self.posts += await discord_deliver(self.ctx, self.sender, self.fake, self.clock.now)


@asynccontextmanager
async def shell_driver(ctx, clock) -> AsyncIterator[ShellDriver]:
    yield ShellDriver(ctx, clock)


@asynccontextmanager
async def slack_driver(ctx, clock) -> AsyncIterator[SlackDriver]:
    fake = FakeSlack()
    fake.start()
    app = FastAPI()
    mount(app, ctx, slack_settings(fake), clock=clock)
    try:
        with serve(app) as url:
            yield SlackDriver(ctx, clock, SlackSide(url, fake), fake)
    finally:
        fake.stop()


@asynccontextmanager
async def discord_driver(ctx, clock) -> AsyncIterator[DiscordDriver]:
    fake = FakeDiscord()
    await fake.start()
    bot, task = await run_bot(ctx, fake, clock)
    sender = DiscordSender(TOKEN, ctx.blobs, api_url=fake.api_url)
    try:
        yield DiscordDriver(ctx, clock, fake, sender)
    finally:
        await sender.close()
        await bot.close()
        await task
        await fake.stop()


DRIVERS = {"shell": shell_driver, "slack": slack_driver, "discord": discord_driver}
